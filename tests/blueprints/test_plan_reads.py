"""Reading a plan writes nothing (README "GET never changes data"): the plan page, the live quote panel,
the conclusion page and the secretariat's detail quote with both sides' prior usage without creating their usage rows (found by
bench/conclusion_race.py: each expert's GET of the conclusion page inserted the SME's and the expert's
honorarium_usage rows).  The quote still counts an expert's Phase I honoraria, and the conclusion then
reserves what the page quoted."""

from __future__ import annotations

from sqlalchemy import func, select

from dxapp import clock
from dxapp.extensions import db
from dxapp.models import ExpertCarryOver, HonorariumUsage, SupportPlan, User
from dxapp.services import budget, plans
from tests.fixtures import factories


def _usage_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(HonorariumUsage))


def test_plan_pages_read_the_priors_without_writing_and_the_conclusion_reserves_what_they_quoted(app, users,
                                                                                                 login):
    sme = factories.approved_sme(users)[0]
    expert = factories.approved_expert(users)[0]
    # 1,480,000 yen of Phase I honoraria: 20,000 yen left under the expert's cap (the plan asks 35,000).
    db.session.add(ExpertCarryOver(user_id=expert.id, phase1_honorarium_yen=1_480_000, created_at=clock.wall_now()))
    db.session.commit()
    plan = factories.approved_plan(factories.matched(factories.published_case(sme), expert), expert, sme,
                                   users("desk"))
    plan_id, expert_id, sme_id = plan.id, expert.id, sme.id
    before = _usage_rows()
    client = app.test_client()
    login(client, expert)
    for path in (f"/expert/plans/{plan_id}", f"/expert/plans/{plan_id}/panel?hourly_rate=5000",
                 f"/expert/plans/{plan_id}/conclude"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "20,000" in response.get_data(as_text=True), path  # the cap cut the honorarium
    staff = app.test_client()
    login(staff, users("desk"))
    detail = staff.get(f"/secretariat/plans/{plan_id}")
    assert detail.status_code == 200
    assert "20,000円" in detail.get_data(as_text=True)  # the expert's cap left, Phase I counted
    db.session.expire_all()
    assert _usage_rows() == before
    with app.test_request_context("/"):
        plans.conclude(db.session.get(SupportPlan, plan_id), actor=db.session.get(User, sme_id))
        db.session.commit()
    response = client.submit(f"/expert/plans/{plan_id}/conclude", {"agree": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    concluded = db.session.get(SupportPlan, plan_id)
    assert (concluded.status, concluded.reserved_yen) == ("running", 20_000)
    assert budget.usage_row("expert", expert_id).committed_yen == 20_000
    assert budget.verify() == []
