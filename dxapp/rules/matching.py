"""Matching (issue 12; MONEY.md §1): proposals, introductions, self-matches, matches, message threads
and support packages: their statuses, which status may follow which, and the limits of a message.

Pure: no Flask, no SQLAlchemy; instants are arguments.  The models' status CHECKs use exactly these
tuples, and ``dxapp.labels`` names each status for people.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "INTRODUCTION_STATUSES",
    "INTRODUCTION_TRANSITIONS",
    "MATCH_ORIGINS",
    "MESSAGE_MAX_CHARS",
    "MESSAGES_PER_HOUR",
    "PACKAGE_STATUSES",
    "PACKAGE_TRANSITIONS",
    "PROPOSAL_STATUSES",
    "PROPOSAL_TRANSITIONS",
    "REPORT_STATUSES",
    "SELF_MATCH_STATUSES",
    "SELF_MATCH_TRANSITIONS",
    "SIGNAL_STATUSES",
    "may_move",
]

CITE = "MONEY.md §1「提案 送信済み → 採用 / 不採用 / 取下げ」「紹介 紹介中 → 承諾 / 辞退」「マッチング one per (SME, expert, case)」"

#: 提案: 送信済み → 採用 / 不採用 / 取下げ (MONEY.md §1).  One open (``sent``) proposal per expert and case.
PROPOSAL_STATUSES = ("sent", "accepted", "declined", "withdrawn")
PROPOSAL_TRANSITIONS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "sent": ("accepted", "declined", "withdrawn"),
    "accepted": (),
    "declined": (),
    "withdrawn": (),
})

#: 紹介: 紹介中 → 承諾 / 辞退 (MONEY.md §1); the secretariat introduces, the expert answers.
INTRODUCTION_STATUSES = ("introduced", "accepted", "declined")
INTRODUCTION_TRANSITIONS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "introduced": ("accepted", "declined"),
    "accepted": (),
    "declined": (),
})

#: セルフマッチング (design): the SME names the expert by registration number, the expert confirms or
#: declines; the SME may cancel while it waits.
SELF_MATCH_STATUSES = ("requested", "confirmed", "declined", "cancelled")
SELF_MATCH_TRANSITIONS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "requested": ("confirmed", "declined", "cancelled"),
    "confirmed": (),
    "declined": (),
    "cancelled": (),
})

#: Where a match came from (MONEY.md §1: an accepted proposal, an accepted introduction, a confirmed
#: self-match; a requested package is a proposal from the package's expert).
MATCH_ORIGINS = ("proposal", "introduction", "self_match")

#: 支援提供パッケージ (seed): drafted, published to SMEs, withdrawn from view (may be published again).
PACKAGE_STATUSES = ("draft", "published", "unpublished")
PACKAGE_TRANSITIONS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "draft": ("published",),
    "published": ("unpublished",),
    "unpublished": ("published",),
})

#: A message reported to the secretariat: open until a clerk has looked at it.
REPORT_STATUSES = ("open", "handled")

#: A fraud signal found when a match forms (same address, phone, representative, bank, person).
SIGNAL_STATUSES = ("open", "acknowledged")

#: Messages (issue 12): plain text up to 2,000 characters; 30 messages an hour per account.
MESSAGE_MAX_CHARS = 2000
MESSAGES_PER_HOUR = 30

_TABLES = {
    "proposal": PROPOSAL_TRANSITIONS,
    "introduction": INTRODUCTION_TRANSITIONS,
    "self_match": SELF_MATCH_TRANSITIONS,
    "package": PACKAGE_TRANSITIONS,
}


def may_move(kind: str, current: str, to: str) -> bool:
    """True when an object of ``kind`` (proposal, introduction, self_match, package) may move from
    ``current`` to ``to``."""
    return to in _TABLES[kind].get(current, ())
