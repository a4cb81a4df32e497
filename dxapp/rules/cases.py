"""Consultation cases (相談案件) posted by SMEs: statuses, the case reference, the proposal deadline
and the budget hint (MONEY.md §1; DOMAIN.md §6 step 2; issue 12 "Consultation cases").

Pure: the instant is always an argument (program time, from dxapp.clock in the caller).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType

from dxapp.rules import JST, Decision, Reason, references, require_aware, subsidy
from dxapp.rules import calendar as calendars

__all__ = [
    "KINDS",
    "MODES",
    "REFERENCE_PREFIX",
    "STATUSES",
    "TRANSITIONS",
    "BudgetHint",
    "budget_hint",
    "deadline_problems",
    "effective_status",
    "format_reference",
    "is_reference",
    "may_move",
]

CITE_STATUSES = "MONEY.md §1「相談案件: 下書き → 公開中 → 締切 → マッチング済み; 取下げ」"
CITE_DEADLINE = "issue 12「提案期限: a date, not in the past, not after the contract window closes」; seed 各種期間"

#: Every status a case row may hold, in the order of MONEY.md §1 (the model's CHECK uses exactly this).
STATUSES = ("draft", "published", "closed", "matched", "withdrawn")

#: Which status may follow which (MONEY.md §1).  ``closed`` is also *shown* for a published case whose
#: proposal deadline has passed (:func:`effective_status`), without a write.
TRANSITIONS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "draft": ("published", "withdrawn"),
    "published": ("closed", "matched", "withdrawn"),
    "closed": ("matched", "withdrawn"),
    "matched": (),
    "withdrawn": (),
})

#: Kinds of case (a field, not a status; MONEY.md §1).
KINDS = ("support_wanted", "proposals_wanted", "no_proposals")

#: Online, on site or either (the expert profile's ``both`` is spelled ``either`` for a case).
MODES = ("online", "onsite", "either")

#: The case reference: ``K`` + 8 digits (MONEY.md §1).
_REFERENCE = references.get("consultation")  # the one registry of prefixes (rules/references.py)
REFERENCE_PREFIX = _REFERENCE.letter
REFERENCE_DIGITS = _REFERENCE.digits


def format_reference(number: int) -> str:
    """``K`` + the number in 8 digits (MONEY.md §1): 1 -> ``K00000001``.  ``ValueError`` (Japanese) for a
    number that does not fit or is not a positive whole number."""
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number < 10 ** REFERENCE_DIGITS:
        raise ValueError(f"相談案件の番号は1から{10 ** REFERENCE_DIGITS - 1}までの整数です。")
    return _REFERENCE.format(number)


def is_reference(text: object) -> bool:
    """True for a well-formed case reference (``K`` + 8 digits, nothing else)."""
    return _REFERENCE.valid(text)


def may_move(current: str, target: str) -> bool:
    """Whether a case in ``current`` may go to ``target`` (MONEY.md §1).  Unknown statuses: ``ValueError``."""
    for status in (current, target):
        if status not in STATUSES:
            raise ValueError(f"相談案件の状態「{status}」は定められていません。")
    return target in TRANSITIONS[current]


def effective_status(status: str, deadline: date, at: datetime) -> str:
    """The status people see at the aware instant ``at``: a published case whose proposal deadline (a JST
    day, included) has passed shows 締切 (``closed``) and takes no new proposals (issue 12, program time);
    every other status is shown as stored."""
    if status not in STATUSES:
        raise ValueError(f"相談案件の状態「{status}」は定められていません。")
    today = require_aware(at, "判定の基準日時").astimezone(JST).date()
    if status == "published" and deadline < today:
        return "closed"
    return status


@dataclass(frozen=True, kw_only=True)
class DeadlineDecision(Decision):
    ok: bool


def deadline_problems(deadline: date, at: datetime,
                      calendar: Mapping[str, calendars.Window] = calendars.PHASE2) -> DeadlineDecision:
    """The proposal deadline (提案期限) must be today or later (JST, at ``at``) and no later than the last
    day of the contract window (支援計画に関する契約締結の期限, seed 各種期間: 2021-11-30), since a
    proposal accepted after it could no longer become a contract."""
    if not isinstance(deadline, date) or isinstance(deadline, datetime):
        raise ValueError("提案期限を日付で指定してください。")
    today = require_aware(at, "判定の基準日時").astimezone(JST).date()
    last = calendars.last_day(calendars.window("contract", calendar))
    reasons = []
    if deadline < today:
        reasons.append(Reason("deadline_past",
                              f"提案期限が過ぎた日付です。{calendars.format_jst_date(today)}以降の日付を入力してください。",
                              CITE_DEADLINE))
    if deadline > last:
        reasons.append(Reason("deadline_after_contract_window",
                              f"提案期限は契約締結の期限（{calendars.format_jst_date(last)}）までの日付にしてください。",
                              CITE_DEADLINE))
    return DeadlineDecision(ok=not reasons, reasons=tuple(reasons))


@dataclass(frozen=True)
class BudgetHint:
    cap_yen: int
    prior_yen: int

    @property
    def remaining_yen(self) -> int:
        return max(0, self.cap_yen - self.prior_yen)


def budget_hint(at: datetime, *, prior_yen: int = 0) -> BudgetHint:
    """The SME's remaining honorarium under the per-SME cap (subsidy.SME_CAP_YEN, 300,000 yen in Phase II),
    after ``prior_yen`` already used (0 until plans and claims exist)."""
    if isinstance(prior_yen, bool) or not isinstance(prior_yen, int) or prior_yen < 0:
        raise ValueError("これまでの謝金の額は0円以上の整数で指定してください。")
    return BudgetHint(cap_yen=subsidy.SME_CAP_YEN.as_of(require_aware(at, "判定の基準日時")), prior_yen=prior_yen)
