"""IT experts: seed IT専門家の範囲; DOMAIN.md §6.1 (qualification required from 2021-10-19)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dxapp.rules import JST
from dxapp.rules.expert import QUALIFICATION_REQUIRED, QUALIFICATIONS, ExpertFacts, assess
from tests.fixtures.rules import assert_reasons_explain, raises_japanese

CHANGE = datetime(2021, 10, 19, 0, 0, tzinfo=JST)
TICK = timedelta(microseconds=1)

INSTANTS = {
    "day-before-jst": datetime(2021, 10, 18, 0, 0, tzinfo=JST),
    "instant-before-jst": CHANGE - TICK,
    "instant-before-utc": (CHANGE - TICK).astimezone(UTC),
    "at-change-jst": CHANGE,
    "at-change-utc": datetime(2021, 10, 18, 15, 0, tzinfo=UTC),
    "day-of-change-jst": datetime(2021, 10, 19, 12, 0, tzinfo=JST),
}
AFTER = {"at-change-jst", "at-change-utc", "day-of-change-jst"}


def test_qualification_names():
    """DOMAIN.md §6.1: the listed qualifications and their Japanese names."""
    assert dict(QUALIFICATIONS) == {
        "sme_consultant": "中小企業診断士",
        "ipa_exam": "情報処理技術者試験（IPA）",
        "security_specialist": "情報処理安全確保支援士",
        "web_design_skill": "ウェブデザイン技能検定",
        "professional_engineer_it": "技術士・技術士補（情報工学部門）",
        "it_coordinator": "ITコーディネータ",
    }


def cases():
    for name, at in INSTANTS.items():
        after = name in AFTER
        tag = f"DOMAIN§6.1-qualification-2021-10-19-{name}"
        yield pytest.param(ExpertFacts("freelance"), at, not after, id=f"{tag}-freelance-without")
        yield pytest.param(ExpertFacts("freelance", qualifications={"ipa_exam"}), at, True, id=f"{tag}-freelance-with")
        yield pytest.param(ExpertFacts("side_job", employer_permission=True), at, not after,
                           id=f"{tag}-side-job-permitted-without")
        yield pytest.param(ExpertFacts("side_job", employer_permission=True, qualifications=["it_coordinator"]), at,
                           True, id=f"{tag}-side-job-permitted-with")
        yield pytest.param(ExpertFacts("side_job", qualifications={"sme_consultant"}), at, False,
                           id=f"seed範囲-side-job-without-permission-{name}")
        yield pytest.param(ExpertFacts("supporter_member", supporter_certified=True), at, True,
                           id=f"seed範囲-supporter-member-needs-no-qualification-{name}")
        yield pytest.param(ExpertFacts("supporter_member", qualifications={"ipa_exam"}), at, False,
                           id=f"seed範囲-supporter-not-certified-{name}")


@pytest.mark.parametrize(("facts", "at", "eligible"), list(cases()))
def test_assess(facts, at, eligible):
    """Seed IT専門家の範囲 (side jobs need permission; supporter members need a certified corporation) and
    DOMAIN.md §6.1 (individuals need a listed qualification from 2021-10-19 00:00 JST)."""
    decision = assess(facts, at)
    assert decision.eligible is eligible
    assert_reasons_explain(decision)


@pytest.mark.parametrize("code", sorted(QUALIFICATIONS))
def test_each_listed_qualification_suffices(code):
    """DOMAIN.md §6.1: any one listed qualification is enough."""
    assert assess(ExpertFacts("freelance", qualifications=frozenset({code})), CHANGE).eligible


def test_missing_qualification_message_lists_the_choices():
    """DOMAIN.md §6.1: the reason tells the expert which qualifications count."""
    decision = assess(ExpertFacts("freelance"), CHANGE)
    assert "qualification_missing" in decision.codes
    assert all(name in decision.messages[0] for name in QUALIFICATIONS.values())


def test_qualification_requirement_is_a_dated_parameter():
    """ARCHITECTURE.md Rules as code: the requirement is looked up with as_of; its one change is
    2021-10-19 00:00 JST."""
    assert tuple(QUALIFICATION_REQUIRED.changes()) == (CHANGE,)
    assert QUALIFICATION_REQUIRED.as_of(CHANGE - TICK) is False
    assert QUALIFICATION_REQUIRED.as_of(CHANGE) is True


@pytest.mark.parametrize(("facts", "at", "match"), [
    pytest.param(ExpertFacts("freelance"), datetime(2021, 10, 19), "タイムゾーン", id="issue3-naive-at"),  # noqa: DTZ001
    pytest.param(ExpertFacts("employee"), CHANGE, "区分", id="issue3-unknown-kind"),
    pytest.param(ExpertFacts("freelance", qualifications={"toeic"}), CHANGE, "資格", id="issue3-unknown-qualification"),
    pytest.param(ExpertFacts("freelance", qualifications="ipa_exam"), CHANGE, "資格", id="issue3-qualifications-as-text"),
    pytest.param(ExpertFacts("side_job", employer_permission="yes"), CHANGE, "はい", id="issue3-flag-not-bool"),
])
def test_bad_facts_raise(facts, at, match):
    """Issue 3: a naive ``at`` and unknown codes raise ValueError (Japanese)."""
    with raises_japanese(match):
        assess(facts, at)
