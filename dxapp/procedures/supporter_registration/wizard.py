"""The SME-supporter corporation's registration wizard (issue #5, "SME-supporter corporation")."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import current_user

from dxapp.procedures.address import address_panel, address_prefill
from dxapp.procedures.supporter_registration.certificate import CERTIFICATION
from dxapp.procedures.supporter_registration.forms import (
    AdminInviteForm,
    AdministratorsForm,
    BankForm,
    CorporationForm,
    SupporterDeclarationForm,
)
from dxapp.services import supporters
from dxapp.wizard import ADDRESS_PANEL_FIELDS, Section, Step, Wizard

NAME = "supporter_registration"


def owner_key(user) -> str:
    """The draft belongs to the corporation: every administrator continues it."""
    return f"org:{user.organisation_id}"


def _administrators_context(_answers) -> dict:
    return {"administrators": supporters.administrators(current_user.organisation_id),
            "invite_form": AdminInviteForm(formdata=None)}


SUPPORTER_REGISTRATION = Wizard(
    name=NAME,
    title=_l("Register your SME-supporter corporation"),
    submit_label=_l("Send this application"),
    sections=(
        Section("corporation", _l("About the corporation")),
        Section("certification", _l("Certification")),
        Section("administrators", _l("Administrators")),
        Section("bank", _l("Bank account")),
        Section("declaration", _l("Declaration")),
    ),
    steps=(
        Step("corporation", _l("Corporation and address"), CorporationForm, "corporation", panel=address_panel,
             panel_template="sme/_address_panel.html", prefill=address_prefill,
             check_label=_l("Search for the address"), panel_after="postal_code",
             panel_fields=ADDRESS_PANEL_FIELDS),
        CERTIFICATION.wizard_step(_l("Certification as a certified IT support organisation"), "certification"),
        Step("administrators", _l("Administrators of the corporation"), AdministratorsForm, "administrators",
             template="supporter_org/administrators.html", context=_administrators_context),
        Step("bank", _l("Bank account for the honoraria"), BankForm, "bank"),
        Step("declaration", _l("Terms of use and declaration"), SupporterDeclarationForm, "declaration"),
    ),
)
