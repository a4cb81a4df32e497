"""Conclusions at the same moment (issue 13 "Race-free proof"): both parties conclude one plan at once
-> one reservation; many plans' second conclusions at once under a budget that fits a few -> exactly
that many contracts, the others refused with the limit, never another error; the counters verify."""

from __future__ import annotations

from sqlalchemy import func, select, update

from dxapp import clock
from dxapp.extensions import db
from dxapp.models import BudgetMove, ProgramBudget, SupportPlan, User
from dxapp.services import budget, plans, workflow
from dxapp.transaction import transaction
from tests.fixtures import factories
from tests.fixtures.concurrency import parallel


def _conclude(plan_id: int, user_id: int):
    def run():
        with transaction():  # as the view does: a limit's refusal is kept (recorded on the plan), and shown
            plan = db.session.get(SupportPlan, plan_id)
            try:
                return plans.conclude(plan, actor=db.session.get(User, user_id))
            except budget.LimitReached as refused:
                return refused
    return run


def _approved(users, clerk, *, sme=None, expert=None, **changes):
    sme = sme or factories.approved_sme(users)[0]
    expert = expert or factories.approved_expert(users)[0]
    match = factories.matched(factories.published_case(sme), expert)
    return factories.approved_plan(match, expert, sme, clerk, **changes), sme, expert


def test_both_parties_concluding_at_once_reserve_once(app, users):
    clerk = users("desk")
    plan, sme, expert = _approved(users, clerk)
    results = parallel(app, [_conclude(plan.id, sme.id), _conclude(plan.id, expert.id)])
    assert sorted(r if isinstance(r, str) else type(r).__name__ for r in results) in (
        ["concluding", "running"], ["Stale", "concluding"])
    db.session.expire_all()
    count = db.session.scalar(select(func.count()).select_from(BudgetMove))
    status = db.session.get(SupportPlan, plan.id).status
    assert (status, count) in (("running", 1), ("concluding", 0))
    assert budget.verify() == []


def test_the_same_party_twice_at_once_concludes_once(app, users):
    clerk = users("desk")
    plan, sme, expert = _approved(users, clerk)
    with transaction():
        plans.conclude(db.session.get(SupportPlan, plan.id), actor=db.session.get(User, sme.id))
    results = parallel(app, [_conclude(plan.id, expert.id) for _ in range(4)])
    assert results.count("running") == 1
    assert all(r == "running" or isinstance(r, (plans.PlanRefused, workflow.Stale)) for r in results), results
    assert db.session.scalar(select(func.count()).select_from(BudgetMove)) == 1
    assert budget.program().committed_yen == 35_000
    assert budget.verify() == []


def test_a_budget_that_fits_three_concludes_exactly_three(app, users):
    clerk = users("desk")
    waiting = []
    for _ in range(8):
        plan, sme, expert = _approved(users, clerk)
        with transaction():
            plans.conclude(db.session.get(SupportPlan, plan.id), actor=db.session.get(User, sme.id))
        waiting.append((plan.id, expert.id))
    db.session.execute(update(ProgramBudget).values(total_yen=3 * 35_000))
    db.session.commit()
    results = parallel(app, [_conclude(plan_id, expert_id) for plan_id, expert_id in waiting])
    assert results.count("running") == 3, results
    assert all(r == "running" or isinstance(r, budget.LimitReached) for r in results), results
    assert budget.program().committed_yen == 105_000
    db.session.expire_all()
    refused = db.session.scalars(select(SupportPlan.conclusion_refusal).where(SupportPlan.status == "concluding"))
    assert list(refused) == ["program"] * 5
    assert budget.verify() == []


#: 40 hours at 3,000 yen an hour: 2,500 yen honorarium an hour, 100,000 yen a plan.
HUNDRED_THOUSAND = {"items": (plans.Item("助言", 80, "online"),), "hourly_rate_yen": 3000}


def _waiting_for_the_expert(users, clerk, n, **sides):
    waiting = []
    for _ in range(n):
        plan, sme, expert = _approved(users, clerk, **sides, **HUNDRED_THOUSAND)
        with transaction():
            plans.conclude(db.session.get(SupportPlan, plan.id), actor=db.session.get(User, sme.id))
        waiting.append((plan.id, expert.id))
    return waiting


def test_one_smes_cap_fits_exactly_three_plans(app, users):
    clerk = users("desk")
    sme_id = factories.approved_sme(users)[0].id
    waiting = _waiting_for_the_expert(users, clerk, 8, sme=db.session.get(User, sme_id))
    results = parallel(app, [_conclude(plan_id, expert_id) for plan_id, expert_id in waiting])
    assert results.count("running") == 3, results
    assert all(r == "running" or (isinstance(r, budget.LimitReached) and r.limit == "sme") for r in results), results
    assert budget.usage_row("sme", sme_id).committed_yen == 300_000
    assert budget.verify() == []


def test_one_experts_remaining_cap_fits_exactly_four_plans(app, users):
    from dxapp.models import ExpertCarryOver

    clerk = users("desk")
    expert = factories.approved_expert(users)[0]
    expert_id = expert.id
    db.session.add(ExpertCarryOver(user_id=expert_id, phase1_honorarium_yen=1_100_000,  # 400,000 yen left
                                   created_at=clock.wall_now()))
    db.session.commit()
    waiting = _waiting_for_the_expert(users, clerk, 8, expert=db.session.get(User, expert_id))
    results = parallel(app, [_conclude(plan_id, expert_id) for plan_id, _ in waiting])
    assert results.count("running") == 4, results
    assert all(r == "running" or (isinstance(r, budget.LimitReached) and r.limit == "expert") for r in results)
    assert budget.usage_row("expert", expert_id).committed_yen == 400_000
    assert budget.verify() == []
