"""The honorarium budget (seed: 「本事業における謝金の申請額と契約締結され実施中の支援にかかる謝金額の合計が
謝金予算額を上回る場合は、登録受付および契約締結を締め切る」; DOMAIN.md §4 Budget; all of Phase II).

Only the arithmetic lives here (what a page shows, and the same inequality written in SQL).  The
reservation itself is never read-check-write and never relies on a row lock (SQLite ignores
``FOR UPDATE``): the service that concludes a contract runs one conditional
``UPDATE ... SET committed = committed + :x WHERE committed + claimed + paid + :x <= total`` per limit
(program budget, the SME's usage, the expert's usage), in that fixed order, inside one transaction,
each checked by its row count and all rolled back together when one fails (SECURITY.md rule 1,
MONEY.md §2), so concurrent conclusions can never overshoot.
"""

from __future__ import annotations

__all__ = ["COUNTERS", "LIMITS", "MOVES", "MOVE_KINDS", "PROGRAM_BUDGET_YEN", "can_commit", "effect", "headroom",
           "intake_open", "used"]

#: 10 billion yen over both phases (DOMAIN.md §4).
PROGRAM_BUDGET_YEN = 10_000_000_000

CITATION = "seed 各種期間「謝金予算額を上回る場合は、登録受付および契約締結を締め切る」; DOMAIN.md §4 Budget"

_LABELS = {
    "budget_yen": "謝金予算額",
    "claimed_yen": "謝金の申請額",
    "committed_yen": "契約済みで実施中の支援の謝金額",
    "amount_yen": "今回の謝金額",
}


def _check(**amounts: object) -> None:
    for name, value in amounts.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{_LABELS[name]}を0円以上の円単位の整数で指定してください。")


def can_commit(budget_yen: int, claimed_yen: int, committed_yen: int, amount_yen: int) -> bool:
    """A contract whose honorarium is ``amount_yen`` may be concluded when claimed + committed + amount
    stays within the budget (<=; seed 謝金予算額, DOMAIN.md §4: a conclusion never overshoots; Phase II
    from 2021-04-26)."""
    _check(budget_yen=budget_yen, claimed_yen=claimed_yen, committed_yen=committed_yen, amount_yen=amount_yen)
    return claimed_yen + committed_yen + amount_yen <= budget_yen


def intake_open(budget_yen: int, claimed_yen: int, committed_yen: int) -> bool:
    """Registration and contract conclusion stay open while claimed + committed < budget (seed
    謝金予算額, DOMAIN.md §4; Phase II from 2021-04-26).  At equality everything is committed and nothing more could be concluded,
    so intake closes."""
    _check(budget_yen=budget_yen, claimed_yen=claimed_yen, committed_yen=committed_yen)
    return claimed_yen + committed_yen < budget_yen


# ------------------------------------------------------------------------------------ the counters
#
# Three counters on every limit row (the program budget, each SME's usage, each expert's usage):
# committed (reserved by concluded, running plans), claimed (claims submitted or approved, not yet
# paid) and paid (MONEY.md §2).  Every change of them is one of these moves, written to the ledger
# with its amount; the counters are the ledger's sums, which is what ``flask budget verify`` checks.

COUNTERS = ("committed", "claimed", "paid")

#: Move -> what it does to each counter (+1 adds the amount, -1 takes it away).
MOVES: dict[str, dict[str, int]] = {
    "reserve": {"committed": +1},                 # second party concludes; an approved change adds hours
    "release": {"committed": -1},                 # fewer hours, cancellation, the unclaimed rest
    "claim": {"committed": -1, "claimed": +1},    # a claim is submitted (amount <= the reservation)
    "unclaim": {"claimed": -1, "committed": +1},  # a returned claim resubmitted with a lower amount
    "refuse": {"claimed": -1},                    # a claim not approved
    "pay": {"claimed": -1, "paid": +1},           # the transfer is confirmed
}
MOVE_KINDS = tuple(MOVES)

#: The limits in the fixed order of every reservation (MONEY.md §2: deadlock-free, one order).
LIMITS = ("program", "sme", "expert")


def effect(moves: list[tuple[str, int]]) -> dict[str, int]:
    """The counters that ``moves`` (kind, amount) add up to, from zero."""
    totals = dict.fromkeys(COUNTERS, 0)
    for kind, amount in moves:
        if kind not in MOVES:
            raise ValueError(f"未知の予算の動き: {kind}")
        _check(amount_yen=amount)
        for counter, sign in MOVES[kind].items():
            totals[counter] += sign * amount
    return totals


def used(committed_yen: int, claimed_yen: int, paid_yen: int, prior_yen: int = 0) -> int:
    """What counts against a limit: the prior amount (Phase I honoraria of an expert) and the three
    counters (MONEY.md §2: used = committed + claimed + paid)."""
    return prior_yen + committed_yen + claimed_yen + paid_yen


def headroom(limit_yen: int, committed_yen: int, claimed_yen: int, paid_yen: int, prior_yen: int = 0) -> int:
    """What can still be reserved under ``limit_yen`` (never below 0)."""
    return max(0, limit_yen - used(committed_yen, claimed_yen, paid_yen, prior_yen))
