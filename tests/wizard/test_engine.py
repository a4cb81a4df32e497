"""The wizard engine's navigation is a pure function of the answers (ARCHITECTURE.md, wizard engine)."""

import pytest

from dxapp.wizard import (
    STATUS_DONE,
    STATUS_IN_PROGRESS,
    STATUS_NEEDS_REVIEW,
    STATUS_NOT_STARTED,
    Section,
    Step,
    Wizard,
)


class StubForm:  # the engine never instantiates forms in navigation
    pass


def is_company(answers):
    return Wizard.data(answers, "form").get("legal_form") == "company"


WIZ = Wizard(
    name="stub",
    title="Stub",
    sections=(Section("a", "A"), Section("b", "B"), Section("c", "C")),
    steps=(
        Step("form", "Legal form", StubForm, "a"),
        Step("capital", "Capital", StubForm, "a", show_if=is_company),
        Step("employees", "Employees", StubForm, "b"),
        Step("consent", "Consent", StubForm, "c"),
    ),
)


def answered(*slugs, **data):
    answers = {"steps": {}, "partial": {}, "flags": {}}
    for slug in slugs:
        answers = Wizard.with_step(answers, slug, raw={}, data=data.get(slug, {}))
    return answers


COMPANY = {"form": {"legal_form": "company"}}
SOLE = {"form": {"legal_form": "sole_proprietor"}}


def test_first_incomplete_is_first_step_when_empty():
    assert WIZ.first_incomplete_step(answered()).slug == "form"


@pytest.mark.parametrize(
    ("data", "expected"),
    [(COMPANY, ["form", "capital", "employees", "consent"]), (SOLE, ["form", "employees", "consent"])],
    ids=["company-sees-capital", "sole-proprietor-skips-capital"],
)
def test_show_if_decides_the_branch(data, expected):
    answers = answered("form", **data)
    assert [s.slug for s in WIZ.visible_steps(answers)] == expected


def test_next_step_follows_branch():
    assert WIZ.next_step(answered("form", **COMPANY), "form").slug == "capital"
    assert WIZ.next_step(answered("form", **SOLE), "form").slug == "employees"


def test_next_step_skips_completed_steps_when_changing_an_answer():
    answers = answered("form", "capital", "employees", **COMPANY)
    # Changing the legal form again: the next thing still to do is consent.
    assert WIZ.next_step(answers, "form").slug == "consent"


def test_next_step_none_means_check_answers():
    answers = answered("form", "capital", "employees", "consent", **COMPANY)
    assert WIZ.next_step(answers, "consent") is None
    assert WIZ.is_finished(answers)


def test_switching_branch_hides_but_keeps_answers():
    answers = answered("form", "capital", "employees", "consent", **COMPANY)
    answers = Wizard.with_step(answers, "form", raw={}, data=SOLE["form"])
    assert WIZ.is_finished(answers)  # capital no longer asked
    assert "capital" in answers["steps"]  # not thrown away: switching back restores it
    assert [s.slug for s in WIZ.visible_steps(answers)] == ["form", "employees", "consent"]


def test_can_open_only_after_earlier_steps():
    answers = answered("form", **COMPANY)
    assert WIZ.can_open(answers, "form")
    assert WIZ.can_open(answers, "capital")
    assert not WIZ.can_open(answers, "employees")
    assert not WIZ.can_open(answered("form", **SOLE), "capital")  # hidden on this branch
    assert not WIZ.can_open(answers, "unknown")


def test_progress_counts_visible_steps():
    assert WIZ.progress(answered("form", **COMPANY)) == (1, 4)
    assert WIZ.progress(answered("form", **SOLE)) == (1, 3)


def test_previous_step():
    answers = answered("form", **SOLE)
    assert WIZ.previous_step(answers, "employees").slug == "form"
    assert WIZ.previous_step(answers, "form") is None


def test_task_list_statuses():
    answers = answered("form", **COMPANY)
    statuses = {t.section.key: t.status for t in WIZ.task_list(answers)}
    assert statuses == {"a": STATUS_IN_PROGRESS, "b": STATUS_NOT_STARTED, "c": STATUS_NOT_STARTED}
    answers = answered("form", "capital", **COMPANY)
    assert WIZ.task_list(answers)[0].status == STATUS_DONE
    answers = Wizard.with_partial(answers, "employees", {"employees": ["12"]})
    assert WIZ.task_list(answers)[1].status == STATUS_IN_PROGRESS


def test_flagged_step_needs_review_and_is_incomplete():
    answers = answered("form", "capital", "employees", "consent", **COMPANY)
    answers["flags"] = {"capital": "資本金が登記事項証明書と一致しません"}
    assert WIZ.task_list(answers)[0].status == STATUS_NEEDS_REVIEW
    assert WIZ.first_incomplete_step(answers).slug == "capital"
    # Re-entering the flagged step clears the flag.
    answers = Wizard.with_step(answers, "capital", raw={}, data={})
    assert WIZ.is_finished(answers)


def test_with_step_clears_partial_and_does_not_mutate():
    before = Wizard.with_partial(answered(), "form", {"legal_form": ["company"]})
    after = Wizard.with_step(before, "form", raw={"legal_form": ["company"]}, data=COMPANY["form"])
    assert "form" in before["partial"] and "form" not in after["partial"]
    assert "form" not in before["steps"]


def test_task_first_slug_points_to_first_unfinished_step():
    answers = answered("form", **COMPANY)
    assert WIZ.task_list(answers)[0].first_slug == "capital"


def test_duplicate_slugs_and_unknown_sections_are_rejected():
    with pytest.raises(ValueError):
        Wizard("x", "X", (Section("a", "A"),), (Step("s", "S", StubForm, "a"), Step("s", "S", StubForm, "a")))
    with pytest.raises(ValueError):
        Wizard("x", "X", (Section("a", "A"),), (Step("s", "S", StubForm, "zzz"),))
