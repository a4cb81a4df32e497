"""The SME-supporter corporation's registration (issue #5, "SME-supporter corporation"): the wizard, its
certificate step, and what sending the application does."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from dxapp.procedures.spec import Procedure, ReviewSpec, Wording, carried_answers
from dxapp.procedures.supporter_registration import certificate
from dxapp.procedures.supporter_registration.wizard import SUPPORTER_REGISTRATION, owner_key
from dxapp.services import applications

KIND = "supporter"


def initial_answers(user) -> dict | None:
    return carried_answers(user, KIND)


def submit(draft, user) -> tuple[str, int]:
    application = applications.submit(user=user, kind=KIND, answers=draft.answers,
                                      decision={"outcome": "submitted"}, organisation_id=user.organisation_id)
    # The corporation's name changes when the registration (or change request) is approved:
    # supporters.apply_name, an applications.on_status hook.
    return "application", application.id


PROCEDURE = Procedure(
    kind=KIND, role="supporter_admin", wizard=SUPPORTER_REGISTRATION, owner_key=owner_key, reference_prefix="G",
    submit=submit, initial_answers=initial_answers, documents=(certificate.CERTIFICATION,), withdrawable=False,
    review=ReviewSpec(queue_title=_l("Supporter corporation registrations"), kind_label=_l("Supporter corporation"),
                      queue_path="supporters"),
    wording=Wording(
        submitted_review=_l("The secretariat checks your answers and the certificate. If something needs "
                            "correcting, the application is returned and My Page shows what to change."),
        submitted_afterwards=_l("Meanwhile you can prepare the CSV file of your experts and check it. You can "
                                "invite them once your corporation is approved."),
        submitted_links=(("supporter_org.roster_import", _l("Check the CSV file of your experts")),),
    ),
)
