"""Small helpers shared by the rules tests."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@contextmanager
def raises_japanese(match: str | None = None):
    """Like ``pytest.raises(ValueError)``, and the message must be Japanese (every ValueError the rules
    raise is shown to a user)."""
    with pytest.raises(ValueError, match=match) as info:
        yield info
    message = str(info.value)
    assert JAPANESE.search(message), f"not a Japanese message: {message!r}"
    assert message.endswith(("。", "）", "」")), f"message should be a sentence: {message!r}"


def assert_reasons_explain(decision) -> None:
    """Every reason has a code, a Japanese message and a citation."""
    assert decision.reasons, "a decision explains itself"
    for reason in decision.reasons:
        assert reason.code and reason.citation
        assert JAPANESE.search(reason.message), reason
