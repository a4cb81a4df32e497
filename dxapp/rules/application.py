"""The one status list of every registration application and the moves between them (DOMAIN.md §6).

下書き draft -> 申請済み submitted -> 審査中 under review (a clerk picks it up) -> 差戻し returned ->
再申請 resubmitted -> 審査中 ... -> 承認 approved or 否認 rejected; 取下げ withdrawn from draft,
submitted or returned.
"""

from __future__ import annotations

from types import MappingProxyType

STATUSES = ("draft", "submitted", "under_review", "returned", "resubmitted", "approved", "rejected", "withdrawn")

STATUS_LABELS = MappingProxyType({
    "draft": "下書き",
    "submitted": "申請済み",
    "under_review": "審査中",
    "returned": "差戻し",
    "resubmitted": "再申請",
    "approved": "承認",
    "rejected": "否認",
    "withdrawn": "取下げ",
})

TRANSITIONS = MappingProxyType({
    "draft": frozenset({"submitted", "withdrawn"}),
    "submitted": frozenset({"under_review", "withdrawn"}),
    "under_review": frozenset({"approved", "rejected", "returned"}),
    "returned": frozenset({"resubmitted", "withdrawn"}),
    "resubmitted": frozenset({"under_review"}),
    "approved": frozenset(),
    "rejected": frozenset(),
    "withdrawn": frozenset(),
})

#: Statuses in which the applicant may withdraw (DOMAIN.md §6: from draft, submitted or returned).
WITHDRAWABLE = frozenset(s for s, targets in TRANSITIONS.items() if "withdrawn" in targets)
#: Statuses that end an application.
FINAL = frozenset(s for s, targets in TRANSITIONS.items() if not targets)


def can_move(current: str, target: str) -> bool:
    """True when ``current -> target`` is a move of the status list (DOMAIN.md §6)."""
    if current not in TRANSITIONS or target not in TRANSITIONS:
        raise ValueError("申請の状態が正しくありません。")
    return target in TRANSITIONS[current]
