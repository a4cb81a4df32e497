"""Consultation cases: statuses and transitions (MONEY.md §1), the K reference, the proposal deadline
(not in the past, not after the contract window) and the budget hint (300,000 yen per SME)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dxapp.rules import JST, cases
from dxapp.rules.calendar import Window
from tests.fixtures.rules import assert_reasons_explain, raises_japanese

NOON = datetime(2021, 9, 1, 12, tzinfo=JST)


@pytest.mark.parametrize(("number", "expected"), [
    (1, "K00000001"), (12345678, "K12345678"), (99_999_999, "K99999999"),
])
def test_reference_is_k_and_eight_digits(number, expected):
    assert cases.format_reference(number) == expected
    assert cases.is_reference(expected)


@pytest.mark.parametrize("number", [0, -1, 100_000_000, True, 1.0, "1", None])
def test_reference_out_of_range_is_refused(number):
    with raises_japanese():
        cases.format_reference(number)


@pytest.mark.parametrize("text", ["K1234567", "K123456789", "k12345678", "S12345678", "K1234567a", " K12345678",
                                  "K12345678\n", "Ｋ12345678", None, 12345678])
def test_malformed_references(text):
    assert not cases.is_reference(text)


def test_statuses_are_money_md_order():
    assert cases.STATUSES == ("draft", "published", "closed", "matched", "withdrawn")
    assert set(cases.TRANSITIONS) == set(cases.STATUSES)


@pytest.mark.parametrize(("current", "target", "allowed"), [
    ("draft", "published", True), ("draft", "withdrawn", True), ("draft", "closed", False),
    ("draft", "matched", False),
    ("published", "closed", True), ("published", "matched", True), ("published", "withdrawn", True),
    ("published", "draft", False),
    ("closed", "matched", True), ("closed", "withdrawn", True), ("closed", "published", False),
    ("matched", "withdrawn", False), ("matched", "closed", False),
    ("withdrawn", "published", False), ("withdrawn", "draft", False),
])
def test_transitions(current, target, allowed):
    assert cases.may_move(current, target) is allowed


@pytest.mark.parametrize(("current", "target"), [("open", "published"), ("published", "gone")])
def test_unknown_status_is_refused(current, target):
    with raises_japanese():
        cases.may_move(current, target)


@pytest.mark.parametrize(("status", "deadline", "at", "shown"), [
    # the deadline day itself is still open (JST), the day after shows 締切
    ("published", date(2021, 9, 1), datetime(2021, 9, 1, 23, 59, tzinfo=JST), "published"),
    ("published", date(2021, 9, 1), datetime(2021, 9, 2, 0, 0, tzinfo=JST), "closed"),
    # 2021-09-01 15:00 UTC is 2021-09-02 00:00 JST
    ("published", date(2021, 9, 1), datetime(2021, 9, 1, 15, 0, tzinfo=UTC), "closed"),
    ("published", date(2021, 9, 1), datetime(2021, 9, 1, 14, 59, tzinfo=UTC), "published"),
    ("withdrawn", date(2021, 9, 1), datetime(2021, 9, 5, tzinfo=JST), "withdrawn"),
    ("matched", date(2021, 9, 1), datetime(2021, 9, 5, tzinfo=JST), "matched"),
    ("closed", date(2021, 9, 30), datetime(2021, 9, 5, tzinfo=JST), "closed"),
    ("draft", date(2021, 9, 1), datetime(2021, 9, 5, tzinfo=JST), "draft"),
])
def test_effective_status_follows_program_time(status, deadline, at, shown):
    assert cases.effective_status(status, deadline, at) == shown


def test_effective_status_needs_an_aware_instant():
    with raises_japanese():
        cases.effective_status("published", date(2021, 9, 1), datetime(2021, 9, 1))


@pytest.mark.parametrize(("deadline", "codes"), [
    (date(2021, 8, 31), ["deadline_past"]),            # the day before today
    (date(2021, 9, 1), []),                            # today
    (date(2021, 11, 30), []),                          # the last day of the contract window
    (date(2021, 12, 1), ["deadline_after_contract_window"]),  # one day past it
])
def test_deadline_boundaries(deadline, codes):
    decision = cases.deadline_problems(deadline, NOON)
    assert [r.code for r in decision.reasons] == codes
    assert decision.ok is (not codes)
    if codes:
        assert_reasons_explain(decision)


def test_deadline_uses_the_calendar_given():
    calendar = {"contract": Window(datetime(2021, 4, 26, 10, tzinfo=JST), datetime(2021, 10, 1, tzinfo=JST))}
    assert cases.deadline_problems(date(2021, 9, 30), NOON, calendar).ok
    assert not cases.deadline_problems(date(2021, 10, 1), NOON, calendar).ok


@pytest.mark.parametrize("deadline", ["2021-09-01", datetime(2021, 9, 1, tzinfo=JST), None])
def test_deadline_must_be_a_date(deadline):
    with raises_japanese():
        cases.deadline_problems(deadline, NOON)


@pytest.mark.parametrize(("prior", "remaining"), [(0, 300_000), (120_000, 180_000), (300_000, 0), (350_000, 0)])
def test_budget_hint(prior, remaining):
    hint = cases.budget_hint(NOON, prior_yen=prior)
    assert hint.cap_yen == 300_000
    assert hint.remaining_yen == remaining


@pytest.mark.parametrize("prior", [-1, 1.5, "0", True])
def test_budget_hint_refuses_bad_prior(prior):
    with raises_japanese():
        cases.budget_hint(NOON, prior_yen=prior)
