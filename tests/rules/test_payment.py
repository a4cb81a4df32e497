"""Payment dates: DOMAIN.md §4 Payment (design, from the published payment schedule)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dxapp.rules.payment import is_bank_business_day, payment_date, scheduled_day
from tests.fixtures.rules import raises_japanese

PAYMENT_CASES = [
    # the three bands and their edges (July 2021: 10th Sat, 20th Tue, 31st Sat)
    pytest.param(date(2021, 6, 1), date(2021, 7, 10), date(2021, 7, 9), id="DOMAIN§4-day1-10th-saturday-to-friday"),
    pytest.param(date(2021, 6, 10), date(2021, 7, 10), date(2021, 7, 9), id="DOMAIN§4-day10-at-band-edge"),
    pytest.param(date(2021, 6, 11), date(2021, 7, 20), date(2021, 7, 20), id="DOMAIN§4-day11-one-past-band"),
    pytest.param(date(2021, 6, 20), date(2021, 7, 20), date(2021, 7, 20), id="DOMAIN§4-day20-at-band-edge"),
    pytest.param(date(2021, 6, 21), date(2021, 7, 31), date(2021, 7, 30), id="DOMAIN§4-day21-month-end-saturday"),
    pytest.param(date(2021, 6, 30), date(2021, 7, 31), date(2021, 7, 30), id="DOMAIN§4-day30-month-end"),
    # 2021: 海の日 moved from 7/19 to 7/22 for the Olympics, so 7/20 is an ordinary Tuesday (library, not a list)
    pytest.param(date(2021, 6, 15), date(2021, 7, 20), date(2021, 7, 20), id="DOMAIN§4-moved-holiday-2021"),
    # national holidays
    pytest.param(date(2021, 8, 15), date(2021, 9, 20), date(2021, 9, 17), id="DOMAIN§4-respect-for-aged-day"),
    pytest.param(date(2021, 12, 5), date(2022, 1, 10), date(2022, 1, 7), id="DOMAIN§4-coming-of-age-day-year-wrap"),
    pytest.param(date(2018, 3, 25), date(2018, 4, 30), date(2018, 4, 27), id="DOMAIN§4-substitute-holiday"),
    # 31 Dec - 3 Jan bank holidays
    pytest.param(date(2021, 11, 21), date(2021, 12, 31), date(2021, 12, 30), id="DOMAIN§4-dec-31-bank-holiday"),
    # month ends
    pytest.param(date(2021, 1, 25), date(2021, 2, 28), date(2021, 2, 26), id="DOMAIN§4-february-end-sunday"),
    pytest.param(date(2024, 1, 31), date(2024, 2, 29), date(2024, 2, 29), id="DOMAIN§4-leap-february"),
    pytest.param(date(2021, 12, 31), date(2022, 1, 31), date(2022, 1, 31), id="DOMAIN§4-december-review-january-end"),
]


@pytest.mark.parametrize(("done", "scheduled", "paid"), PAYMENT_CASES)
def test_payment_date(done, scheduled, paid):
    """DOMAIN.md §4: 10th / 20th / last day of the next month for reviews on day 1-10 / 11-20 / 21-end,
    moved back to the previous bank business day (weekend, national holiday, 31 Dec - 3 Jan)."""
    assert scheduled_day(done) == scheduled
    assert payment_date(done) == paid
    assert is_bank_business_day(paid)


@pytest.mark.parametrize(("day", "business"), [
    pytest.param(date(2021, 12, 30), True, id="DOMAIN§4-dec-30-business-day"),
    pytest.param(date(2021, 12, 31), False, id="DOMAIN§4-dec-31-closed"),
    pytest.param(date(2022, 1, 3), False, id="DOMAIN§4-jan-3-closed-monday"),
    pytest.param(date(2022, 1, 4), True, id="DOMAIN§4-jan-4-open"),
    pytest.param(date(2021, 7, 22), False, id="DOMAIN§4-moved-marine-day-2021"),
    pytest.param(date(2021, 8, 9), False, id="DOMAIN§4-substitute-mountain-day-2021"),
    pytest.param(date(2021, 7, 24), False, id="DOMAIN§4-saturday"),
])
def test_bank_business_days(day, business):
    """DOMAIN.md §4: banks close on weekends, national holidays (jpholiday) and 31 Dec - 3 Jan."""
    assert is_bank_business_day(day) is business


def test_payment_date_accepts_an_aware_datetime_as_its_jst_date():
    """DOMAIN.md §4: an aware instant is read in JST (2021-06-10 15:00 UTC is 2021-06-11 JST)."""
    assert payment_date(datetime(2021, 6, 10, 15, tzinfo=UTC)) == date(2021, 7, 20)


@pytest.mark.parametrize("value", [
    pytest.param(datetime(2021, 6, 10, 12), id="issue3-naive-datetime"),  # noqa: DTZ001
    pytest.param("2021-06-10", id="issue3-text-date"),
    pytest.param(None, id="issue3-none"),
])
def test_payment_date_needs_a_date(value):
    """payment_date takes a date; anything else raises ValueError (Japanese)."""
    with raises_japanese():
        payment_date(value)
