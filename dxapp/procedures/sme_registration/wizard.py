"""The SME registration wizard: declared steps (DOMAIN.md §6 step 1, issue "SME registration")."""

from __future__ import annotations

from functools import partial

from flask_babel import lazy_gettext as _l

from dxapp.procedures.address import address_panel, address_prefill
from dxapp.procedures.sme_registration import eligibility
from dxapp.procedures.sme_registration.documents import DOCUMENTS
from dxapp.procedures.sme_registration.forms import (
    AddressForm,
    BusinessDetailsForm,
    BusinessTypeForm,
    DeclarationForm,
    ExclusionsForm,
    SizeForm,
    SoleProprietorExclusionsForm,
)
from dxapp.wizard import ADDRESS_PANEL_FIELDS, Section, Step, Wizard

PANEL = "sme/_eligibility_panel.html"


def owner_key(user) -> str:
    """The SME's draft belongs to the organisation: every member (contact person) continues it."""
    return f"org:{user.organisation_id}"


def _panel(slug):
    return partial(eligibility.panel, slug=slug)


def _context(slug):
    return partial(eligibility.panel_context, slug=slug)


def _no_context(_answers) -> dict:
    return {}


def _sole_proprietor(answers) -> bool:
    return eligibility.legal_form_of(answers) == "sole_proprietor"


def _not_sole_proprietor(answers) -> bool:
    return not _sole_proprietor(answers)


SME_REGISTRATION = Wizard(
    name="sme_registration",
    title=_l("Register your business"),
    submit_label=_l("Send this application"),
    sections=(
        Section("business", _l("About the business")),
        Section("contact", _l("Address and contact")),
        Section("eligibility", _l("Size and eligibility")),
        Section("documents", _l("Documents")),
        Section("declaration", _l("Declaration")),
    ),
    steps=(
        Step("business-type", _l("Legal form and industry"), BusinessTypeForm, "business",
             panel=_panel("business-type"), panel_template=PANEL, panel_context=_context("business-type")),
        Step("business-details", _l("Name and representative"), BusinessDetailsForm, "business"),
        Step("address", _l("Address and contact details"), AddressForm, "contact", panel=address_panel,
             panel_template="sme/_address_panel.html", prefill=address_prefill,
             check_label=_l("Search for the address"), panel_after="postal_code", panel_context=_no_context,
             panel_fields=ADDRESS_PANEL_FIELDS),
        Step("size", _l("Capital and employees"), SizeForm, "eligibility", panel=_panel("size"),
             panel_template=PANEL, panel_context=_context("size")),
        Step("exclusions", _l("Ownership by large companies"), ExclusionsForm, "eligibility",
             panel=_panel("exclusions"), panel_template=PANEL, panel_context=_context("exclusions"),
             applicant_fields=("no_antisocial_ties",), show_if=_not_sole_proprietor),
        # A sole proprietor has no shares and no officers: only the taxable income and the declaration.
        Step("taxable-income", _l("Taxable income and declaration"), SoleProprietorExclusionsForm, "eligibility",
             panel=_panel("taxable-income"), panel_template=PANEL, panel_context=_context("taxable-income"),
             applicant_fields=("no_antisocial_ties",), show_if=_sole_proprietor),
        DOCUMENTS.wizard_step(_l("Confirmation documents"), "documents"),
        Step("declaration", _l("Terms of use and declaration"), DeclarationForm, "declaration",
             applicant_only=True),
    ),
)
