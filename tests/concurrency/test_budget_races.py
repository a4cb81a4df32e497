"""Reservations at the same moment never overshoot a limit (MONEY.md §2, SECURITY.md rule 1): the
budget set so that exactly a few fit, many threads reserve at once, exactly that many succeed, the
others get LimitReached (never another error), and the counters equal the ledger."""

from __future__ import annotations

from sqlalchemy import func, select, update

from dxapp.extensions import db
from dxapp.models import BudgetMove, ProgramBudget
from dxapp.services import budget
from dxapp.services.budget import LimitReached, Parties
from dxapp.transaction import transaction
from tests.fixtures.concurrency import parallel

THREADS = 12


def _reserve(parties: Parties, amount: int, ref: str):
    def run():
        with transaction():
            budget.reserve(parties, amount, object_type="test_reservation", object_id=ref)
        return "reserved"
    return run


def _outcomes(results) -> dict:
    counts = {"reserved": 0, "refused": 0}
    for result in results:
        if isinstance(result, LimitReached):
            counts["refused"] += 1
        elif result == "reserved":
            counts["reserved"] += 1
        else:
            raise AssertionError(f"an error other than the limit: {result!r}")
    return counts


def test_the_program_budget_admits_exactly_as_many_as_fit(app, users):
    pairs = [Parties(users("sme").id, users("expert").id) for _ in range(THREADS)]
    for p in pairs:  # the usage rows exist, so the race is on the counters alone
        budget.usage_row("sme", p.sme_user_id), budget.usage_row("expert", p.expert_user_id)
    db.session.execute(update(ProgramBudget).values(total_yen=5 * 70_000))
    db.session.commit()
    results = parallel(app, [_reserve(p, 70_000, f"S{i}") for i, p in enumerate(pairs)])
    assert _outcomes(results) == {"reserved": 5, "refused": THREADS - 5}
    assert budget.program().committed_yen == 350_000
    assert db.session.scalar(select(func.count()).select_from(BudgetMove)) == 5
    assert budget.verify() == []


def test_one_smes_cap_admits_exactly_three(app, users):
    sme = users("sme").id
    pairs = [Parties(sme, users("expert").id) for _ in range(THREADS)]
    db.session.commit()
    results = parallel(app, [_reserve(p, 100_000, f"S{i}") for i, p in enumerate(pairs)])
    assert _outcomes(results) == {"reserved": 3, "refused": THREADS - 3}
    assert budget.usage_row("sme", sme).committed_yen == 300_000
    assert budget.verify() == []


def test_one_experts_cap_admits_exactly_four(app, users):
    """1,200,000 yen of Phase I honoraria leave 300,000 under the expert's cap: four of 75,000."""
    from dxapp import clock
    from dxapp.models import ExpertCarryOver

    expert = users("expert").id
    db.session.add(ExpertCarryOver(user_id=expert, phase1_honorarium_yen=1_200_000, created_at=clock.wall_now()))
    pairs = [Parties(users("sme").id, expert) for _ in range(THREADS)]
    db.session.commit()
    results = parallel(app, [_reserve(p, 75_000, f"S{i}") for i, p in enumerate(pairs)])
    assert _outcomes(results) == {"reserved": 4, "refused": THREADS - 4}
    assert budget.usage_row("expert", expert).committed_yen == 300_000
    assert budget.verify() == []
