"""The `sme` blueprint: My Page and the registration wizard with live eligibility feedback."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from dxapp import clock
from dxapp.access import policy
from dxapp.blueprints.public import calendar_rows
from dxapp.blueprints.sme.contact_forms import ContactEditForm, ContactForm
from dxapp.extensions import db
from dxapp.labels import STATUS_LABELS
from dxapp.models import Submission
from dxapp.procedures.sme_registration import eligibility
from dxapp.procedures.sme_registration.documents import DOCUMENTS
from dxapp.procedures.sme_registration.wizard import SME_REGISTRATION, owner_key
from dxapp.rules import calendar
from dxapp.rules.application import WITHDRAWABLE
from dxapp.services import applications
from dxapp.services import contacts as contacts_service
from dxapp.wizard.documents import DocumentRoutes
from dxapp.wizard.views import WizardRoutes

bp = Blueprint("sme", __name__)


def _owner():
    return owner_key(current_user), current_user.id


def _write_guard(user=None):
    """One open application at a time; new registrations only inside the window (drafts stay
    readable by GET either way).  ``user``: the applicant a desk clerk acts for (default: the user)."""
    user = user or current_user
    current = applications.open_application(user, "sme")
    if current is not None and current.status == "returned":
        return None  # a returned application may be corrected and resubmitted, even after the window
    if current is not None:
        return render_template("sme/already_applied.html", application=current, status_labels=STATUS_LABELS), 409
    registered = applications.registration(user, "sme")
    if registered is not None and registered.status == "approved":
        return None  # a change request of an approved registration is not a new registration
    now = clock.program_now()
    if calendar.is_open("registration", now):
        return None
    window = calendar.window("registration")
    return render_template("sme/closed.html", window=window, last_day=calendar.last_day(window),
                           before=now < window.opens_at), 403


def _after_save(slug, answers):
    if slug in eligibility.STEPS_WITH_FACTS and eligibility.is_ineligible(answers):
        return url_for("sme.result")
    return None


def _blocker(answers):
    if eligibility.is_ineligible(answers):
        return url_for("sme.result")
    return documents_routes.blocker(answers)


def _initial_answers(user=None):
    """A returned application comes back as the draft, with the flagged steps to re-enter."""
    user = user or current_user
    current = applications.open_application(user, "sme")
    if current is not None and current.status == "returned":
        return {"steps": current.answers.get("steps", {}), "flags": current.flags or {}}
    registered = applications.registration(user, "sme")
    if current is None and registered is not None and registered.status == "approved":
        return {"steps": registered.answers.get("steps", {})}  # a change starts from the details in force
    return None


def _submit(draft):
    decision = eligibility.saved_decision(draft.answers)
    if decision["outcome"] != "eligible":
        raise ValueError("not eligible")
    application = applications.submit(user=current_user, kind="sme", answers=draft.answers, decision=decision,
                                      organisation_id=current_user.organisation_id)
    organisation = current_user.organisation
    name = SME_REGISTRATION.data(draft.answers, "business-details").get("name")
    if organisation is not None and name:
        organisation.name = name
    return "application", application.id


registration = WizardRoutes(
    bp=bp, wizard=SME_REGISTRATION, rule=("sme",), owner=_owner, on_submit=_submit,
    done_endpoint="sme.submitted", reference_prefix="R", prefix="/register",
    actor=lambda: current_user.id, write_guard=_write_guard, after_save=_after_save,
    blocker=_blocker, initial_answers=_initial_answers,
).register()
documents_routes = DocumentRoutes(bp, registration, (DOCUMENTS,), write_guard=_write_guard).register()


@bp.route("/")
@policy("sme")
def index():
    application = applications.registration(current_user, "sme")
    current = applications.open_application(current_user, "sme")
    change = applications.latest(current_user, "sme")
    change = change if change is not None and change.change_of_id is not None else None
    draft = registration._draft()
    done, total = SME_REGISTRATION.progress(draft.answers)
    return render_template(
        "sme/mypage.html", user=current_user, application=application, draft=draft, done=done, total=total,
        status_labels=STATUS_LABELS, current=current,
        withdrawable=current is not None and current.status in WITHDRAWABLE,
        sections=registration.answer_sections(draft.answers, complete_only=True), change=change,
        registered_sections=registration.answer_sections(application.answers) if application is not None and
        application.status == "approved" else [],
        carried_over=bool(draft.answers.get("carried_over")),
        rows=calendar_rows(clock.program_now()),
    )


@bp.route("/register/result")
@policy("sme")
def result():
    draft = registration._draft()
    decision = eligibility.saved_decision(draft.answers)
    if decision["outcome"] != "ineligible":
        return redirect(url_for(registration.ep("tasks")), 303)
    return render_template("sme/result.html", panel=decision)


@bp.route("/register/sent/<reference>")
@policy("sme")
def submitted(reference: str):
    submission = db.session.query(Submission).filter_by(
        wizard=SME_REGISTRATION.name, owner_key=_owner()[0], reference=reference).first()
    if submission is None:
        abort(404)
    application = applications.owned(current_user, submission.result_id)
    if application is None:
        abort(404)
    return render_template("sme/submitted.html", application=application, status_labels=STATUS_LABELS)


@bp.route("/applications/<int:application_id>/withdraw", methods=["GET", "POST"])
@policy("sme")
def withdraw(application_id: int):
    application = applications.owned(current_user, application_id)
    if application is None:
        abort(404)
    if request.method == "POST":
        try:
            version = int(request.form.get("version", ""))
        except ValueError:
            abort(400)
        applications.withdraw(application, version=version, actor_id=current_user.id)  # Stale: the 409 page
        flash(_("The application has been withdrawn."), "success")
        return redirect(url_for("sme.index"), 303)
    if application.status not in WITHDRAWABLE:
        abort(409)
    return render_template("sme/withdraw.html", application=application, status_labels=STATUS_LABELS)


# ---------------------------------------------------------------------------- contact persons

@bp.route("/contacts", methods=["GET", "POST"])
@policy("sme")
def contacts():
    form = ContactForm()
    if request.method == "POST" and form.validate():
        try:
            contacts_service.add(actor=current_user._get_current_object(), name=form.name.data,
                                 department=form.department.data, email=form.email.data, phone=form.phone.data)
        except contacts_service.ContactError as exc:
            form.email.errors.append(str(exc))
        else:
            flash(_("The contact person has been added and invited by e-mail."), "success")
            return redirect(url_for("sme.contacts"), 303)
    status = 422 if form.errors else 200
    return render_template("sme/contacts.html", form=form, contacts=contacts_service.active(current_user.organisation_id),
                           has_errors=bool(form.errors)), status


@bp.route("/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@policy("sme")
def contact_edit(contact_id: int):
    contact = contacts_service.owned(current_user.organisation_id, contact_id)
    if contact is None:
        abort(404)
    form = ContactEditForm(data={"name": contact.name, "department": contact.department, "phone": contact.phone}
                           if request.method == "GET" else None)
    if request.method == "POST" and form.validate():
        contacts_service.update(contact, actor=current_user._get_current_object(), name=form.name.data,
                                department=form.department.data, phone=form.phone.data)
        flash(_("The contact person has been updated."), "success")
        return redirect(url_for("sme.contacts"), 303)
    status = 422 if form.errors else 200
    return render_template("sme/contact_edit.html", form=form, contact=contact, has_errors=bool(form.errors)), status


@bp.route("/contacts/<int:contact_id>/remove", methods=["POST"])
@policy("sme")
def contact_remove(contact_id: int):
    contact = contacts_service.owned(current_user.organisation_id, contact_id)
    if contact is None:
        abort(404)
    try:
        contacts_service.remove(contact, actor=current_user._get_current_object())
    except contacts_service.ContactError as exc:
        flash(str(exc), "info")
    else:
        flash(_("The contact person has been removed."), "success")
    return redirect(url_for("sme.contacts"), 303)


# ---------------------------------------------------------------------------- desk support code (issue 6)

@bp.route("/support-code", methods=["POST"])
@policy("sme")
def support_code():
    """A short code to read to the secretariat desk, so a clerk can open this draft (30 minutes, once)."""
    from flask import session

    from dxapp.services import desk

    row, code = desk.issue_code(current_user._get_current_object())
    session["support_code"] = {"id": row.id, "code": desk.format_code(code)}
    return redirect(url_for("sme.index") + "#support-code", 303)
