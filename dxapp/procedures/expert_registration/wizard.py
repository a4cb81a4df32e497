"""The IT expert registration wizard: declared steps (issue 5, steps 1-7; DOMAIN.md §6 step 1), and the
live panels (who may take part, from dxapp.rules.expert; the honorarium per hour, from
dxapp.rules.subsidy).  Nothing here is saved."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l

from dxapp import clock
from dxapp.procedures.address import address_panel, address_prefill
from dxapp.procedures.expert_registration import presets
from dxapp.procedures.expert_registration.bank_step import bank_panel
from dxapp.procedures.expert_registration.documents import CERTIFICATES, IDENTITY_DOCUMENTS
from dxapp.procedures.expert_registration.forms import (
    BankForm,
    DeclarationForm,
    IdentityForm,
    ParticipationForm,
    PersonForm,
    ProfileForm,
    QualificationsForm,
    step_data,
)
from dxapp.procedures.expert_registration.keys import NAME
from dxapp.rules import expert, normalize, subsidy
from dxapp.wizard import ADDRESS_PANEL_FIELDS, Section, Step, Wizard

INDIVIDUAL = ("freelance", "side_job")


# ------------------------------------------------------------------------------------ eligibility

def _facts(answers: Mapping, values: Mapping | None = None) -> tuple[expert.ExpertFacts | None, bool]:
    """(facts, qualifications known) from the saved answers, with ``values`` (step 1 being typed)
    taking the place of the saved participation."""
    saved = step_data(answers, "participation")
    preset = presets.current(answers)
    typed = dict(values or saved)
    if preset:
        typed.update(participation=preset["participation"],
                     supporter_organisation_id=preset["supporter_organisation_id"])
    kind = typed.get("participation") or None
    if kind not in expert.KINDS:
        return None, False
    steps = answers.get("steps") or {}
    known = "qualifications" in steps
    held = [c for c in step_data(answers, "qualifications").get("qualifications") or [] if c in expert.QUALIFICATIONS]
    facts = expert.ExpertFacts(
        kind=kind, employer_permission=typed.get("employer_permission") == "yes", qualifications=frozenset(held),
        supporter_certified=kind == "supporter_member" and presets.is_registered(typed.get("supporter_organisation_id")))
    return facts, known


def decide(answers: Mapping, values: Mapping | None = None) -> dict:
    """The panel's content: outcome eligible | ineligible | pending (only the qualifications are still to
    come) | unknown (no kind chosen yet), with the rules' reasons."""
    facts, known = _facts(answers, values)
    if facts is None:
        return {"outcome": "unknown", "reasons": []}
    decision = expert.assess(facts, clock.program_now())
    reasons = [r.as_dict() for r in decision.reasons]
    outcome = "eligible" if decision.eligible else "ineligible"
    if not decision.eligible and not known and decision.codes == ("qualification_missing",):
        outcome = "pending"  # step 4 asks for the qualifications
    if facts.kind == "supporter_member" and facts.supporter_certified:
        reasons.append({"code": "confirmation", "citation": expert.CITE_SCOPE,
                        "message": "所属先の法人が、あなたの所属を確認します。確認されるまでは所属は有効になりません。"})
    return {"outcome": outcome, "reasons": reasons, "kind": facts.kind}


def participation_panel(values: Mapping, answers: Mapping) -> dict:
    return decide(answers, {k: v for k, v in values.items() if isinstance(v, str)})


def saved_decision(answers: Mapping) -> dict:
    return decide(answers)


def is_ineligible(answers: Mapping) -> bool:
    return saved_decision(answers)["outcome"] == "ineligible"


def rate_panel(values: Mapping, _answers: Mapping) -> dict:
    """Honorarium and the SME's share per hour for the rate typed (dxapp.rules.subsidy.quote)."""
    text = (values.get("hourly_rate") or "").strip()
    if not text:
        return {"state": "empty"}
    try:
        rate = normalize.parse_yen(text)
        quote = subsidy.quote(rate, 1, at=clock.program_now())
    except ValueError as exc:
        return {"state": "invalid", "message": str(exc)}
    return {"state": "quoted", "rate": rate, "honorarium": quote.subsidy_per_hour, "sme_share": quote.sme_burden_per_hour,
            "reasons": [r.as_dict() for r in quote.reasons]}


# ------------------------------------------------------------------------------------ the wizard

def _is_side_job(answers) -> bool:
    return step_data(answers, "participation").get("participation") == "side_job"


def _has_qualifications(answers) -> bool:
    return bool(step_data(answers, "qualifications").get("qualifications"))


EXPERT_REGISTRATION = Wizard(
    name=NAME,
    title=_l("Register as an IT expert"),
    submit_label=_l("Send this application"),
    sections=(
        Section("participation", _l("How you take part")),
        Section("person", _l("About you")),
        Section("identity", _l("Identity")),
        Section("qualifications", _l("Qualifications")),
        Section("profile", _l("Profile for matching")),
        Section("bank", _l("Bank account")),
        Section("declaration", _l("Declaration")),
    ),
    steps=(
        Step("participation", _l("How you take part"), ParticipationForm, "participation",
             template="expert/participation.html", panel=participation_panel,
             context=lambda answers: {"preset_of_user": presets.current(answers), "kinds": expert.KINDS,
                                      "preset_ended": isinstance(answers.get("_preset"), dict)
                                      and presets.current(answers) is None},
             panel_template="expert/_participation_panel.html"),
        Step("person", _l("Your name, date of birth and address"), PersonForm, "person", panel=address_panel,
             panel_template="sme/_address_panel.html", prefill=address_prefill,
             check_label=_l("Search for the address"), panel_after="postal_code",
             panel_fields=ADDRESS_PANEL_FIELDS),
        Step("identity", _l("Identity document"), IdentityForm, "identity"),
        IDENTITY_DOCUMENTS.wizard_step(_l("Identity document, face photo and permission"), "identity"),
        Step("qualifications", _l("Qualifications"), QualificationsForm, "qualifications",
             template="expert/qualifications.html"),
        CERTIFICATES.wizard_step(_l("Certificates of your qualifications"), "qualifications",
                                 show_if=_has_qualifications),
        Step("profile", _l("Profile for matching"), ProfileForm, "profile", panel=rate_panel,
             panel_template="expert/_rate_panel.html", panel_after="hourly_rate",
             check_label=_l("Show the honorarium for this rate")),
        Step("bank", _l("Bank account for the honorarium"), BankForm, "bank", template="expert/bank.html",
             panel=bank_panel, panel_template="expert/_bank_panel.html", check_label=_l("Search")),
        Step("declaration", _l("Terms of use and declaration"), DeclarationForm, "declaration",
             applicant_only=True),  # desk-assisted entry: only the applicant declares (issue 6)
    ),
)
