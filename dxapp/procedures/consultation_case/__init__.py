"""The consultation case (相談案件, issue 12): the SME's wizard, its start guard and what publishing
does.  A procedure that creates no application: drafting is open to every SME (also one whose
registration is not approved yet); publishing (services.cases.publish) needs the approved registration
and refuses with CaseRefused, which the SME's pages turn into the page that says why and what to do."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from dxapp.procedures.consultation_case.wizard import CONSULTATION_CASE, owner_key
from dxapp.procedures.spec import Procedure, Refusal, Wording, calendar_in_force
from dxapp.rules import JST
from dxapp.rules import calendar as calendars
from dxapp.services import cases
from dxapp.wizard import Answers

KIND = "consultation_case"


def fields_of(answers: Mapping) -> cases.CaseFields:
    """The case as the wizard's saved answers state it."""
    view = Answers(answers)
    mode = view.data("mode")
    hours = view.data("hours")
    return cases.CaseFields(
        title=view.data("theme")["title"], goals=view.data("goals")["goals"],
        situation=view.data("goals")["situation"], areas=tuple(view.data("areas")["areas"]),
        kind=view.data("kind")["kind"], half_hours=int(hours["half_hours"]), period_months=int(hours["period_months"]),
        mode=mode["mode"], prefecture=mode.get("prefecture") or None, place=mode.get("place") or None,
        deadline=date.fromisoformat(view.data("deadline")["deadline"]))


def submit(draft, user) -> tuple[str, int]:
    """Publish the case (runs inside the submit transaction; CaseRefused rolls it all back)."""
    case = cases.publish(user, fields_of(draft.answers), calendar=calendar_in_force())
    return "consultation_case", case.id


def guard(user, at: datetime, calendar: Mapping[str, calendars.Window]) -> Refusal | None:
    """A case can be drafted until the last day for contracts: after it no proposal deadline is allowed."""
    last = calendars.last_day(calendars.window("contract", calendar))
    if at.astimezone(JST).date() > last:
        return Refusal("cases_closed", {"last_day": last})
    return None


PROCEDURE = Procedure(
    kind=KIND, role="sme", wizard=CONSULTATION_CASE, owner_key=owner_key, reference_prefix="W", submit=submit,
    review=None, window=None, withdrawable=False, guard=guard,
    wording=Wording(
        submitted_review=_l("Approved IT experts can now find your case and read it. They do not see your name, "
                            "address, phone number or e-mail address before a match."),
        submitted_afterwards=_l("You can change the case, close it to proposals early or withdraw it from its page "
                                "at any time before a match."),
    ),
)
