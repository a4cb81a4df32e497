"""The pages of a plan change (計画変更, issue 13): the expert's button on a running plan, the change's
own page (old vs new), the SME's agreement, the secretariat's queue and approval, the limit page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dxapp.extensions import db
from dxapp.models import SupportPlan
from dxapp.services import budget, plans
from tests.fixtures import factories


@pytest.fixture
def running(users):
    sme, _ = factories.approved_sme(users)
    expert, _ = factories.approved_expert(users)
    clerk = users("desk")
    match = factories.matched(factories.published_case(sme), expert)
    return sme, expert, clerk, factories.running_plan(match, expert, sme, clerk)


@pytest.fixture
def as_(app, login):
    def make(user):
        client = app.test_client()
        login(client, user)
        return client

    return make


def _change_of(plan) -> SupportPlan:
    db.session.expire_all()
    return db.session.scalars(select(SupportPlan).where(SupportPlan.change_of_id == plan.id)).one()


def test_the_expert_changes_the_plan_and_everyone_sees_the_change(running, as_):
    sme, expert, clerk, plan = running
    client = as_(expert)
    page = client.get(f"/expert/plans/{plan.id}").get_data(as_text=True)
    assert "計画を変更する" in page
    response = client.submit(f"/expert/plans/{plan.id}/change", {}, page=f"/expert/plans/{plan.id}")
    assert response.status_code == 303
    change = _change_of(plan)
    assert response.headers["Location"].endswith(f"/expert/plans/{change.id}")
    # the wizard's steps work on the change row
    assert client.submit(f"/expert/plans/{change.id}/content",
                         {"items-0-what": "追加の助言", "items-0-hours": "15", "items-0-mode": "online"}).status_code == 303
    page = client.get(f"/expert/plans/{change.id}").get_data(as_text=True)
    assert "計画変更" in page and "第2版" in page and "52,500円" in page and "35,000円" in page
    assert "契約を締結する" not in page
    # a second change is the open one
    response = client.submit(f"/expert/plans/{plan.id}/change", {}, page=f"/expert/plans/{plan.id}")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/expert/plans/{change.id}")
    assert client.submit(f"/expert/plans/{change.id}/send", {}, page=f"/expert/plans/{change.id}").status_code == 303
    smes = as_(sme)
    assert "第2版" in smes.get(f"/sme/plans/{change.id}").get_data(as_text=True)
    assert smes.submit(f"/sme/plans/{change.id}/agree", {}, page=f"/sme/plans/{change.id}").status_code == 303
    staff = as_(clerk)
    queue = staff.get("/secretariat/plans").get_data(as_text=True)
    assert "計画変更" in queue and "第2版" in queue
    assert staff.submit(f"/secretariat/plans/{change.id}/pick-up", {},
                        page=f"/secretariat/plans/{change.id}").status_code == 303
    db.session.expire_all()
    assert db.session.get(SupportPlan, plan.id).half_hours == 20  # in force until the approval
    assert staff.submit(f"/secretariat/plans/{change.id}/approve", {},
                        page=f"/secretariat/plans/{change.id}").status_code == 303
    db.session.expire_all()
    current = db.session.get(SupportPlan, plan.id)
    assert (current.half_hours, current.reserved_yen, current.status) == (30, 52_500, "running")
    assert db.session.get(SupportPlan, change.id).status == "approved"
    assert budget.verify() == []


def test_a_limit_refuses_the_approval_with_a_page(running, as_):
    sme, expert, clerk, plan = running
    budget.set_total(40_000, actor=clerk)
    db.session.commit()
    change = factories.change_under_review(plan, expert, sme, clerk, items=(plans.Item("助言", 30, "online"),))
    staff = as_(clerk)
    response = staff.submit(f"/secretariat/plans/{change.id}/approve", {}, page=f"/secretariat/plans/{change.id}")
    text = response.get_data(as_text=True)
    assert response.status_code == 409 and "計画変更を承認できませんでした" in text and "5,000円" in text
    db.session.expire_all()
    assert db.session.get(SupportPlan, change.id).status == "under_review"
    assert db.session.get(SupportPlan, plan.id).reserved_yen == 35_000


def test_a_change_of_another_experts_plan_is_404(running, as_, users):
    _sme, _expert, _clerk, plan = running
    other, _ = factories.approved_expert(users)
    client = as_(other)
    response = client.submit(f"/expert/plans/{plan.id}/change", {}, page="/expert/plans")
    assert response.status_code == 404


def test_a_change_of_a_plan_not_running_is_a_refusal_page(running, as_):
    _sme, expert, _clerk, plan = running
    change = plans.start_change(plan, actor=expert)
    db.session.commit()
    client = as_(expert)
    response = client.submit(f"/expert/plans/{change.id}/change", {}, page=f"/expert/plans/{change.id}")
    assert response.status_code == 409
    assert "契約が締結され支援中の計画だけを変更できます" in response.get_data(as_text=True)


def test_the_demo_has_a_change_waiting_in_the_secretariats_queue(app, login):
    from dxapp import demo
    from dxapp.services import accounts

    demo.seed()
    demo.seed()  # idempotent
    change = db.session.scalars(select(SupportPlan).where(SupportPlan.change_of_id.is_not(None))).one()
    assert (change.status, change.revision) == ("submitted", 2)
    assert budget.verify() == []
    client = app.test_client()
    login(client, accounts.find_by_email("desk@demo.example"), password=demo.DEMO_PASSWORD)
    queue = client.get("/secretariat/plans").get_data(as_text=True)
    assert f'href="/secretariat/plans/{change.id}"' in queue and "計画変更" in queue
    detail = client.get(f"/secretariat/plans/{change.id}").get_data(as_text=True)
    assert "変更内容" in detail and "現在の計画" in detail
