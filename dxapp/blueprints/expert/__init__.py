"""The `expert` blueprint: My Page, the registration wizard with live feedback (issue 5), and the
expert directory that logged-in SMEs browse."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from dxapp import clock
from dxapp.access import policy
from dxapp.blueprints.public import calendar_rows
from dxapp.extensions import db
from dxapp.labels import STATUS_LABELS
from dxapp.models import Submission
from dxapp.rules import calendar
from dxapp.rules.application import WITHDRAWABLE
from dxapp.services import affiliations, applications
from dxapp.services import experts as experts_service  # noqa: F401  (registers the approval hook)
from dxapp.wizard.documents import DocumentRoutes
from dxapp.wizard.views import WizardRoutes

bp = Blueprint("expert", __name__)

from dxapp.blueprints.expert import directory  # noqa: E402
from dxapp.procedures.expert_registration import bank_step, presets  # noqa: E402
from dxapp.procedures.expert_registration import documents as documents_step  # noqa: E402
from dxapp.procedures.expert_registration.forms import step_data  # noqa: E402
from dxapp.procedures.expert_registration.keys import owner_key  # noqa: E402
from dxapp.procedures.expert_registration.wizard import EXPERT_REGISTRATION, is_ineligible, saved_decision  # noqa: E402


def _owner():
    return owner_key(current_user), current_user.id


def _write_guard(user=None):
    """One open application at a time; new registrations only inside the window (drafts stay readable).
    ``user``: the applicant (the desk clerk's pages pass theirs); else the logged-in expert."""
    user = user or current_user
    current = applications.open_application(user, "expert")
    if current is not None and current.status == "returned":
        return None  # a returned application may be corrected and resubmitted, even after the window
    if current is not None:
        return render_template("expert/already_applied.html", application=current, status_labels=STATUS_LABELS), 409
    registered = applications.registration(user, "expert")
    if registered is not None and registered.status == "approved":
        return None  # a change request of an approved registration is not a new registration
    now = clock.program_now()
    if calendar.is_open("registration", now):
        return None
    window = calendar.window("registration")
    return render_template("expert/closed.html", window=window, last_day=calendar.last_day(window),
                           before=now < window.opens_at), 403


def _after_save(slug, answers):
    if slug in ("participation", "qualifications") and is_ineligible(answers):
        return url_for("expert.result")
    return None


def _blocker(answers):
    if is_ineligible(answers):
        return url_for("expert.result")
    if step_data(answers, "bank").get("payee") == "corporation" and not presets.bank_optional(answers):
        # the invitation has ended or was declined: the honorarium can no longer go to the corporation
        return url_for(registration.ep("step"), slug="bank")
    return documents_routes.blocker(answers)


def _initial_answers(user=None):
    """A returned application comes back with the flagged steps to re-enter; a change starts from the
    details in force; a new registration starts with the name and e-mail of the account.  ``user``: the
    applicant (the desk clerk's pages pass theirs); else the logged-in expert."""
    user = user or current_user
    current = applications.open_application(user, "expert")
    if current is not None and current.status == "returned":
        return {"steps": current.answers.get("steps", {}), "flags": current.flags or {}}
    registered = applications.registration(user, "expert")
    if current is None and registered is not None and registered.status == "approved":
        return {"steps": registered.answers.get("steps", {})}
    return {"partial": {"person": {"name": [user.name], "email": [user.email]}}}


def _submit(draft):
    decision = saved_decision(draft.answers)
    if decision["outcome"] != "eligible":
        raise ValueError("not eligible")
    decision = {**decision, "assessed_at": clock.program_now().isoformat()}
    user = current_user._get_current_object()
    preset = presets.current(draft.answers, user)
    answers = {k: v for k, v in draft.answers.items() if k != "_preset"}  # an ended invitation's preset goes
    if preset:
        answers["_preset"] = preset
    application = applications.submit(user=user, kind="expert", answers=answers, decision=decision,
                                      organisation_id=None)
    participation = EXPERT_REGISTRATION.data(answers, "participation")
    if participation.get("participation") == "supporter_member" and participation.get("supporter_organisation_id"):
        affiliations.request(user, participation["supporter_organisation_id"], actor=user.id)
    return "application", application.id


registration = WizardRoutes(
    bp=bp, wizard=EXPERT_REGISTRATION, rule=("expert",), owner=_owner, on_submit=_submit,
    done_endpoint="expert.submitted", reference_prefix="X", prefix="/register",
    actor=lambda: current_user.id, write_guard=_write_guard, after_save=_after_save,
    blocker=_blocker, initial_answers=_initial_answers,
).register()
documents_routes = DocumentRoutes(bp, registration, documents_step.STEPS, write_guard=_write_guard).register()
bank_step.register(bp, registration, write_guard=_write_guard)
directory.register(bp)


@bp.route("/")
@policy("expert")
def index():
    application = applications.registration(current_user, "expert")
    current = applications.open_application(current_user, "expert")
    change = applications.latest(current_user, "expert")
    change = change if change is not None and change.change_of_id is not None else None
    draft = registration._draft()
    done, total = EXPERT_REGISTRATION.progress(draft.answers)
    approved = application is not None and application.status == "approved"
    return render_template(
        "expert/mypage.html", user=current_user, application=application, draft=draft, done=done, total=total,
        status_labels=STATUS_LABELS, current=current,
        withdrawable=current is not None and current.status in WITHDRAWABLE,
        sections=registration.answer_sections(draft.answers, complete_only=True), change=change,
        registered_sections=registration.answer_sections(application.answers) if approved else [],
        honoraria=experts_service.honoraria(current_user), preset=presets.current(draft.answers),
        profile=experts_service.profile_of(current_user),
        rows=calendar_rows(clock.program_now()),
        affiliations=[(a, name, _affiliation_date(a)) for a, name in presets.invitations(current_user)],
        affiliation_labels=AFFILIATION_LABELS,
    )


#: An affiliation's status as the expert reads it (dxapp.models.supporter.AFFILIATION_STATUSES).
AFFILIATION_LABELS = {
    "requested": _l("Waiting for the corporation to confirm"),
    "invited": _l("Invited"),
    "confirmed": _l("Confirmed"),
    "declined": _l("Declined"),
    "ended": _l("Ended"),
}


def _affiliation_date(affiliation):
    """The date of the affiliation's current status."""
    return {"requested": affiliation.created_at, "invited": affiliation.invited_at or affiliation.created_at,
            "confirmed": affiliation.decided_at, "declined": affiliation.decided_at,
            "ended": affiliation.ended_at}.get(affiliation.status)


@bp.route("/invitations/<int:affiliation_id>/decline", methods=["POST"])
@policy("expert")
def decline_invitation(affiliation_id: int):
    """The expert declines a supporter corporation's invitation: kind and corporation are no longer preset
    and the expert answers those questions themselves."""
    try:
        version = int(request.form.get("version", ""))
    except ValueError:
        abort(400)
    try:
        experts_service.decline_invitation(current_user._get_current_object(), affiliation_id, version=version)
    except LookupError:
        abort(404)
    presets.forget()
    flash(_("You have declined the invitation. Choose how you take part in the registration yourself."), "success")
    return redirect(url_for("expert.index") + "#affiliations", 303)


@bp.route("/register/result")
@policy("expert")
def result():
    draft = registration._draft()
    decision = saved_decision(draft.answers)
    if decision["outcome"] != "ineligible":
        return redirect(url_for(registration.ep("tasks")), 303)
    return render_template("expert/result.html", panel=decision)


@bp.route("/register/sent/<reference>")
@policy("expert")
def submitted(reference: str):
    submission = db.session.query(Submission).filter_by(
        wizard=EXPERT_REGISTRATION.name, owner_key=_owner()[0], reference=reference).first()
    if submission is None:
        abort(404)
    application = applications.owned(current_user, submission.result_id)
    if application is None:
        abort(404)
    return render_template("expert/submitted.html", application=application, status_labels=STATUS_LABELS)


@bp.route("/applications/<int:application_id>/withdraw", methods=["GET", "POST"])
@policy("expert")
def withdraw(application_id: int):
    application = applications.owned(current_user, application_id)
    if application is None or application.kind != "expert":
        abort(404)
    if request.method == "POST":
        try:
            version = int(request.form.get("version", ""))
        except ValueError:
            abort(400)
        applications.withdraw(application, version=version, actor_id=current_user.id)  # Stale: the 409 page
        flash(_("The application has been withdrawn."), "success")
        return redirect(url_for("expert.index"), 303)
    if application.status not in WITHDRAWABLE:
        abort(409)
    return render_template("expert/withdraw.html", application=application, status_labels=STATUS_LABELS)


# ---------------------------------------------------------------------------- desk support code (issue 6)

@bp.route("/support-code", methods=["POST"])
@policy("expert")
def support_code():
    """A short code to read to the secretariat desk, so a clerk can open this draft (30 minutes, once)."""
    from flask import session

    from dxapp.services import desk

    row, code = desk.issue_code(current_user._get_current_object())
    session["support_code"] = {"id": row.id, "code": desk.format_code(code)}
    return redirect(url_for("expert.index") + "#support-code", 303)
