"""Shared pieces of dxapp.rules: Reason, Decision and the dated-parameter helper (ARCHITECTURE.md
"Rules as code": parameters that change over time are dated values looked up with as_of)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from dxapp.rules import JST, PHASE2_START, Dated, Decision, Reason, require_aware
from tests.fixtures.rules import raises_japanese

CHANGE = datetime(2021, 10, 19, tzinfo=JST)
TICK = timedelta(microseconds=1)
EXAMPLE = Dated("例", (
    (None, 3500, "first"),
    (CHANGE, 4000, "second"),
))


def test_reason_is_frozen():
    """ARCHITECTURE.md: a reason is a value (code, Japanese message, citation)."""
    reason = Reason("code", "メッセージ", "DOMAIN.md §3")
    with pytest.raises(dataclasses.FrozenInstanceError):
        reason.code = "other"  # type: ignore[misc]
    assert reason.as_dict() == {"code": "code", "message": "メッセージ", "citation": "DOMAIN.md §3"}


def test_decision_lists_codes_and_messages():
    """ARCHITECTURE.md: every decision carries its reasons."""
    decision = Decision(reasons=(Reason("a", "あ", "x"), Reason("b", "い", "y")))
    assert decision.codes == ("a", "b")
    assert decision.messages == ("あ", "い")


@pytest.mark.parametrize(("at", "value"), [
    pytest.param(datetime(2021, 10, 18, tzinfo=JST), 3500, id="Rules-as-code-dated-day-before-change"),
    pytest.param(CHANGE - TICK, 3500, id="Rules-as-code-dated-instant-before-change-jst"),
    pytest.param((CHANGE - TICK).astimezone(UTC), 3500, id="Rules-as-code-dated-instant-before-change-utc"),
    pytest.param(CHANGE, 4000, id="Rules-as-code-dated-at-change-jst"),
    pytest.param(CHANGE.astimezone(UTC), 4000, id="Rules-as-code-dated-at-change-utc"),
    pytest.param(datetime(1900, 1, 1, tzinfo=UTC), 3500, id="Rules-as-code-dated-open-start"),
])
def test_dated_value_as_of(at, value):
    """A dated parameter answers with the row in force at ``at``; rows are added, never edited."""
    assert EXAMPLE.as_of(at) == value
    assert EXAMPLE.source_as_of(at) == ("first" if value == 3500 else "second")


def test_dated_value_without_open_start_refuses_earlier_instants():
    """Before its first recorded row a parameter has no value: ValueError (Japanese)."""
    dated = Dated("例", ((PHASE2_START, 1, "x"),))
    assert dated.as_of(PHASE2_START) == 1
    with raises_japanese("定められていません"):
        dated.as_of(PHASE2_START - TICK)


@pytest.mark.parametrize("history", [
    pytest.param((), id="Rules-as-code-dated-empty"),
    pytest.param(((CHANGE, 1, "x"), (CHANGE, 2, "y")), id="Rules-as-code-dated-not-ascending"),
    pytest.param(((CHANGE, 1, "x"), (None, 2, "y")), id="Rules-as-code-dated-open-start-not-first"),
    pytest.param(((datetime(2021, 10, 19), 1, "x"),), id="Rules-as-code-dated-naive-since"),  # noqa: DTZ001
])
def test_dated_value_history_is_checked(history):
    """A dated parameter's history is in ascending order of aware instants."""
    with raises_japanese():
        Dated("例", history)


@pytest.mark.parametrize("value", [datetime(2021, 10, 19), "2021-10-19", None], ids=["naive", "text", "none"])  # noqa: DTZ001
def test_require_aware(value):
    """Issue 3: time is an aware datetime argument; anything else raises ValueError (Japanese)."""
    with raises_japanese():
        require_aware(value)
    with raises_japanese():
        EXAMPLE.as_of(value)
