"""The SME registration (DOMAIN.md §6 step 1): the wizard with live eligibility feedback, its documents
step, and what sending the application does."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from dxapp.procedures.sme_registration import documents, eligibility
from dxapp.procedures.sme_registration.wizard import SME_REGISTRATION, owner_key
from dxapp.procedures.spec import RESULT, DeskSpec, Procedure, ReviewSpec, Wording, carried_answers
from dxapp.services import applications

KIND = "sme"


def stops_after(slug: str, answers) -> bool:
    """After a step with eligibility facts: these answers are not eligible."""
    return slug in eligibility.STEPS_WITH_FACTS and eligibility.is_ineligible(answers)


def blocker(answers) -> str | None:
    return RESULT if eligibility.is_ineligible(answers) else None


def submit(draft, user) -> tuple[str, int]:
    decision = eligibility.saved_decision(draft.answers)
    if decision["outcome"] != "eligible":
        raise ValueError("not eligible")
    application = applications.submit(user=user, kind=KIND, answers=draft.answers, decision=decision,
                                      organisation_id=user.organisation_id)
    organisation = user.organisation
    name = SME_REGISTRATION.data(draft.answers, "business-details").get("name")
    if organisation is not None and name:
        organisation.name = name
    return "application", application.id


def initial_answers(user) -> dict | None:
    """A returned application comes back as the draft, with the flagged steps to re-enter; a change
    starts from the details in force."""
    return carried_answers(user, KIND)


PROCEDURE = Procedure(
    kind=KIND, role="sme", wizard=SME_REGISTRATION, owner_key=owner_key, reference_prefix="R",
    submit=submit, initial_answers=initial_answers, decision=eligibility.saved_decision,
    stops_after=stops_after, blocker=blocker, documents=(documents.DOCUMENTS,),
    desk=DeskSpec(path="sme", endpoint="desk_sme", role_label=_l("A small or medium business"),
                  read_only_steps=("documents",)),
    review=ReviewSpec(queue_title=_l("SME registrations"), kind_label=_l("SME"), queue_path="sme",
                      hidden_steps=("documents",)),
    wording=Wording(
        submitted_review=_l("The secretariat checks your answers and documents. If something needs correcting, "
                            "the application is returned and My Page shows what to change."),
        submitted_afterwards=_l("You will get an e-mail when the review is finished. Then you can look for an IT "
                                "expert."),
        result_title=_l("This business is not eligible"),
        result_lead=_l("From your answers, the business cannot use the SME Digitalization Support Corps, for "
                       "these reasons:"),
        result_back=(_l("If an answer was wrong, change it: your answers are saved."),
                     _l("Go back to your answers")),
        result_advice=(_l("Ask your local chamber of commerce or the Yorozu Support Center about other support "
                          "for digitalisation."),
                       _l("If you are unsure, call the secretariat help line.")),
    ),
)
