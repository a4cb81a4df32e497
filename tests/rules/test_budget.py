"""The honorarium budget: seed 「謝金予算額を上回る場合は、登録受付および契約締結を締め切る」; DOMAIN.md §4."""

from __future__ import annotations

import pytest

from dxapp.rules.budget import PROGRAM_BUDGET_YEN, can_commit, intake_open
from tests.fixtures.rules import raises_japanese

BUDGET = 1_000


@pytest.mark.parametrize(("claimed", "committed", "amount", "ok"), [
    pytest.param(300, 500, 200, True, id="seed謝金予算額-commit-reaches-budget"),
    pytest.param(300, 500, 201, False, id="seed謝金予算額-commit-one-past-budget"),
    pytest.param(0, 0, 0, True, id="seed謝金予算額-nothing-yet"),
    pytest.param(1_000, 0, 1, False, id="seed謝金予算額-all-claimed"),
])
def test_can_commit(claimed, committed, amount, ok):
    """Seed / DOMAIN.md §4: a conclusion may not make claimed + committed exceed the budget."""
    assert can_commit(BUDGET, claimed, committed, amount) is ok


@pytest.mark.parametrize(("claimed", "committed", "open_"), [
    pytest.param(500, 499, True, id="seed謝金予算額-intake-one-yen-left"),
    pytest.param(500, 500, False, id="seed謝金予算額-intake-closes-at-equality"),
    pytest.param(500, 501, False, id="seed謝金予算額-intake-over-budget"),
])
def test_intake_open(claimed, committed, open_):
    """Seed: registration and conclusion close once claimed + committed reaches the budget."""
    assert intake_open(BUDGET, claimed, committed) is open_


def test_program_budget_is_ten_billion_yen():
    """DOMAIN.md §4: 10 billion yen over both phases."""
    assert PROGRAM_BUDGET_YEN == 10_000_000_000
    assert intake_open(PROGRAM_BUDGET_YEN, 4_000_000_000, 5_999_999_999)


@pytest.mark.parametrize("args", [
    pytest.param((-1, 0, 0, 0), id="issue3-negative-budget"),
    pytest.param((100, -1, 0, 0), id="issue3-negative-claimed"),
    pytest.param((100, 0, -1, 0), id="issue3-negative-committed"),
    pytest.param((100, 0, 0, -1), id="issue3-negative-amount"),
    pytest.param((100, 0, 0, 1.5), id="issue3-fractional-amount"),
])
def test_budget_amounts_must_be_non_negative_yen(args):
    """Money is int yen (ARCHITECTURE.md Rules as code); bad amounts raise ValueError (Japanese)."""
    with raises_japanese():
        can_commit(*args)
