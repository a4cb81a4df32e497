"""The IT expert registration (issue 5; DOMAIN.md §6 step 1): the wizard with live feedback, its
documents and bank steps, invitations of supporter corporations (presets), and what sending does."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from dxapp import clock
from dxapp.procedures.expert_registration import bank_step, documents, presets
from dxapp.procedures.expert_registration.forms import step_data
from dxapp.procedures.expert_registration.keys import owner_key
from dxapp.procedures.expert_registration.wizard import EXPERT_REGISTRATION, is_ineligible, saved_decision
from dxapp.procedures.spec import RESULT, DeskSpec, Procedure, ReviewSpec, Wording, carried_answers
from dxapp.services import affiliations, applications

KIND = "expert"


def stops_after(slug: str, answers) -> bool:
    return slug in ("participation", "qualifications") and is_ineligible(answers)


def blocker(answers) -> str | None:
    if is_ineligible(answers):
        return RESULT
    if step_data(answers, "bank").get("payee") == "corporation" and not presets.bank_optional(answers):
        # the invitation has ended or was declined: the honorarium can no longer go to the corporation
        return "bank"
    return None


def initial_answers(user) -> dict:
    """A returned application comes back with the flagged steps to re-enter; a change starts from the
    details in force; a new registration starts with the name and e-mail of the account."""
    carried = carried_answers(user, KIND)
    if carried is not None:
        return carried
    return {"partial": {"person": {"name": [user.name], "email": [user.email]}}}


def submit(draft, user) -> tuple[str, int]:
    decision = saved_decision(draft.answers)
    if decision["outcome"] != "eligible":
        raise ValueError("not eligible")
    decision = {**decision, "assessed_at": clock.program_now().isoformat()}
    preset = presets.current(draft.answers, user)
    answers = {k: v for k, v in draft.answers.items() if k != "_preset"}  # an ended invitation's preset goes
    if preset:
        answers["_preset"] = preset
    application = applications.submit(user=user, kind=KIND, answers=answers, decision=decision,
                                      organisation_id=None)
    participation = EXPERT_REGISTRATION.data(answers, "participation")
    if participation.get("participation") == "supporter_member" and participation.get("supporter_organisation_id"):
        affiliations.request(user, participation["supporter_organisation_id"], actor=user.id)
    return "application", application.id


PROCEDURE = Procedure(
    kind=KIND, role="expert", wizard=EXPERT_REGISTRATION, owner_key=owner_key, reference_prefix="X",
    submit=submit, initial_answers=initial_answers, decision=saved_decision, stops_after=stops_after,
    blocker=blocker, documents=documents.STEPS, step_routes=(bank_step,),
    # Uploads and the bank account (where the honorarium is paid) are entered by the expert themselves.
    desk=DeskSpec(path="expert", endpoint="desk_expert", role_label=_l("An IT expert"),
                  read_only_steps=("identity-documents", "certificates", "bank")),
    review=ReviewSpec(queue_title=_l("IT expert registrations"), kind_label=_l("IT expert"), queue_path="experts",
                      hidden_steps=("identity-documents", "certificates")),
    wording=Wording(
        submitted_review=_l("The secretariat checks your answers, identity document and certificates. If "
                            "something needs correcting, the application is returned and My Page shows what to "
                            "change."),
        submitted_afterwards=_l("You will get an e-mail when the review is finished. Then SMEs can find you and "
                                "you can propose support plans."),
        result_title=_l("You cannot register as an IT expert as things stand"),
        result_back=(_l("If something above can change (a permission, a qualification), change your answer once "
                        "it has:"), _l("go back to your answers")),
        result_advice=(_l("Ask the secretariat on the help line below if you are unsure."),),
    ),
)
