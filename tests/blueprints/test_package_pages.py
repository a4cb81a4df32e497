"""Support package pages (issue 12): the expert makes, edits, publishes and unpublishes packages; the
SME browses (GET filters), reads the cost, and requests one after a confirmation (one case and one
proposal per form token).  Not approved: a page that says why.  Foreign ids: 404."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dxapp.extensions import db
from dxapp.models import ConsultationCase, Proposal, SupportPackage
from tests.fixtures import factories
from tests.fixtures.pages import text_of

NEW = {"title": "テレワーク導入パック", "summary": "Web会議とクラウドストレージを整えます。", "areas": ["telework"],
       "hours": "１０", "hourly_rate": "5,000円", "mode": "online"}


@pytest.fixture
def world(app, users, login):
    sme, _ = factories.approved_sme(users)
    expert, _ = factories.approved_expert(users)
    sme_client, expert_client = app.test_client(), app.test_client()
    login(sme_client, sme)
    login(expert_client, expert)
    return sme, expert, sme_client, expert_client


def test_expert_makes_edits_publishes_and_unpublishes(world):
    _sme, _expert, sme_client, client = world
    assert 'href="/expert/packages/"' in client.get("/expert/").get_data(as_text=True)
    assert client.get("/expert/packages/").status_code == 200
    bad = client.submit("/expert/packages/new", {**NEW, "hours": "0.3", "hourly_rate": "たくさん", "areas": []})
    assert bad.status_code == 422 and 'href="#hours"' in bad.get_data(as_text=True)
    made = client.submit("/expert/packages/new", NEW)
    assert made.status_code == 303
    package = db.session.scalar(select(SupportPackage))
    assert package.status == "draft" and package.half_hours == 20 and package.hourly_rate_yen == 5000
    edit = f"/expert/packages/{package.id}/edit"
    page = client.get(edit)
    assert page.status_code == 200 and "15,000円" in text_of(page)  # the SME's share of 10 hours
    assert client.submit(edit, {**NEW, "title": "テレワーク導入パック（改）", "regions": ["東京都"]}).status_code == 303
    assert client.submit(f"/expert/packages/{package.id}/publish", {}, page="/expert/packages/").status_code == 303
    listing = sme_client.get("/sme/packages/")
    assert listing.status_code == 200 and "テレワーク導入パック（改）" in text_of(listing)
    assert client.submit(f"/expert/packages/{package.id}/unpublish", {}, page="/expert/packages/").status_code == 303
    assert "テレワーク導入パック" not in text_of(sme_client.get("/sme/packages/"))
    assert sme_client.get(f"/sme/packages/{package.id}").status_code == 404
    stale = client.post(f"/expert/packages/{package.id}/unpublish",
                        data={"version": "1", "csrf_token": client.csrf_from("/expert/packages/")})
    assert stale.status_code == 409


def test_sme_browses_and_requests_once(world):
    sme, expert, client, _ = world
    package = factories.support_package(expert)
    assert 'href="/sme/packages/"' in client.get("/sme/").get_data(as_text=True)
    assert client.get("/sme/packages/?area=ec_sites&prefecture=東京都&mode=onsite").status_code == 200
    assert "ECサイト立ち上げパック" not in text_of(client.get("/sme/packages/?area=telework"))
    assert client.get("/sme/packages/?mode=nonsense").status_code == 422
    detail = client.get(f"/sme/packages/{package.id}")
    assert detail.status_code == 200 and "15,000円" in text_of(detail)
    confirm = client.get(f"/sme/packages/{package.id}/request")
    assert confirm.status_code == 200
    html = confirm.get_data(as_text=True)
    token = html.split('name="token" type="hidden" value="')[1].split('"')[0] if 'name="token" type="hidden"' in html \
        else html.split('id="token" name="token" type="hidden" value="')[1].split('"')[0]
    url = f"/sme/packages/{package.id}/request"
    first = client.submit(url, {"situation": "店頭販売のみ", "prefecture": "東京都", "token": token})
    second = client.submit(url, {"situation": "店頭販売のみ", "prefecture": "東京都", "token": token})
    assert first.status_code == second.status_code == 303 and first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(ConsultationCase)) == 1
    proposal = db.session.scalar(select(Proposal))
    assert proposal.package_id == package.id and proposal.status == "sent"
    case = db.session.get(ConsultationCase, proposal.case_id)
    assert case.kind == "no_proposals"
    done = client.get(first.headers["Location"])
    assert done.status_code == 200 and case.reference in text_of(done)


def test_refusals_and_foreign_ids(app, users, login, world):
    sme, expert, _client, _ = world
    package = factories.support_package(expert)
    pending_sme, _ = factories.submitted_sme(users)
    client = app.test_client()
    login(client, pending_sme)
    refused = client.get(f"/sme/packages/{package.id}/request")
    assert refused.status_code == 200 and "承認されていません" in text_of(refused)
    pending_expert, _ = factories.submitted_expert(users, user=users("expert"))
    expert_client = app.test_client()
    login(expert_client, pending_expert)
    assert "承認されていません" in text_of(expert_client.get("/expert/packages/new"))
    assert expert_client.get(f"/expert/packages/{package.id}/edit").status_code == 404
    token = expert_client.csrf_from("/expert/packages/")
    assert expert_client.post(f"/expert/packages/{package.id}/unpublish",
                              data={"version": "2", "csrf_token": token}).status_code == 404
    other_sme, _ = factories.approved_sme(users, user=users("sme"))
    other = app.test_client()
    login(other, other_sme)
    case, _proposal, _ = __import__("dxapp.services.packages", fromlist=["request"]).request(
        sme, package, token="t-1")
    db.session.commit()
    assert other.get(f"/sme/packages/requested/{case.id}").status_code == 404
    assert other.get("/sme/packages/999999").status_code == 404
