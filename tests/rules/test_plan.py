"""rules/plan.py: the period as the Civil Code counts months, the report deadline, the reservation,
the plan id and the scope words (issue 13, table tests)."""

from __future__ import annotations

from datetime import date

import pytest

from dxapp.rules import plan, subsidy


@pytest.mark.parametrize(("start", "latest"), [
    (date(2021, 6, 1), date(2021, 11, 30)),
    (date(2021, 8, 31), date(2022, 2, 28)),
    (date(2021, 6, 15), date(2021, 12, 14)),
    (date(2021, 9, 30), date(2022, 3, 29)),
    (date(2023, 8, 31), date(2024, 2, 29)),  # a leap year's February
    (date(2021, 12, 31), date(2022, 6, 30)),
])
def test_latest_end_counts_months_as_the_civil_code(start, latest):
    assert plan.latest_end(start) == latest


@pytest.mark.parametrize(("start", "end", "codes"), [
    (date(2021, 6, 1), date(2021, 11, 30), ()),
    (date(2021, 6, 1), date(2021, 12, 1), ("longer_than_six_months",)),
    (date(2021, 7, 1), date(2021, 12, 17), ()),
    (date(2021, 7, 1), date(2021, 12, 18), ("after_support_deadline",)),
    (date(2021, 8, 1), date(2021, 7, 31), ("end_before_start",)),
    (date(2021, 6, 1), date(2021, 6, 1), ()),
    (date(2021, 6, 1), date(2021, 12, 20), ("longer_than_six_months", "after_support_deadline")),
])
def test_check_period(start, end, codes):
    decision = plan.check_period(start, end)
    assert decision.codes == codes
    assert decision.ok is (not codes)


def test_check_period_names_the_latest_end_in_its_message():
    decision = plan.check_period(date(2021, 6, 1), date(2021, 12, 10))
    assert "2021年11月30日" in decision.reasons[0].message
    assert decision.latest_end == date(2021, 11, 30)


def test_check_period_refuses_what_is_not_a_date():
    with pytest.raises(ValueError):
        plan.check_period("2021-06-01", date(2021, 7, 1))


@pytest.mark.parametrize(("rate", "hours", "sme_prior", "expert_prior", "reserved"), [
    (5000, 10, 0, 0, 35_000),
    (3000, 10, 0, 0, 25_000),
    (5000, "2.5", 0, 0, 8_750),
    (5000, 100, 0, 0, 300_000),  # the SME cap (350,000 raw)
    (5000, 10, 290_000, 0, 10_000),
    (5000, 10, 0, 1_480_000, 20_000),  # the expert cap over both phases
    (500, 10, 0, 0, 0),
])
def test_plan_reservation_is_the_quotes_subsidy_total(rate, hours, sme_prior, expert_prior, reserved):
    assert plan.plan_reservation(rate, hours, sme_prior_yen=sme_prior, expert_prior_yen=expert_prior) == reserved
    assert reserved == subsidy.quote(rate, hours, sme_prior_yen=sme_prior, expert_prior_yen=expert_prior).subsidy_total


def test_new_plan_id_is_s_and_eleven_digits():
    assert plan.new_plan_id(1) == "S00000000001"
    assert plan.new_plan_id(12345678901) == "S12345678901"


def test_scope_words_are_flagged_once_each():
    assert plan.scope_flags(["ホームページの制作を", "ロゴのデザイン", "制 作"]) == ("制作", "デザイン")
    assert plan.scope_flags(["会計ソフトの使い方を助言"]) == ()


def test_transitions_name_only_known_statuses():
    for current, targets in plan.TRANSITIONS.items():
        assert current in plan.STATUSES
        assert set(targets) <= set(plan.STATUSES)
    assert set(plan.TRANSITIONS) == set(plan.STATUSES)
    assert plan.may_move("concluding", "running") and not plan.may_move("running", "draft")


def test_hours_of_half_hours():
    assert str(plan.hours_of(3)) == "1.5"
    with pytest.raises(ValueError):
        plan.hours_of(-1)
