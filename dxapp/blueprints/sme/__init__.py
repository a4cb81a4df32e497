"""The `sme` blueprint: My Page and the registration wizard with live eligibility feedback."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from dxapp import clock
from dxapp.access import policy
from dxapp.blueprints.sme import plans as plan_pages
from dxapp.blueprints.sme import proposals as proposal_pages
from dxapp.blueprints.sme.contact_forms import ContactEditForm, ContactForm
from dxapp.procedures.calendar import calendar_rows
from dxapp.procedures.sme_registration import PROCEDURE
from dxapp.procedures.views import mount, my_page_context
from dxapp.services import contacts as contacts_service
from dxapp.services import proposals as proposals_service

bp = Blueprint("sme", __name__)
registration = mount(bp, PROCEDURE)
plan_pages.register(bp)
proposal_pages.register(bp)


@bp.route("/")
@policy("sme")
def index():
    context = my_page_context(PROCEDURE, registration, current_user._get_current_object())
    from dxapp.services import introductions

    return render_template("sme/mypage.html", **context, rows=calendar_rows(clock.program_now()),
                           carried_over=bool(context["draft"].answers.get("carried_over")),
                           proposal_cases=proposals_service.counts_by_case(current_user.organisation_id),
                           introduction_cases=introductions.support_cases_of(current_user))


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
    return render_template("sme/contacts.html", form=form, contacts=contacts_service.active(current_user.organisation_id)), status


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
    return render_template("sme/contact_edit.html", form=form, contact=contact), status


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

from dxapp.blueprints.sme import cases as _cases  # noqa: E402,F401  consultation cases (issue 12)
from dxapp.blueprints.sme import introductions as _introductions  # noqa: E402,F401  issue 12
from dxapp.blueprints.sme import packages as _packages  # noqa: E402,F401  issue 12
from dxapp.blueprints.sme import self_match as _self_match  # noqa: E402,F401  issue 12
