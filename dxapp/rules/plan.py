"""Support plans (支援計画) and their contracts: statuses, the period rule, the reservation and the plan
id (issue 13; MONEY.md §1 and §3; DOMAIN.md §6).

Pure: dates and instants are arguments; money is int yen; hours are half-hour integers here
(``half_hours``), turned into hours only for :func:`dxapp.rules.subsidy.quote`.
"""

from __future__ import annotations

import calendar as _months
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType

from dxapp.rules import Decision, Reason, references, subsidy
from dxapp.rules import calendar as calendars

__all__ = [
    "MAX_MONTHS",
    "SCOPE_WORDS",
    "STATUSES",
    "TRANSITIONS",
    "PeriodDecision",
    "check_period",
    "hours_of",
    "latest_end",
    "may_move",
    "new_plan_id",
    "plan_reservation",
    "scope_flags",
]

CITE_STATUSES = ("MONEY.md §1「支援計画: 下書き → SME確認中 → (SME差戻し → 下書き) → 事務局審査待ち → 審査中 → 差戻し / 承認 → "
                 "締結待ち → 支援中 → 支援完了 / 中止」")
CITE_PERIOD = "MONEY.md §3「A plan lasts at most 6 months (published) and ends by the support deadline」; 民法143条"
CITE_SCOPE = "seed「準委任契約によるコンサルティング」; issue 13「production of content, web pages or designs is not covered」"

#: Every status a plan row may hold (the model's CHECK uses exactly this tuple).  ``sme_returned`` is
#: the SME's return (SME差戻し), ``returned`` the secretariat's (差戻し); ``rejected`` (不承認) is an
#: administrator's final refusal; ``concluding`` is 締結待ち (one party concluded).
STATUSES = ("draft", "sme_review", "sme_returned", "submitted", "under_review", "returned", "approved",
            "concluding", "running", "completed", "cancelled", "rejected")

TRANSITIONS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "draft": ("sme_review", "cancelled"),
    "sme_review": ("submitted", "sme_returned", "draft"),
    "sme_returned": ("sme_review", "cancelled"),
    "submitted": ("under_review",),
    "under_review": ("returned", "approved", "rejected", "submitted"),
    "returned": ("sme_review", "cancelled"),
    "approved": ("concluding", "running", "cancelled"),
    "concluding": ("running", "cancelled"),
    "running": ("completed", "cancelled"),
    "completed": (),
    "cancelled": (),
    "rejected": (),
})

#: The statuses in which the plan's honorarium is reserved against the budget and both caps.
RESERVED = ("running",)

#: The longest plan (published: 最長6か月).
MAX_MONTHS = 6

_PLAN = references.get("support_plan")


def may_move(current: str, to: str) -> bool:
    return to in TRANSITIONS.get(current, ())


def new_plan_id(n: int) -> str:
    """``S`` + the number zero-padded to 11 digits (published: 支援計画ID S***********)."""
    return _PLAN.format(n)


def _add_months(start: date, months: int) -> tuple[int, int]:
    month0 = start.month - 1 + months
    return start.year + month0 // 12, month0 % 12 + 1


def latest_end(start: date, months: int = MAX_MONTHS) -> date:
    """The last day of a period of ``months`` months from ``start``, as the Civil Code counts (民法143条):
    the day before the day with the start's number ``months`` later; when that month has no such day,
    its last day (2021-06-01 -> 2021-11-30; 2021-08-31 -> 2022-02-28)."""
    year, month = _add_months(start, months)
    last = _months.monthrange(year, month)[1]
    if start.day > last:
        return date(year, month, last)
    return date.fromordinal(date(year, month, start.day).toordinal() - 1)


@dataclass(frozen=True, kw_only=True)
class PeriodDecision(Decision):
    ok: bool
    latest_end: date | None = None


def check_period(start: date, end: date, *, calendar: Mapping[str, calendars.Window] = calendars.PHASE2
                 ) -> PeriodDecision:
    """The plan's period: the end not before the start; at most 6 months (民法143条, :func:`latest_end`);
    the end at most the last day of the report window (支援終了及び支援実施報告の期限)."""
    for value, what in ((start, "開始日"), (end, "終了日")):
        if not isinstance(value, date) or isinstance(value, datetime):
            raise ValueError(f"支援期間の{what}を日付で指定してください。")
    reasons: list[Reason] = []
    limit = latest_end(start)
    report_last = calendars.last_day(calendars.window("report", calendar))
    if end < start:
        reasons.append(Reason("end_before_start", "支援期間の終了日が開始日より前になっています。", CITE_PERIOD))
    if end > limit:
        reasons.append(Reason(
            "longer_than_six_months",
            f"支援期間は最長6か月です。開始日{calendars.format_jst_date(start)}の場合、終了日は"
            f"{calendars.format_jst_date(limit)}までにしてください。", CITE_PERIOD))
    if end > report_last:
        reasons.append(Reason(
            "after_support_deadline",
            f"支援は{calendars.format_jst_date(report_last)}（支援終了及び支援実施報告の期限）までに終える必要があります。",
            calendars.CITATIONS["report"]))
    return PeriodDecision(ok=not reasons, reasons=tuple(reasons), latest_end=min(limit, report_last))


def hours_of(half_hours: int) -> Decimal:
    """Half-hour steps as hours (3 -> 1.5)."""
    if not isinstance(half_hours, int) or isinstance(half_hours, bool) or half_hours < 0:
        raise ValueError("時間数は0.5時間単位で指定してください。")
    return Decimal(half_hours) / 2


def plan_reservation(rate_yen: int, hours: object, *, sme_prior_yen: int, expert_prior_yen: int,
                     at: datetime | None = None) -> int:
    """The honorarium to reserve at conclusion: the quote's subsidy_total (MONEY.md §3; the caps cut
    it, the SME's share grows by the cut)."""
    return subsidy.quote(rate_yen, hours, sme_prior_yen=sme_prior_yen, expert_prior_yen=expert_prior_yen,
                         at=at).subsidy_total


#: Words that suggest production (請負) rather than consulting (準委任): flagged for the reviewer, not
#: refused (a plan may mention a web page it advises on).
SCOPE_WORDS = ("制作", "作成代行", "デザイン", "構築代行", "開発", "代行", "コーディング", "納品")

_SPACES = re.compile(r"\s+")


def scope_flags(texts: Iterable[str]) -> tuple[str, ...]:
    """The scope words found in the plan's texts, each once, in the order of :data:`SCOPE_WORDS`."""
    joined = _SPACES.sub("", "".join(t or "" for t in texts))
    return tuple(word for word in SCOPE_WORDS if word in joined)
