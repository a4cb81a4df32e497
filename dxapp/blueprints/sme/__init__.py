"""The `sme` blueprint: My Page and the registration wizard with live eligibility feedback."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from dxapp import clock
from dxapp.access import policy
from dxapp.blueprints.sme import messages as _messages
from dxapp.blueprints.sme import plans as plan_pages
from dxapp.blueprints.sme import proposals as proposal_pages
from dxapp.blueprints.sme.contact_forms import ContactEditForm, ContactForm
from dxapp.extensions import limiter
from dxapp.procedures.calendar import calendar_rows
from dxapp.procedures.sme_registration import PROCEDURE
from dxapp.procedures.views import mount, my_page_context
from dxapp.services import contacts as contacts_service
from dxapp.services import proposals as proposals_service

bp = Blueprint("sme", __name__)
registration = mount(bp, PROCEDURE)
plan_pages.register(bp)
proposal_pages.register(bp)
_messages.register(bp)


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

def _client_key() -> str:
    return f"ip:{request.remote_addr or 'unknown'}"


def _sent(response) -> bool:
    """Only a POST that got through (and so sent a mail) counts against the limits."""
    return response.status_code == 303


#: Adding contacts sends mails from the official sender: limited per account and per client (issue 11
#: item 25); the config may lower them.
CONTACT_LIMIT_PER_ACCOUNT, CONTACT_LIMIT_PER_CLIENT = "10 per hour", "20 per hour"


@bp.route("/contacts", methods=["GET", "POST"])
@policy("sme")
@limiter.limit(lambda: current_app.config.get("CONTACT_LIMIT_PER_ACCOUNT", CONTACT_LIMIT_PER_ACCOUNT),
               methods=["POST"], deduct_when=_sent)
@limiter.limit(lambda: current_app.config.get("CONTACT_LIMIT_PER_CLIENT", CONTACT_LIMIT_PER_CLIENT),
               key_func=_client_key, methods=["POST"], deduct_when=_sent)
def contacts():
    form = ContactForm()
    if request.method == "POST" and form.validate():
        # The same answer for every valid address, whether it has an account or not (the owner of one
        # that has is told by e-mail): the form never says who has an account.
        contacts_service.add(actor=current_user._get_current_object(), name=form.name.data,
                             department=form.department.data, email=form.email.data, phone=form.phone.data)
        flash(_("We have sent an invitation to %(email)s. If the address can be used for a contact person, "
                "they can set a password from the e-mail and then act for the business.", email=form.email.data),
              "success")
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
