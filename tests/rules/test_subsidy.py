"""Honorarium and SME share: seed 謝金 paragraph and example; DOMAIN.md §4."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dxapp.rules import JST, PHASE2_START
from dxapp.rules.subsidy import (
    EXPERT_CAP_YEN,
    HONORARIUM_CAP_PER_HOUR,
    MIN_SME_SHARE_PER_HOUR,
    SME_CAP_YEN,
    honorarium_per_hour,
    parse_hours,
    quote,
)
from tests.fixtures.rules import assert_reasons_explain, raises_japanese


def test_seed_example_4000_yen_for_40_hours():
    """Seed example: 4,000円/時間 x 40時間 -> SME 500円 x 40 = 20,000円, 謝金 3,500円 x 40 = 140,000円."""
    q = quote(4000, 40)
    assert (q.subsidy_per_hour, q.sme_burden_per_hour) == (3500, 500)
    assert (q.fee_total, q.subsidy_total, q.sme_burden_total) == (160_000, 140_000, 20_000)
    assert q.eligible and not q.capped
    assert_reasons_explain(q)


RATE_CASES = [
    pytest.param(0, 0, id="DOMAIN§4-min500-rate-zero"),
    pytest.param(500, 0, id="seed-min500-rate-at-500-no-honorarium"),
    pytest.param(501, 1, id="seed-min500-rate-one-past-500"),
    pytest.param(3999, 3499, id="seed-min500-rate-3999"),
    pytest.param(4000, 3500, id="seed-cap3500-rate-at-4000"),
    pytest.param(4001, 3500, id="seed-cap3500-rate-one-past-4000"),
    pytest.param(20_000, 3500, id="seed-cap3500-high-rate"),
]


@pytest.mark.parametrize(("rate", "per_hour"), RATE_CASES)
def test_split_of_the_hourly_rate(rate, per_hour):
    """Seed: 最大3,500円/時間, 中小企業等の実費負担が最低500円/時間: per hour = min(3,500, rate - 500) >= 0."""
    q = quote(rate, 1)
    assert q.subsidy_per_hour == per_hour == honorarium_per_hour(rate)
    assert q.sme_burden_per_hour == rate - per_hour
    assert q.eligible is (per_hour > 0)
    if per_hour == 0:
        assert "rate_too_low" in q.codes


@pytest.mark.parametrize(("rate", "hours", "fee", "subsidy"), [
    pytest.param(3999, "0.5", 1999, 1749, id="DOMAIN§4-half-hour-rounds-down-fee-and-honorarium"),
    pytest.param(4001, "1.5", 6001, 5250, id="DOMAIN§4-one-and-a-half-hours"),
    pytest.param(1001, "2.5", 2502, 1252, id="DOMAIN§4-rounding-2.5h"),
])
def test_totals_round_down_to_the_yen(rate, hours, fee, subsidy):
    """Issue 3 / DOMAIN.md §4: fee and raw honorarium are rounded down to the yen; the SME pays the rest."""
    q = quote(rate, hours)
    assert (q.fee_total, q.subsidy_total, q.sme_burden_total) == (fee, subsidy, fee - subsidy)


def test_honorarium_that_rounds_to_zero_is_not_eligible():
    """DOMAIN.md §4: 1 yen per hour for half an hour rounds down to 0 yen: nothing is paid."""
    q = quote(501, "0.5")
    assert q.subsidy_total == 0 and not q.eligible
    assert "rounded_to_zero" in q.codes


CAP_CASES = [
    # per SME: 300,000 - prior.  Raw honorarium is 140,000 (4,000 yen x 40 h).
    pytest.param(160_000, 0, 140_000, False, set(), id="DOMAIN§4-sme-cap-remaining-equals-raw"),
    pytest.param(160_001, 0, 139_999, True, {"sme_cap"}, id="DOMAIN§4-sme-cap-one-past"),
    pytest.param(299_999, 0, 1, True, {"sme_cap"}, id="DOMAIN§4-sme-cap-one-yen-left"),
    pytest.param(300_000, 0, 0, True, {"sme_cap_used_up"}, id="DOMAIN§4-sme-cap-used-up"),
    pytest.param(400_000, 0, 0, True, {"sme_cap_used_up"}, id="DOMAIN§4-sme-prior-above-cap"),
    # per expert: 1,500,000 - prior (Phase I + II)
    pytest.param(0, 1_360_000, 140_000, False, set(), id="DOMAIN§4-expert-cap-remaining-equals-raw"),
    pytest.param(0, 1_360_001, 139_999, True, {"expert_cap"}, id="DOMAIN§4-expert-cap-one-past"),
    pytest.param(0, 1_500_000, 0, True, {"expert_cap_used_up"}, id="DOMAIN§4-expert-cap-used-up"),
    # both caps: the smaller remainder wins
    pytest.param(200_000, 1_450_000, 50_000, True, {"sme_cap", "expert_cap"}, id="DOMAIN§4-both-caps-expert-smaller"),
    pytest.param(250_000, 1_400_000, 50_000, True, {"sme_cap"}, id="DOMAIN§4-both-caps-sme-smaller"),
]


@pytest.mark.parametrize(("sme_prior", "expert_prior", "subsidy", "capped", "codes"), CAP_CASES)
def test_caps_cut_the_honorarium_and_grow_the_sme_share(sme_prior, expert_prior, subsidy, capped, codes):
    """DOMAIN.md §4: at most 300,000 yen per SME and 1,500,000 yen per expert; a cut moves to the SME's
    share (design)."""
    q = quote(4000, 40, sme_prior_yen=sme_prior, expert_prior_yen=expert_prior)
    assert q.subsidy_total == subsidy
    assert q.sme_burden_total == 160_000 - subsidy
    assert q.capped is capped
    assert q.eligible is (subsidy > 0)
    assert codes <= set(q.codes)
    assert (q.subsidy_per_hour, q.sme_burden_per_hour) == (3500, 500)  # the split is before caps


HOURS_OK = [
    pytest.param(2, Decimal("2"), id="DOMAIN§4-half-hours-int"),
    pytest.param(1.5, Decimal("1.5"), id="DOMAIN§4-half-hours-float"),
    pytest.param("0.5", Decimal("0.5"), id="DOMAIN§4-half-hours-str-at-minimum"),
    pytest.param("１．５", Decimal("1.5"), id="DOMAIN§4-half-hours-fullwidth"),
    pytest.param(" 3時間 ", Decimal("3"), id="DOMAIN§4-half-hours-with-unit"),
    pytest.param(Decimal("2.50"), Decimal("2.5"), id="DOMAIN§4-half-hours-decimal"),
]


@pytest.mark.parametrize(("hours", "expected"), HOURS_OK)
def test_hours_in_half_hour_steps(hours, expected):
    """DOMAIN.md §4 (design): hours are counted in half-hour steps."""
    assert parse_hours(hours) == expected
    assert quote(1000, hours).hours == expected


HOURS_BAD = [
    pytest.param(0, id="DOMAIN§4-hours-zero"),
    pytest.param("-0.5", id="DOMAIN§4-hours-negative"),
    pytest.param(0.3, id="DOMAIN§4-hours-not-half-step"),
    pytest.param("1.25", id="DOMAIN§4-hours-quarter"),
    pytest.param("abc", id="DOMAIN§4-hours-text"),
    pytest.param(None, id="DOMAIN§4-hours-none"),
    pytest.param(True, id="DOMAIN§4-hours-bool"),
    pytest.param(float("nan"), id="DOMAIN§4-hours-nan"),
    pytest.param(float("inf"), id="DOMAIN§4-hours-inf"),
    pytest.param("Infinity", id="DOMAIN§4-hours-str-inf"),
    pytest.param(1e300, id="DOMAIN§4-hours-absurd"),
]


@pytest.mark.parametrize("hours", HOURS_BAD)
def test_bad_hours_raise(hours):
    """Issue 3: hours that are not a positive multiple of 0.5 raise ValueError (Japanese)."""
    with raises_japanese("0.5時間"):
        quote(4000, hours)


@pytest.mark.parametrize("kwargs", [
    pytest.param({"hourly_rate_yen": -1}, id="issue3-negative-rate"),
    pytest.param({"hourly_rate_yen": 4000.0}, id="issue3-float-rate"),
    pytest.param({"sme_prior_yen": -1}, id="issue3-negative-sme-prior"),
    pytest.param({"expert_prior_yen": -1}, id="issue3-negative-expert-prior"),
    pytest.param({"at": datetime(2021, 6, 1, 10, 0)}, id="issue3-naive-at"),  # noqa: DTZ001
])
def test_bad_amounts_raise(kwargs):
    """Issue 3: a negative rate or prior amount, or a naive ``at``, raises ValueError (Japanese)."""
    args = {"hourly_rate_yen": 4000, "hours": 1} | kwargs
    with raises_japanese():
        quote(args.pop("hourly_rate_yen"), args.pop("hours"), **args)


@pytest.mark.parametrize("at", [
    pytest.param(PHASE2_START, id="DOMAIN§4-at-phase2-start-jst"),
    pytest.param(datetime(2021, 4, 26, 1, 0, tzinfo=UTC), id="DOMAIN§4-at-phase2-start-utc"),
    pytest.param(datetime(2021, 4, 26, 0, 59, 59, tzinfo=UTC), id="DOMAIN§4-instant-before-phase2-earliest-row"),
    pytest.param(datetime(2021, 12, 24, 23, 59, tzinfo=JST), id="DOMAIN§4-claim-deadline"),
])
def test_dated_parameters_are_looked_up_at_the_given_instant(at):
    """ARCHITECTURE.md Rules as code: the honorarium cap, minimum share and caps are dated values read
    with as_of; omitted ``at`` means the Phase II values."""
    assert quote(4000, 40, at=at) == quote(4000, 40)
    assert HONORARIUM_CAP_PER_HOUR.as_of(at) == 3500
    assert MIN_SME_SHARE_PER_HOUR.as_of(at) == 500
    assert SME_CAP_YEN.as_of(at) == 300_000
    assert EXPERT_CAP_YEN.as_of(at) == 1_500_000


RATES = st.integers(min_value=0, max_value=30_000)
HALF_HOURS = st.integers(min_value=1, max_value=800)
PRIORS = st.integers(min_value=0, max_value=2_000_000)


@given(RATES, HALF_HOURS, PRIORS, PRIORS)
def test_property_honorarium_never_exceeds_3500_per_hour_or_a_cap(rate, half_hours, sme_prior, expert_prior):
    """Issue 3 property (seed 最大3,500円/時間; DOMAIN.md §4 caps): the honorarium never exceeds
    3,500 x hours, the SME's remaining 300,000 or the expert's remaining 1,500,000."""
    hours = Decimal(half_hours) / 2
    q = quote(rate, hours, sme_prior_yen=sme_prior, expert_prior_yen=expert_prior)
    assert 0 <= q.subsidy_total <= 3500 * hours
    assert q.subsidy_total <= max(0, 300_000 - sme_prior)
    assert q.subsidy_total <= max(0, 1_500_000 - expert_prior)
    assert q.eligible is (q.subsidy_total > 0)
    assert q.capped is (q.subsidy_total < q.raw_subsidy_total)


@given(RATES, HALF_HOURS, PRIORS, PRIORS)
def test_property_sme_share_plus_honorarium_is_the_fee(rate, half_hours, sme_prior, expert_prior):
    """Issue 3 property (DOMAIN.md §4): sme_burden_total + subsidy_total = fee_total, and the SME pays at
    least 500 yen per hour whenever an honorarium is paid."""
    hours = Decimal(half_hours) / 2
    q = quote(rate, hours, sme_prior_yen=sme_prior, expert_prior_yen=expert_prior)
    assert q.sme_burden_total + q.subsidy_total == q.fee_total
    assert q.sme_burden_total >= 0
    if q.eligible:
        assert q.sme_burden_per_hour >= 500
    assert q.reasons
