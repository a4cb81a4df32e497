"""The `supporter_org` blueprint (/supporter): the SME-supporter corporation's registration wizard, My
Page, its administrators, and its affiliated experts (one at a time or by CSV; see experts.py)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from dxapp import clock
from dxapp.access import policy
from dxapp.blueprints.public import calendar_rows
from dxapp.extensions import db, limiter
from dxapp.labels import STATUS_LABELS
from dxapp.models import Submission
from dxapp.procedures.supporter_registration.certificate import CERTIFICATION
from dxapp.procedures.supporter_registration.forms import AdminInviteForm
from dxapp.procedures.supporter_registration.wizard import SUPPORTER_REGISTRATION, owner_key
from dxapp.rules import calendar
from dxapp.services import affiliations, applications, supporters
from dxapp.wizard.documents import DocumentRoutes
from dxapp.wizard.views import WizardRoutes

bp = Blueprint("supporter_org", __name__)

KIND = "supporter"
#: Administrator invitations per account (the limiter keys authenticated requests on the user).
ADMIN_INVITE_LIMIT = "10 per hour"


def _owner():
    return owner_key(current_user), current_user.id


def _write_guard():
    """One open application at a time; new registrations only inside the registration window."""
    current = applications.open_application(current_user, KIND)
    if current is not None and current.status == "returned":
        return None
    if current is not None:
        return render_template("supporter_org/already_applied.html", application=current, status_labels=STATUS_LABELS), 409
    registered = applications.registration(current_user, KIND)
    if registered is not None and registered.status == "approved":
        return None
    now = clock.program_now()
    if calendar.is_open("registration", now):
        return None
    window = calendar.window("registration")
    return render_template("supporter_org/closed.html", window=window, last_day=calendar.last_day(window),
                           before=now < window.opens_at), 403


def _blocker(answers):
    return documents_routes.blocker(answers)


def _initial_answers():
    current = applications.open_application(current_user, KIND)
    if current is not None and current.status == "returned":
        return {"steps": current.answers.get("steps", {}), "flags": current.flags or {}}
    registered = applications.registration(current_user, KIND)
    if current is None and registered is not None and registered.status == "approved":
        return {"steps": registered.answers.get("steps", {})}
    return None


def _submit(draft):
    application = applications.submit(user=current_user, kind=KIND, answers=draft.answers,
                                      decision={"outcome": "submitted"},
                                      organisation_id=current_user.organisation_id)
    # The corporation's name changes when the registration (or change request) is approved:
    # supporters._apply_name, an applications.on_status hook.
    return "application", application.id


registration = WizardRoutes(
    bp=bp, wizard=SUPPORTER_REGISTRATION, rule=("supporter_admin",), owner=_owner, on_submit=_submit,
    done_endpoint="supporter_org.submitted", reference_prefix="S", prefix="/register",
    actor=lambda: current_user.id, write_guard=_write_guard, blocker=_blocker, initial_answers=_initial_answers,
).register()
documents_routes = DocumentRoutes(bp, registration, (CERTIFICATION,), write_guard=_write_guard).register()

from dxapp.blueprints.supporter_org import experts  # noqa: E402,F401  (routes of the expert roster)


@bp.route("/")
@policy("supporter_admin")
def index():
    application = applications.registration(current_user, KIND)
    current = applications.open_application(current_user, KIND)
    draft = registration._draft()
    done, total = SUPPORTER_REGISTRATION.progress(draft.answers)
    return render_template(
        "supporter_org/mypage.html", user=current_user, application=application, current=current, draft=draft,
        done=done, total=total, status_labels=STATUS_LABELS,
        registered_sections=registration.answer_sections(application.answers)
        if application is not None and application.status == "approved" else [],
        counts=affiliations.counts(current_user.organisation_id),
        rows=calendar_rows(clock.program_now()),
    )


@bp.route("/register/sent/<reference>")
@policy("supporter_admin")
def submitted(reference: str):
    submission = db.session.query(Submission).filter_by(
        wizard=SUPPORTER_REGISTRATION.name, owner_key=_owner()[0], reference=reference).first()
    if submission is None:
        abort(404)
    application = applications.owned(current_user, submission.result_id)
    if application is None:
        abort(404)
    return render_template("supporter_org/submitted.html", application=application)


@bp.route("/administrators", methods=["GET", "POST"])
@policy("supporter_admin")
@limiter.shared_limit(lambda: current_app.config.get("SUPPORTER_ADMIN_INVITE_LIMIT", ADMIN_INVITE_LIMIT),
                      scope="supporter-admin-invite", methods=["POST"])
def administrators():
    """The corporation's administrators; any administrator invites a further one (name and e-mail)."""
    form = AdminInviteForm()
    back = request.args.get("from") == "wizard"
    if request.method == "POST" and form.validate():
        try:
            supporters.invite_administrator(actor=current_user._get_current_object(), name=form.name.data,
                                            email=form.email.data)
        except supporters.SupporterError:
            form.email.errors.append(_("This person is already an administrator of your corporation."))
        else:
            flash(_("%(name)s has been invited by e-mail as an administrator.", name=form.name.data), "success")
            if back:
                return redirect(url_for(registration.ep("step"), slug="administrators"), 303)
            return redirect(url_for("supporter_org.administrators"), 303)
    status = 422 if form.errors else 200
    return render_template("supporter_org/admins.html", form=form,
                           admins=supporters.administrators(current_user.organisation_id), back=back,
                           has_errors=bool(form.errors)), status
