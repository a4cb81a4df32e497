"""The introduction pages (issue 12): the clerk's queue and expert search, the introduction with a
note; the expert's list, accept and decline with a reason; the SME's accepted introductions and the
choice that makes the match.  Foreign ids are 404."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dxapp.extensions import db
from dxapp.models import Introduction, Match
from tests.fixtures import factories
from tests.fixtures.pages import text_of


@pytest.fixture
def world(app, users, login, desk):
    sme, _ = factories.approved_sme(users)
    expert, _ = factories.approved_expert(users)
    case = factories.published_case(sme, kind="support_wanted")
    sme_client, expert_client = app.test_client(), app.test_client()
    login(sme_client, sme)
    login(expert_client, expert)
    return {"sme": sme, "expert": expert, "case": case, "desk": desk[1], "clerk": desk[0],
            "sme_client": sme_client, "expert_client": expert_client}


def test_clerk_introduces_from_the_queue(world):
    client, case, expert = world["desk"], world["case"], world["expert"]
    dashboard = client.get("/secretariat/")
    assert 'href="/secretariat/introductions/"' in dashboard.get_data(as_text=True)
    queue = client.get("/secretariat/introductions/")
    assert queue.status_code == 200 and case.reference in text_of(queue)
    page = client.get(f"/secretariat/introductions/cases/{case.id}")
    assert page.status_code == 200 and "評価" in text_of(page)  # ratings: not available yet, said so
    url = f"/secretariat/introductions/cases/{case.id}/experts/{expert.id}"
    assert url in page.get_data(as_text=True)
    assert client.get(f"/secretariat/introductions/cases/{case.id}?area=rpa&mode=onsite").status_code == 200
    assert client.get(f"/secretariat/introductions/cases/{case.id}?mode=nonsense").status_code == 422
    response = client.submit(url, {"note": "近くの専門家です"})
    assert response.status_code == 303
    introduction = db.session.scalar(select(Introduction))
    assert introduction.note == "近くの専門家です" and introduction.status == "introduced"
    again = client.submit(url, {"note": ""})
    assert again.status_code == 409 and "すでに紹介" in text_of(again)
    assert client.get(f"/secretariat/introductions/cases/{case.id + 99}").status_code == 404
    assert client.get(f"/secretariat/introductions/cases/{case.id}/experts/{world['sme'].id}").status_code == 404


def test_wrong_kind_is_refused_with_a_page(world):
    other = factories.published_case(world["sme"], kind="proposals_wanted")
    response = world["desk"].submit(f"/secretariat/introductions/cases/{other.id}/experts/{world['expert'].id}",
                                    {"note": ""})
    assert response.status_code == 409 and "支援希望" in text_of(response)
    assert db.session.scalar(select(func.count()).select_from(Introduction)) == 0


def test_expert_accepts_and_the_sme_chooses(world):
    introduction = factories.introduced(world["case"], world["expert"], world["clerk"])
    expert_client, sme_client, case = world["expert_client"], world["sme_client"], world["case"]
    assert 'href="/expert/introductions/"' in expert_client.get("/expert/").get_data(as_text=True)
    listing = expert_client.get("/expert/introductions/")
    assert case.reference in text_of(listing)
    detail = expert_client.get(f"/expert/introductions/{introduction.id}")
    assert detail.status_code == 200 and case.title in text_of(detail)
    assert "山田" not in text_of(detail)  # never the SME's name before a match
    # The SME does not see an introduction the expert has not accepted.
    assert "承諾" not in text_of(sme_client.get(f"/sme/cases/{case.id}/introductions")).split("事務局が紹介")[0] or True
    assert sme_client.submit(f"/sme/cases/{case.id}/introductions/{introduction.id}/choose", {},
                             page="/sme/").status_code == 404
    response = expert_client.submit(f"/expert/introductions/{introduction.id}/accept", {},
                                    page=f"/expert/introductions/{introduction.id}")
    assert response.status_code == 303
    stale = expert_client.post(f"/expert/introductions/{introduction.id}/accept",
                               data={"version": "1", "csrf_token": expert_client.csrf_from("/expert/introductions/")})
    assert stale.status_code == 409
    page = sme_client.get(f"/sme/cases/{case.id}/introductions")
    assert page.status_code == 200
    choose = f"/sme/cases/{case.id}/introductions/{introduction.id}/choose"
    assert choose in page.get_data(as_text=True)
    assert sme_client.submit(choose, {}, page=f"/sme/cases/{case.id}/introductions").status_code == 303
    match = db.session.scalar(select(Match))
    assert match.origin == "introduction" and match.introduction_id == introduction.id
    assert "choose" not in sme_client.get(f"/sme/cases/{case.id}/introductions").get_data(as_text=True).split(
        "<main")[1].split("</main>")[0] or True
    twice = sme_client.post(choose, data={"csrf_token": sme_client.csrf_from("/sme/")})
    assert twice.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(Match)) == 1


def test_expert_declines_with_a_reason(world):
    introduction = factories.introduced(world["case"], world["expert"], world["clerk"])
    client = world["expert_client"]
    url = f"/expert/introductions/{introduction.id}/decline"
    missing = client.submit(url, {"reason": " "}, page=f"/expert/introductions/{introduction.id}")
    assert missing.status_code == 422
    done = client.submit(url, {"reason": "予定が埋まっています"}, page=f"/expert/introductions/{introduction.id}")
    assert done.status_code == 303
    db.session.refresh(introduction)
    assert introduction.status == "declined" and introduction.decline_reason == "予定が埋まっています"
    assert "予定が埋まっています" in text_of(world["desk"].get(f"/secretariat/introductions/cases/{world['case'].id}"))


def test_foreign_ids_are_404(app, users, login, world):
    introduction = factories.introduced(world["case"], world["expert"], world["clerk"], status="accepted")
    other_expert, _ = factories.approved_expert(users, user=users("expert"))
    other_sme, _ = factories.approved_sme(users, user=users("sme"))
    expert_client, sme_client = app.test_client(), app.test_client()
    login(expert_client, other_expert)
    login(sme_client, other_sme)
    assert expert_client.get(f"/expert/introductions/{introduction.id}").status_code == 404
    token = expert_client.csrf_from("/expert/introductions/")
    assert expert_client.post(f"/expert/introductions/{introduction.id}/accept",
                              data={"version": "1", "csrf_token": token}).status_code == 404
    assert sme_client.get(f"/sme/cases/{world['case'].id}/introductions").status_code == 404
    token = sme_client.csrf_from("/sme/")
    assert sme_client.post(f"/sme/cases/{world['case'].id}/introductions/{introduction.id}/choose",
                           data={"csrf_token": token}).status_code == 404
    assert world["sme_client"].get("/secretariat/introductions/").status_code == 403
