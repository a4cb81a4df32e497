"""The budget hint of a case (issue 12): the SME's remaining honorarium under the 300,000 yen cap
(rules.cases.budget_hint, with what already counts against the cap from services/budget), and whether
the program budget still takes new contracts (services/budget standing).  Shown, never typed."""

from __future__ import annotations

from dataclasses import dataclass

from flask_login import current_user

from dxapp import clock
from dxapp.rules import cases as rules
from dxapp.services import budget as budget_service


@dataclass(frozen=True)
class Hint:
    cap_yen: int
    remaining_yen: int
    intake_open: bool


def for_user(user) -> Hint:
    """The hint for ``user``'s SME at program time now (reads only: no usage row is created)."""
    used = budget_service.used_yen("sme", user.id) if user is not None else 0
    hint = rules.budget_hint(clock.program_now(), prior_yen=used)
    program = budget_service.program()
    intake = budget_service.standing().intake_open if program is not None else True
    return Hint(cap_yen=hint.cap_yen, remaining_yen=hint.remaining_yen, intake_open=intake)


def current() -> Hint:
    """The hint for the logged-in user (the wizard's budget step)."""
    user = current_user._get_current_object() if getattr(current_user, "is_authenticated", False) else None
    return for_user(user)
