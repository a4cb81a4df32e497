"""When each procedure is open (seed 各種期間; DOMAIN.md §5).

Every window is ``[opens_at, closes_at)`` in aware datetimes: "until 2021-09-30" closes at
2021-10-01 00:00 JST, so the whole last day is included.  :data:`PHASE2` is the published calendar;
the secretariat's overrides and freezes are passed as a different ``calendar`` mapping, so nothing
here is ever edited in place.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Literal, NamedTuple

from dxapp.rules import JST, require_aware

__all__ = [
    "CITATIONS",
    "LABELS",
    "PHASE2",
    "Window",
    "format_jst_date",
    "format_jst_datetime",
    "is_open",
    "last_day",
    "status",
    "window",
]


class Window(NamedTuple):
    """A period during which an action is accepted: ``opens_at <= at < closes_at`` (aware datetimes)."""

    opens_at: datetime
    closes_at: datetime


def _jst(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=JST)


#: Seed 各種期間, DOMAIN.md §5 (all JST; the end is 00:00 of the day after the last day).
PHASE2: Mapping[str, Window] = MappingProxyType({
    # 第Ⅰ期で登録完了している中小企業等・IT専門家の第Ⅱ期利用開始日: 2021年4月26日(月)10時〜.  The seed gives
    # no end; 2022-03-01 00:00 (the end of February 2022) is the project's design (issue 3).
    "phase1_login": Window(_jst(2021, 4, 26, 10), _jst(2022, 3, 1)),
    # 本事業への登録受付の期限: 2021年9月30日(木)まで.  Opening 2021-05-24 10:00: date published, hour design.
    "registration": Window(_jst(2021, 5, 24, 10), _jst(2021, 10, 1)),
    # 支援計画に関する契約締結の期限: 2021年11月30日(火)まで (the seed also prints (金); it was a Tuesday).
    "contract": Window(_jst(2021, 4, 26, 10), _jst(2021, 12, 1)),
    # 支援終了及び支援実施報告の期限: 2021年12月17日(金)まで.
    "report": Window(_jst(2021, 4, 26, 10), _jst(2021, 12, 18)),
    # 謝金申請の期限: 2021年12月24日(金)まで.
    "claim": Window(_jst(2021, 4, 26, 10), _jst(2021, 12, 25)),
})

#: Japanese labels for the home page and notices.
LABELS: Mapping[str, str] = MappingProxyType({
    "phase1_login": "第Ⅰ期登録者の第Ⅱ期利用",
    "registration": "新規登録（中小企業・IT専門家・SMEサポーター）",
    "contract": "支援計画の契約締結",
    "report": "支援終了・支援実施報告",
    "claim": "謝金申請",
})

CITATIONS: Mapping[str, str] = MappingProxyType({
    "phase1_login": "seed 各種期間「第Ⅱ期利用開始日: 2021年4月26日(月)10時〜」; DOMAIN.md §5",
    "registration": "seed 各種期間「本事業への登録受付の期限: 2021年9月30日(木)まで」; DOMAIN.md §5",
    "contract": "seed 各種期間「支援計画に関する契約締結の期限: 2021年11月30日(火)まで」; DOMAIN.md §5",
    "report": "seed 各種期間「支援終了及び支援実施報告の期限: 2021年12月17日(金)まで」; DOMAIN.md §5",
    "claim": "seed 各種期間「謝金申請の期限: 2021年12月24日(金)まで」; DOMAIN.md §5",
})

WEEKDAYS = "月火水木金土日"


def window(action: str, calendar: Mapping[str, Window] = PHASE2) -> Window:
    """The window of ``action`` in ``calendar`` (seed 各種期間, DOMAIN.md §5; the Phase II calendar in
    force from 2021-04-26 10:00 JST).  Unknown actions raise ``ValueError``."""
    try:
        return calendar[action]
    except (KeyError, TypeError):
        raise ValueError(f"「{action}」という手続きの受付期間は定められていません。手続きの種類を確かめてください。") from None


def is_open(action: str, at: datetime, calendar: Mapping[str, Window] = PHASE2) -> bool:
    """True when ``action`` is accepted at the aware instant ``at``: opens_at <= at < closes_at
    (seed 各種期間, DOMAIN.md §5: "until" includes the whole last day, JST; Phase II from 2021-04-26).
    A naive ``at`` raises ``ValueError``."""
    require_aware(at, "判定する日時")
    opens_at, closes_at = window(action, calendar)
    return opens_at <= at < closes_at


def status(action: str, at: datetime, calendar: Mapping[str, Window] = PHASE2) -> Literal["before", "open", "closed"]:
    """``'before'`` the window opens, ``'open'`` inside it, ``'closed'`` from ``closes_at`` on."""
    require_aware(at, "判定する日時")
    opens_at, closes_at = window(action, calendar)
    if at < opens_at:
        return "before"
    return "open" if at < closes_at else "closed"


def last_day(w: Window) -> date:
    """The last JST day on which the window is open: ``closes_at`` minus one day when it closes at
    midnight (2021-10-01 00:00 -> 2021-09-30), otherwise the day of ``closes_at``."""
    return (w.closes_at - timedelta(microseconds=1)).astimezone(JST).date()


def _as_jst_date(d: date | datetime) -> date:
    if isinstance(d, datetime):
        return require_aware(d, "日時").astimezone(JST).date()
    if isinstance(d, date):
        return d
    raise ValueError("日付を指定してください。")


def format_jst_date(d: date | datetime) -> str:
    """「2021年9月30日（木）」: the date (an aware datetime is first put in JST) with its weekday."""
    day = _as_jst_date(d)
    return f"{day.year}年{day.month}月{day.day}日（{WEEKDAYS[day.weekday()]}）"


def format_jst_datetime(at: datetime) -> str:
    """「2021年5月24日（月）10:00」: an aware instant shown in JST."""
    local = require_aware(at, "日時").astimezone(JST)
    return f"{format_jst_date(local.date())}{local:%H:%M}"
