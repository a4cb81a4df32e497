"""services/plans.py: draft, send, SME agree/return, the one review, the two conclusions with the
reservation, limits, cancellation; every status change audited; the counters always verify."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from dxapp.extensions import db
from dxapp.models import AuditEvent, BudgetMove, OutboxMessage
from dxapp.rules import JST
from dxapp.services import budget, plans, workflow
from tests.fixtures import factories


@pytest.fixture
def world(users):
    sme, _ = factories.approved_sme(users)
    expert, _ = factories.approved_expert(users)
    clerk = users("desk")
    case = factories.published_case(sme)
    match = factories.matched(case, expert)
    return sme, expert, clerk, match


def _actions(plan) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_type == "support_plan", AuditEvent.object_id == str(plan.id)).order_by(AuditEvent.id)))


def test_from_draft_to_a_running_contract(world):
    sme, expert, clerk, match = world
    plan = factories.approved_plan(match, expert, sme, clerk)
    assert plan.reference.startswith("S") and len(plan.reference) == 12
    assert (plan.status, plan.half_hours, plan.first_submitted_at is not None) == ("approved", 20, True)
    assert plans.conclude(plan, actor=sme) == "concluding"
    assert budget.standing().committed_yen == 0
    assert plans.conclude(plan, actor=expert) == "running"
    db.session.commit()
    assert plan.reserved_yen == 35_000 and plan.concluded_at is not None
    assert budget.standing().committed_yen == 35_000
    assert budget.usage_row("sme", sme.id).committed_yen == 35_000
    assert budget.usage_row("expert", expert.id).committed_yen == 35_000
    assert _actions(plan) == ["plan.created", "plan.sent_to_sme", "plan.sme_agreed", "plan.under_review",
                              "plan.approved", "plan.concluded_by_sme", "budget.reserve", "plan.concluded"]
    assert budget.verify() == []


def test_the_sme_returns_and_the_expert_revises(world):
    sme, expert, _clerk, match = world
    plan = plans.start(match, factories.plan_fields(), actor=expert)
    plans.send_to_sme(plan, version=plan.version, actor=expert)
    plans.sme_return(plan, version=plan.version, actor=sme, comment="時間数を減らしてください")
    assert (plan.status, plan.sme_comment) == ("sme_returned", "時間数を減らしてください")
    plans.save(plan, factories.plan_fields(items=(plans.Item("助言", 6, "online"),)), version=plan.version, actor=expert)
    assert plan.half_hours == 6 and [i.what for i in plan.items] == ["助言"]
    plans.send_to_sme(plan, version=plan.version, actor=expert)
    assert plan.status == "sme_review" and plan.sme_comment is None


def test_a_stale_save_is_refused(world):
    _sme, expert, _clerk, match = world
    plan = plans.start(match, factories.plan_fields(), actor=expert)
    version = plan.version
    plans.save(plan, factories.plan_fields(purpose="新しい目的"), version=version, actor=expert)
    with pytest.raises(workflow.Stale):
        plans.save(plan, factories.plan_fields(purpose="古い画面から"), version=version, actor=expert)


@pytest.mark.parametrize(("changes", "code"), [
    ({"scope_declared": False}, "incomplete"),
    ({"items": ()}, "incomplete"),
    ({"end_date": date(2022, 1, 31)}, "period"),
    ({"start_date": date(2021, 6, 1), "end_date": date(2021, 12, 1)}, "period"),
])
def test_sending_an_incomplete_or_too_long_plan_is_refused(world, changes, code):
    _sme, expert, _clerk, match = world
    plan = plans.start(match, factories.plan_fields(**changes), actor=expert)
    with pytest.raises(plans.PlanRefused) as refused:
        plans.send_to_sme(plan, version=plan.version, actor=expert)
    assert refused.value.code == code and plan.status == "draft"


def test_a_freeze_refuses_sending_and_keeps_the_draft(world):
    _sme, expert, _clerk, match = world
    plan = plans.start(match, factories.plan_fields(), actor=expert)
    freeze = plans.Freeze(date(2021, 5, 1), date(2021, 10, 18))
    with pytest.raises(plans.PlanRefused) as refused:
        plans.send_to_sme(plan, version=plan.version, actor=expert, freeze=freeze)
    assert refused.value.code == "frozen" and refused.value.until == date(2021, 10, 18)
    assert plan.status == "draft" and plan.purpose


def test_one_plan_per_match(world):
    _sme, expert, _clerk, match = world
    plans.start(match, factories.plan_fields(), actor=expert)
    with pytest.raises(plans.PlanRefused) as refused:
        plans.start(match, factories.plan_fields(), actor=expert)
    assert refused.value.code == "plan_exists"


def test_only_the_sides_act(world, users):
    sme, expert, clerk, match = world
    other_sme, _ = factories.approved_sme(users)
    plan = factories.agreed_plan(match, expert, sme)
    with pytest.raises(plans.PlanRefused):
        plans.start(match, factories.plan_fields(), actor=other_sme)
    plans.REVIEW.pick_up(plan, version=plan.version, actor=clerk)
    plans.REVIEW.approve(plan, version=plan.version, actor=clerk)
    with pytest.raises(plans.PlanRefused):
        plans.conclude(plan, actor=other_sme)


def test_the_sme_may_not_conclude_before_approval(world):
    sme, expert, _clerk, match = world
    plan = factories.agreed_plan(match, expert, sme)
    with pytest.raises(workflow.Stale):
        plans.conclude(plan, actor=sme)
    assert plan.sme_concluded_at is None


def test_a_second_conclusion_by_the_same_party_is_refused(world):
    sme, expert, clerk, match = world
    plan = factories.approved_plan(match, expert, sme, clerk)
    plans.conclude(plan, actor=expert)
    with pytest.raises(plans.PlanRefused) as refused:
        plans.conclude(plan, actor=expert)
    assert refused.value.code == "already_concluded"


def test_a_limit_reached_reserves_nothing_and_is_shown_on_the_plan(world):
    sme, expert, clerk, match = world
    budget.set_total(10_000, actor=clerk)
    plan = factories.approved_plan(match, expert, sme, clerk)
    plans.conclude(plan, actor=sme)
    db.session.commit()
    with pytest.raises(budget.LimitReached) as refused:
        plans.conclude(plan, actor=expert)
    db.session.commit()  # what the view does: the refusal and its audit row are kept
    assert refused.value.limit == "program"
    assert (plan.status, plan.reserved_yen, plan.conclusion_refusal) == ("concluding", 0, "program")
    assert budget.standing().committed_yen == 0
    assert db.session.scalar(select(func.count()).select_from(BudgetMove)) == 0
    assert "plan.conclusion_refused" in _actions(plan)


def test_the_sme_cap_cuts_the_reservation(world, users):
    sme, expert, clerk, match = world
    plan = factories.approved_plan(match, expert, sme, clerk, items=(plans.Item("助言", 200, "online"),),
                                   hourly_rate_yen=5000)
    plans.conclude(plan, actor=sme)
    plans.conclude(plan, actor=expert)
    assert plan.reserved_yen == 300_000  # 100 hours x 3,500 = 350,000, cut by the SME's cap


def test_after_the_contract_window_no_conclusion(world):
    sme, expert, clerk, match = world
    plan = factories.approved_plan(match, expert, sme, clerk)
    with pytest.raises(plans.PlanRefused) as refused:
        plans.conclude(plan, actor=sme, at=datetime(2021, 12, 1, 0, 0, tzinfo=JST))
    assert refused.value.code == "contract_closed"


def test_cancelling_a_running_plan_releases_its_reservation(world):
    sme, expert, clerk, match = world
    plan = factories.approved_plan(match, expert, sme, clerk)
    plans.conclude(plan, actor=sme)
    plans.conclude(plan, actor=expert)
    plans.request_cancel(plan, actor=sme, reason="事業の都合で中止します")
    plans.cancel(plan, version=plan.version, actor=clerk)
    db.session.commit()
    assert (plan.status, plan.reserved_yen) == ("cancelled", 0)
    assert budget.standing().committed_yen == 0
    assert budget.verify() == []


def test_mails_go_to_the_side_that_acts_next_without_the_plans_content(world):
    sme, expert, clerk, match = world
    plan = factories.approved_plan(match, expert, sme, clerk)
    bodies = list(db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.kind.like("plan%"))))
    assert bodies and all(plan.reference in b for b in bodies)
    assert not any("出店先の比較" in b for b in bodies)


def test_the_review_returns_with_notes_per_part(world):
    sme, expert, clerk, match = world
    plan = factories.agreed_plan(match, expert, sme)
    plans.REVIEW.pick_up(plan, version=plan.version, actor=clerk)
    plans.REVIEW.return_for_correction(plan, version=plan.version, actor=clerk, flags={"content": "制作は対象外です"})
    assert plan.status == "returned" and plan.review_flags == {"content": "制作は対象外です"}
    plans.save(plan, factories.plan_fields(), version=plan.version, actor=expert)
    plans.send_to_sme(plan, version=plan.version, actor=expert)
    assert plan.status == "sme_review"


def test_scope_words_are_flagged_for_the_reviewer(world):
    _sme, expert, _clerk, match = world
    plan = plans.start(match, factories.plan_fields(items=(plans.Item("ホームページの制作", 4, "online"),)), actor=expert)
    assert plan.scope_flags == ["制作"]


def test_a_rejection_mail_gives_the_reason(world, users):
    sme, expert, clerk, match = world
    admin = users("admin")
    plan = factories.agreed_plan(match, expert, sme)
    plans.REVIEW.pick_up(plan, version=plan.version, actor=clerk)
    plans.REVIEW.reject(plan, version=plan.version, actor=admin, reason="制作が中心のため対象外です")
    db.session.commit()
    bodies = list(db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.kind == "plan_review_rejected")))
    assert len(bodies) == 2 and all("制作が中心のため対象外です" in b for b in bodies)
