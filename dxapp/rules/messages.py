"""Messages between an SME and an expert (issue 12 "Messages"): what a message body is once normalised,
whether its length is allowed, and when an account that reached the hourly limit may send again.

Pure: no Flask, no SQLAlchemy; instants are arguments (wall time: the limit is a security timer).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime, timedelta

from dxapp.rules.matching import MESSAGE_MAX_CHARS, MESSAGES_PER_HOUR

__all__ = [
    "RATE_WINDOW",
    "REPORT_REASON_MAX_CHARS",
    "body_problem",
    "next_allowed_at",
    "normalise_body",
]

CITE = "issue 12「Plain text with line breaks kept, up to 2,000 characters, no HTML」「Rate limit per account (for example 30 messages an hour)」"

#: The window of the rate limit (MESSAGES_PER_HOUR messages in any such window).
RATE_WINDOW = timedelta(hours=1)

#: What a reporter may write about a reported message, and a clerk about how it was handled.
REPORT_REASON_MAX_CHARS = 1000

_NEWLINES = re.compile(r"\r\n?|[\u0085\u2028\u2029]")


def normalise_body(text: str | None) -> str:
    """The body as stored: every kind of line break becomes ``\\n``, control characters other than line
    breaks and tabs are dropped, blank space at the start and end is trimmed.  Nothing else changes
    (the text is plain; markup is shown as typed, escaped)."""
    text = _NEWLINES.sub("\n", text or "")
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    return text.strip()


def body_problem(text: str, *, limit: int = MESSAGE_MAX_CHARS) -> str | None:
    """``empty`` or ``too_long`` for a normalised body that may not be sent, else None."""
    if not text:
        return "empty"
    if len(text) > limit:
        return "too_long"
    return None


def next_allowed_at(sent_at: Iterable[datetime], now: datetime, *, limit: int = MESSAGES_PER_HOUR,
                    window: timedelta = RATE_WINDOW) -> datetime | None:
    """None when one more message may be sent at ``now``; otherwise the instant it may: when the oldest
    of the messages inside the window leaves it.  ``sent_at``: the account's recent sending times."""
    recent = sorted(t for t in sent_at if t > now - window)
    if len(recent) < limit:
        return None
    return recent[len(recent) - limit] + window
