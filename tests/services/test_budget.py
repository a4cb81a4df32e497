"""services/budget.py: the one writer of money (MONEY.md §2).  Every move changes the program row, the
SME's row and the expert's row alike; a reservation over a limit changes nothing; ``verify`` finds a
counter that is not what the ledger adds up to.  (The conftest runs ``verify`` after every test.)"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from dxapp.extensions import db
from dxapp.models import AuditEvent, BudgetMove, ExpertCarryOver, HonorariumUsage, ProgramBudget
from dxapp.rules import budget as rules
from dxapp.services import budget
from dxapp.services.budget import CounterMismatch, LimitReached, Parties


@pytest.fixture
def parties(users):
    return Parties(users("sme").id, users("expert").id)


def _counters(row) -> tuple[int, int, int]:
    db.session.refresh(row)
    return row.committed_yen, row.claimed_yen, row.paid_yen


def _set_total(total: int) -> None:
    db.session.execute(update(ProgramBudget).values(total_yen=total))
    db.session.commit()


def test_the_migration_makes_the_program_row_with_the_published_budget(app):
    row = budget.program()
    assert row.total_yen == rules.PROGRAM_BUDGET_YEN == 10_000_000_000
    assert _counters(row) == (0, 0, 0)
    assert budget.standing().intake_open


def test_a_whole_life_of_money_moves_every_counter_alike(app, parties):
    budget.reserve(parties, 140_000, object_type="test_reservation", object_id="S00000000001")
    db.session.commit()
    sme, expert = budget.usage_row("sme", parties.sme_user_id), budget.usage_row("expert", parties.expert_user_id)
    for row in (budget.program(), sme, expert):
        assert _counters(row) == (140_000, 0, 0)
    budget.claim(parties, 100_000, object_type="honorarium_claim", object_id="H0000000001")
    budget.release(parties, 40_000, object_type="test_reservation", object_id="S00000000001")
    budget.pay(parties, 100_000, object_type="honorarium_claim", object_id="H0000000001")
    db.session.commit()
    for row in (budget.program(), sme, expert):
        assert _counters(row) == (0, 0, 100_000)
    assert budget.verify() == []
    kinds = db.session.scalars(select(BudgetMove.kind).order_by(BudgetMove.id)).all()
    assert kinds == ["reserve", "claim", "release", "pay"]
    audits = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("budget.%"))
                                .order_by(AuditEvent.id)).all()
    assert audits == ["budget.reserve", "budget.claim", "budget.release", "budget.pay"]


def test_the_sme_cap_refuses_a_reservation_and_nothing_is_reserved(app, users, parties):
    budget.reserve(parties, 250_000, object_type="test_reservation", object_id="a")
    db.session.commit()
    other_expert = Parties(parties.sme_user_id, users("expert").id)
    with pytest.raises(LimitReached) as refused:
        budget.reserve(other_expert, 50_001, object_type="test_reservation", object_id="b")
    assert (refused.value.limit, refused.value.headroom_yen) == ("sme", 50_000)
    db.session.commit()
    # The program row's UPDATE ran before the SME's was refused: the savepoint took it back.
    assert _counters(budget.program()) == (250_000, 0, 0)
    assert _counters(budget.usage_row("expert", other_expert.expert_user_id)) == (0, 0, 0)
    assert db.session.scalar(select(func.count()).select_from(BudgetMove)) == 1
    budget.reserve(other_expert, 50_000, object_type="test_reservation", object_id="b")  # exactly the cap
    db.session.commit()
    assert _counters(budget.usage_row("sme", parties.sme_user_id)) == (300_000, 0, 0)


def test_the_expert_cap_counts_the_phase_one_honoraria(app, users):
    expert = users("expert")
    from dxapp import clock

    db.session.add(ExpertCarryOver(user_id=expert.id, phase1_honorarium_yen=1_400_000, created_at=clock.wall_now()))
    db.session.commit()
    first = Parties(users("sme").id, expert.id)
    budget.reserve(first, 60_000, object_type="test_reservation", object_id="a")
    with pytest.raises(LimitReached) as refused:
        budget.reserve(Parties(users("sme").id, expert.id), 40_001, object_type="test_reservation", object_id="b")
    assert (refused.value.limit, refused.value.headroom_yen) == ("expert", 40_000)
    row = budget.usage_row("expert", expert.id)
    assert (row.cap_yen, row.prior_yen) == (1_500_000, 1_400_000)


def test_the_program_budget_refuses_first(app, parties):
    _set_total(100_000)
    with pytest.raises(LimitReached) as refused:
        budget.reserve(parties, 100_001, object_type="test_reservation", object_id="a")
    assert (refused.value.limit, refused.value.headroom_yen) == ("program", 100_000)
    budget.reserve(parties, 100_000, object_type="test_reservation", object_id="a")
    db.session.commit()
    assert not budget.standing().intake_open and budget.standing().remaining_yen == 0


@pytest.mark.parametrize("kind, amount", [("release", 1), ("claim", 1), ("pay", 1), ("refuse", 1), ("unclaim", 1)])
def test_taking_more_than_a_counter_holds_is_refused_and_changes_nothing(app, parties, kind, amount):
    with pytest.raises(CounterMismatch):
        getattr(budget, kind)(parties, amount, object_type="test_reservation", object_id="a")
    db.session.commit()
    assert _counters(budget.program()) == (0, 0, 0)
    assert db.session.scalar(select(func.count()).select_from(BudgetMove)) == 0


@pytest.mark.parametrize("amount", [0, -1, 1.5, True, "100"])
def test_an_amount_that_is_not_a_positive_integer_of_yen_is_refused(app, parties, amount):
    with pytest.raises(ValueError):
        budget.reserve(parties, amount, object_type="test_reservation", object_id="a")


def test_the_total_never_goes_below_what_is_used(app, users, parties):
    admin = users("admin")
    budget.reserve(parties, 200_000, object_type="test_reservation", object_id="a")
    with pytest.raises(LimitReached) as refused:
        budget.set_total(199_999, actor=admin)
    assert refused.value.headroom_yen == 200_000
    budget.set_total(200_000, actor=admin)
    db.session.commit()
    assert budget.program().total_yen == 200_000
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "budget.total_set")).one()
    assert event.summary == {"before_yen": 10_000_000_000, "after_yen": 200_000}


def test_verify_finds_a_counter_changed_behind_the_ledger(app, parties):
    budget.reserve(parties, 10_000, object_type="test_reservation", object_id="a")
    db.session.commit()
    db.session.execute(update(HonorariumUsage).where(HonorariumUsage.party == "sme")
                       .values(committed_yen=HonorariumUsage.committed_yen + 1))
    db.session.commit()
    differences = budget.verify()
    assert [(d.row, d.counter, d.stored_yen, d.recomputed_yen) for d in differences] == [
        (f"sme {parties.sme_user_id}", "committed", 10_001, 10_000)]
    app.config["BUDGET_VERIFY_AT_TEARDOWN"] = False  # this test broke the counters on purpose


def test_the_database_refuses_an_overshoot_even_past_the_service(app, parties):
    from sqlalchemy.exc import IntegrityError

    budget.reserve(parties, 10_000, object_type="test_reservation", object_id="a")
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(update(HonorariumUsage).where(HonorariumUsage.party == "sme")
                           .values(committed_yen=300_001))
        db.session.flush()
    db.session.rollback()


def test_flask_budget_verify_exits_1_with_a_table_of_differences(app, parties):
    runner = app.test_cli_runner()
    budget.reserve(parties, 10_000, object_type="test_reservation", object_id="a")
    db.session.commit()
    ok = runner.invoke(args=["budget", "verify"])
    assert ok.exit_code == 0 and "every counter matches" in ok.output
    db.session.execute(update(ProgramBudget).values(paid_yen=5))
    db.session.commit()
    bad = runner.invoke(args=["budget", "verify"])
    assert bad.exit_code == 1 and "program" in bad.output and "paid" in bad.output
    shown = runner.invoke(args=["budget", "show"])
    assert shown.exit_code == 0 and "10,000" in shown.output
    app.config["BUDGET_VERIFY_AT_TEARDOWN"] = False
