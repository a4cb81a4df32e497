"""The procedure windows: seed 各種期間; DOMAIN.md §5 (all JST, "until" includes the whole day)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from dxapp.rules import JST
from dxapp.rules.calendar import (
    LABELS,
    PHASE2,
    Window,
    format_jst_date,
    format_jst_datetime,
    is_open,
    last_day,
    status,
    window,
)
from tests.fixtures.rules import raises_japanese

TICK = timedelta(microseconds=1)

# action -> (opens JST, closes JST exclusive, last day as the seed prints it)
PUBLISHED = {
    "phase1_login": (datetime(2021, 4, 26, 10, tzinfo=JST), datetime(2022, 3, 1, tzinfo=JST), "2022年2月28日（月）"),
    "registration": (datetime(2021, 5, 24, 10, tzinfo=JST), datetime(2021, 10, 1, tzinfo=JST), "2021年9月30日（木）"),
    "contract": (datetime(2021, 4, 26, 10, tzinfo=JST), datetime(2021, 12, 1, tzinfo=JST), "2021年11月30日（火）"),
    "report": (datetime(2021, 4, 26, 10, tzinfo=JST), datetime(2021, 12, 18, tzinfo=JST), "2021年12月17日（金）"),
    "claim": (datetime(2021, 4, 26, 10, tzinfo=JST), datetime(2021, 12, 25, tzinfo=JST), "2021年12月24日（金）"),
}


@pytest.mark.parametrize("action", list(PUBLISHED))
def test_phase2_windows_match_the_seed(action):
    """Seed 各種期間 / DOMAIN.md §5: the published windows, closing at 00:00 JST after the last day."""
    opens, closes, printed = PUBLISHED[action]
    assert window(action) == Window(opens, closes) == PHASE2[action]
    assert format_jst_date(last_day(window(action))) == printed
    assert LABELS[action]


def edge_cases():
    for action, (opens, closes, _printed) in PUBLISHED.items():
        for zone_name, zone in (("JST", JST), ("UTC", UTC)):
            tag = f"DOMAIN§5-{action}-{zone_name}"
            yield pytest.param(action, (opens - TICK).astimezone(zone), False, "before", id=f"{tag}-instant-before-open")
            yield pytest.param(action, opens.astimezone(zone), True, "open", id=f"{tag}-at-open")
            yield pytest.param(action, (closes - TICK).astimezone(zone), True, "open", id=f"{tag}-last-instant")
            yield pytest.param(action, closes.astimezone(zone), False, "closed", id=f"{tag}-at-close")


@pytest.mark.parametrize(("action", "at", "open_", "state"), list(edge_cases()))
def test_window_edges_in_jst_and_utc(action, at, open_, state):
    """DOMAIN.md §5: opens_at <= at < closes_at, whatever zone ``at`` is expressed in."""
    assert is_open(action, at) is open_
    assert status(action, at) == state


def test_registration_last_day_in_utc_terms():
    """Seed 「登録受付の期限: 2021年9月30日(木)まで」: 2021-09-30 14:59:59 UTC is 23:59:59 JST, still open;
    15:00 UTC is 2021-10-01 00:00 JST, closed."""
    assert is_open("registration", datetime(2021, 9, 30, 14, 59, 59, tzinfo=UTC))
    assert not is_open("registration", datetime(2021, 9, 30, 15, 0, tzinfo=UTC))


def test_another_calendar_overrides_and_freezes():
    """DOMAIN.md §5: the secretariat's overrides come as a different calendar (e.g. the 2021-09-16 to
    2021-10-18 freeze of new plans); PHASE2 itself is never edited."""
    frozen = dict(PHASE2) | {"contract": Window(datetime(2021, 10, 19, tzinfo=JST), datetime(2021, 12, 1, tzinfo=JST))}
    at = datetime(2021, 9, 20, 12, tzinfo=JST)
    assert is_open("contract", at)
    assert not is_open("contract", at, frozen)
    assert status("contract", at, frozen) == "before"
    with pytest.raises(TypeError):
        PHASE2["contract"] = frozen["contract"]  # type: ignore[index]


@pytest.mark.parametrize(("call", "match"), [
    pytest.param(lambda: is_open("registration", datetime(2021, 6, 1, 10)), "タイムゾーン", id="issue3-naive-at-raises"),  # noqa: DTZ001
    pytest.param(lambda: status("registration", datetime(2021, 6, 1, 10)), "タイムゾーン", id="issue3-naive-status"),  # noqa: DTZ001
    pytest.param(lambda: window("lunch"), "手続き", id="issue3-unknown-action"),
    pytest.param(lambda: is_open("lunch", datetime(2021, 6, 1, tzinfo=JST)), "手続き", id="issue3-unknown-action-is-open"),
])
def test_bad_arguments_raise(call, match):
    """Issue 3: a naive ``at`` or an unknown action raises ValueError (Japanese)."""
    with raises_japanese(match):
        call()


@pytest.mark.parametrize(("closes", "expected"), [
    pytest.param(datetime(2021, 10, 1, tzinfo=JST), date(2021, 9, 30), id="DOMAIN§5-midnight-close-previous-day"),
    pytest.param(datetime(2021, 10, 1, 12, tzinfo=JST), date(2021, 10, 1), id="DOMAIN§5-noon-close-same-day"),
    pytest.param(datetime(2021, 9, 30, 15, tzinfo=UTC), date(2021, 9, 30), id="DOMAIN§5-utc-close-is-jst-midnight"),
    pytest.param(datetime(2021, 10, 1, tzinfo=UTC), date(2021, 10, 1), id="DOMAIN§5-utc-midnight-is-jst-0900"),
])
def test_last_day_is_the_inclusive_jst_day(closes, expected):
    """DOMAIN.md §5: the last day shown is the JST day of the last open instant."""
    assert last_day(Window(datetime(2021, 5, 24, 10, tzinfo=JST), closes)) == expected


@pytest.mark.parametrize(("value", "text"), [
    pytest.param(date(2021, 9, 30), "2021年9月30日（木）", id="UX-jst-date-thursday"),
    pytest.param(date(2021, 11, 30), "2021年11月30日（火）", id="DOMAIN§5-contract-deadline-was-a-tuesday"),
    pytest.param(datetime(2021, 9, 30, 15, tzinfo=UTC), "2021年10月1日（金）", id="UX-aware-datetime-in-jst"),
])
def test_format_jst_date(value, text):
    """Home page: 「2021年9月30日（木）まで」 with the Japanese weekday."""
    assert format_jst_date(value) == text


def test_format_jst_datetime():
    """Home page: the opening instant in JST."""
    assert format_jst_datetime(datetime(2021, 5, 24, 1, tzinfo=UTC)) == "2021年5月24日（月）10:00"
    with raises_japanese():
        format_jst_datetime(datetime(2021, 5, 24, 1))  # noqa: DTZ001
