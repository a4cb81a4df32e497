"""services/plans.py: a change (計画変更) of a running plan, reviewed like a plan; on approval the
reservation's difference is reserved (conditionally) or released and the plan in force takes the new
content; until then the plan in force is unchanged.  The counters always verify."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from dxapp.extensions import db
from dxapp.models import BudgetMove
from dxapp.services import budget, plans, workflow
from tests.fixtures import factories


@pytest.fixture
def running(users):
    sme, _ = factories.approved_sme(users)
    expert, _ = factories.approved_expert(users)
    clerk = users("desk")
    match = factories.matched(factories.published_case(sme), expert)
    plan = factories.running_plan(match, expert, sme, clerk)
    assert plan.reserved_yen == 35_000
    return sme, expert, clerk, plan


def _moves(plan) -> list[tuple[str, int]]:
    return list(db.session.execute(select(BudgetMove.kind, BudgetMove.amount_yen)
                                   .where(BudgetMove.object_id == str(plan.id)).order_by(BudgetMove.id)))


def test_a_change_copies_the_plan_as_a_draft_of_the_next_revision(running):
    _sme, expert, _clerk, plan = running
    change = plans.start_change(plan, actor=expert)
    assert (change.status, change.change_of_id, change.revision, change.reference) == \
        ("draft", plan.id, 2, plan.reference)
    assert [(i.what, i.half_hours, i.mode) for i in change.items] == [(i.what, i.half_hours, i.mode) for i in plan.items]
    assert (change.hourly_rate_yen, change.start_date, change.reserved_yen) == (5000, plan.start_date, 0)
    assert plans.open_change(plan) == change


def test_a_second_open_change_is_refused(running):
    _sme, expert, _clerk, plan = running
    change = plans.start_change(plan, actor=expert)
    with pytest.raises(plans.PlanRefused) as refused:
        plans.start_change(plan, actor=expert)
    assert refused.value.code == "change_open" and refused.value.plan == change


def test_only_the_expert_changes_only_a_running_plan(running, users):
    sme, expert, _clerk, plan = running
    with pytest.raises(plans.PlanRefused) as refused:
        plans.start_change(plan, actor=sme)
    assert refused.value.code == "not_expert"
    change = plans.start_change(plan, actor=expert)
    with pytest.raises(plans.PlanRefused) as refused:
        plans.start_change(change, actor=expert)
    assert refused.value.code == "not_running"


def test_more_hours_reserve_the_difference_on_approval(running):
    sme, expert, clerk, plan = running
    change = factories.change_under_review(plan, expert, sme, clerk,
                                           items=(plans.Item("助言", 30, "online",),), end_date=date(2021, 10, 31))
    assert plan.half_hours == 20 and plan.reserved_yen == 35_000  # the old version stays in force
    assert plans.change_reservation(change) == (35_000, 52_500)
    plans.REVIEW.approve(change, version=change.version, actor=clerk)
    db.session.commit()
    db.session.refresh(plan)
    assert (plan.status, plan.half_hours, plan.reserved_yen, plan.end_date) == \
        ("running", 30, 52_500, date(2021, 10, 31))
    assert [i.what for i in plan.items] == ["助言"]
    assert change.status == "approved"  # it stays as the history
    assert _moves(plan) == [("reserve", 35_000), ("reserve", 17_500)]
    assert budget.standing().committed_yen == 52_500
    assert budget.usage_row("sme", sme.id).committed_yen == 52_500
    assert budget.verify() == []


def test_fewer_hours_release_the_difference(running):
    sme, expert, clerk, plan = running
    change = factories.change_under_review(plan, expert, sme, clerk, items=(plans.Item("助言", 8, "online"),))
    version = plan.version
    plans.REVIEW.approve(change, version=change.version, actor=clerk)
    db.session.commit()
    db.session.refresh(plan)
    assert (plan.half_hours, plan.reserved_yen, plan.version) == (8, 14_000, version + 1)
    assert _moves(plan) == [("reserve", 35_000), ("release", 21_000)]
    assert budget.usage_row("expert", expert.id).committed_yen == 14_000
    assert budget.verify() == []


def test_a_limit_refuses_the_approval_and_changes_nothing(running):
    sme, expert, clerk, plan = running
    budget.set_total(40_000, actor=clerk)
    db.session.commit()
    change = factories.change_under_review(plan, expert, sme, clerk, items=(plans.Item("助言", 30, "online"),))
    version = change.version
    with pytest.raises(budget.LimitReached) as refused:
        plans.REVIEW.approve(change, version=version, actor=clerk)
    db.session.rollback()  # what the view does
    assert refused.value.limit == "program" and refused.value.headroom_yen == 5_000
    db.session.refresh(plan)
    db.session.refresh(change)
    assert (plan.half_hours, plan.reserved_yen) == (20, 35_000)
    assert (change.status, change.version) == ("under_review", version)
    assert budget.standing().committed_yen == 35_000
    assert db.session.scalar(select(func.count()).select_from(BudgetMove)) == 1


def test_a_stale_approval_is_refused(running):
    sme, expert, clerk, plan = running
    change = factories.change_under_review(plan, expert, sme, clerk, items=(plans.Item("助言", 8, "online"),))
    with pytest.raises(workflow.Stale):
        plans.REVIEW.approve(change, version=change.version - 1, actor=clerk)
    assert plan.reserved_yen == 35_000


def test_a_change_is_never_concluded_and_a_new_change_can_follow(running):
    sme, expert, clerk, plan = running
    change = factories.change_under_review(plan, expert, sme, clerk, items=(plans.Item("助言", 8, "online"),))
    plans.REVIEW.approve(change, version=change.version, actor=clerk)
    with pytest.raises(plans.PlanRefused) as refused:
        plans.conclude(change, actor=sme)
    assert refused.value.code == "is_change"
    db.session.refresh(plan)
    assert plans.start_change(plan, actor=expert).revision == 3
    assert plans.queue(status="approved") == []


def test_the_freeze_of_new_plans_does_not_stop_a_change(running):
    sme, expert, _clerk, plan = running
    change = plans.start_change(plan, actor=expert)
    plans.send_to_sme(change, version=change.version, actor=expert,
                      freeze=plans.Freeze(date(2021, 5, 1), date(2021, 10, 18)))
    assert change.status == "sme_review"


def test_two_parallel_starts_make_one_change(running, monkeypatch):
    _sme, expert, _clerk, plan = running
    plans.start_change(plan, actor=expert)
    monkeypatch.setattr(plans, "open_change", lambda _plan: None)  # the second did not see the first
    with pytest.raises(plans.PlanRefused) as refused:
        plans.start_change(plan, actor=expert)
    assert refused.value.code == "change_open"
    assert db.session.scalar(select(func.count()).select_from(plans.SupportPlan)
                             .where(plans.SupportPlan.change_of_id == plan.id)) == 1
