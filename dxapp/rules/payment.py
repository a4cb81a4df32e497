"""When an approved honorarium is paid (DOMAIN.md §4 "Payment"; design, from the published payment
schedule; in force for all of Phase II from 2021-04-26).

National holidays come from ``jpholiday`` (a maintained library that knows substitute and citizens'
holidays and the moved holidays of 2020-2021), never from a hand-written list.
"""

from __future__ import annotations

import calendar as _stdcal
from datetime import date, datetime, timedelta

import jpholiday

from dxapp.rules import JST, require_aware

__all__ = ["is_bank_business_day", "payment_date", "previous_bank_business_day", "scheduled_day"]

CITATION = "DOMAIN.md §4 Payment（10日・20日・月末払い、前営業日繰上げ: design, published payment schedule）"

# Japanese banks are closed from 31 December to 3 January (銀行法施行令第5条).
_YEAR_END_HOLIDAYS = ((12, 31), (1, 1), (1, 2), (1, 3))


def _as_date(value: object, what: str) -> date:
    if isinstance(value, datetime):
        return require_aware(value, what).astimezone(JST).date()
    if isinstance(value, date):
        return value
    raise ValueError(f"{what}を日付（年・月・日）で指定してください。")


def is_bank_business_day(d: date) -> bool:
    """A bank business day is not a Saturday or Sunday, not a national holiday (jpholiday, including
    substitute holidays) and not 31 Dec - 3 Jan (DOMAIN.md §4)."""
    day = _as_date(d, "日付")
    if day.weekday() >= 5:
        return False
    if (day.month, day.day) in _YEAR_END_HOLIDAYS:
        return False
    return not jpholiday.is_holiday(day)


def previous_bank_business_day(d: date) -> date:
    """``d`` itself when it is a bank business day, otherwise the nearest earlier one."""
    day = _as_date(d, "日付")
    while not is_bank_business_day(day):
        day -= timedelta(days=1)
    return day


def scheduled_day(review_completed_on: date) -> date:
    """The nominal payment day before the business-day move: in the month after the review ends, the
    10th (review on day 1-10), the 20th (day 11-20) or the last day (day 21 to the end)."""
    done = _as_date(review_completed_on, "審査完了日")
    year, month = (done.year + 1, 1) if done.month == 12 else (done.year, done.month + 1)
    if done.day <= 10:
        return date(year, month, 10)
    if done.day <= 20:
        return date(year, month, 20)
    return date(year, month, _stdcal.monthrange(year, month)[1])


def payment_date(review_completed_on: date) -> date:
    """DOMAIN.md §4 Payment: a claim whose review ends on day 1-10 is paid on the 10th of the next month,
    on day 11-20 on the 20th, on day 21-end on the last day of the next month; a payment day that falls
    on a Saturday, Sunday, national holiday or 31 Dec - 3 Jan moves back to the previous bank business
    day (design from the published schedule; Phase II from 2021-04-26).  An aware datetime is read as its
    JST date; anything else but a date raises ``ValueError``."""
    return previous_bank_business_day(scheduled_day(review_completed_on))
