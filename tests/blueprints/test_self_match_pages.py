"""Self-matching pages (issue 12): the SME's request answers the same page for any number, shows no
expert before confirmation, and can be cancelled; the expert confirms (one match, even twice) or
declines.  Not approved: a page that says why.  Foreign ids: 404."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from dxapp.extensions import db
from dxapp.models import Match, SelfMatch
from dxapp.services import self_matches
from tests.fixtures import factories
from tests.fixtures.pages import text_of


@pytest.fixture
def world(app, users, login):
    sme, _ = factories.approved_sme(users)
    expert, _ = factories.approved_expert(users)
    sme_client, expert_client = app.test_client(), app.test_client()
    login(sme_client, sme)
    login(expert_client, expert)
    return sme, expert, sme_client, expert_client


def main_of(response) -> str:
    html = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", html.split("<main", 1)[1].split("</main>", 1)[0])


def test_known_and_unknown_numbers_get_the_same_page(world):
    sme, expert, client, _ = world
    assert 'href="/sme/self-match"' in client.get("/sme/").get_data(as_text=True)
    number = self_matches.registration_number(expert)
    known = client.submit("/sme/self-match", {"number": number, "message": "よろしくお願いします"})
    unknown = client.submit("/sme/self-match", {"number": "E99999999", "message": "よろしくお願いします"})
    assert known.status_code == unknown.status_code == 303
    assert known.headers["Location"] == unknown.headers["Location"]
    sent = client.get(known.headers["Location"])
    assert sent.status_code == 200 and "番号が正しければ" in text_of(sent)
    page = client.get("/sme/self-match")
    assert expert.name not in text_of(page)  # nothing of the expert before confirmation
    assert db.session.scalar(select(func.count()).select_from(SelfMatch)) == 1
    bad = client.submit("/sme/self-match", {"number": "12345", "message": ""})
    assert bad.status_code == 422 and 'href="#number"' in bad.get_data(as_text=True)


def test_expert_confirms_once(world):
    sme, expert, sme_client, client = world
    request = factories.self_match_requested(sme, expert)
    assert 'href="/expert/self-matches/"' in client.get("/expert/").get_data(as_text=True)
    assert self_matches.registration_number(expert) in text_of(client.get("/expert/"))
    listing = client.get("/expert/self-matches/")
    assert "以前お世話になりました" in text_of(listing)
    url = f"/expert/self-matches/{request.id}/confirm"
    assert client.submit(url, {}, page="/expert/self-matches/").status_code == 303
    again = client.post(url, data={"version": "1", "csrf_token": client.csrf_from("/expert/self-matches/")})
    assert again.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(Match)) == 1
    assert expert.name in text_of(sme_client.get("/sme/self-match"))  # revealed after confirmation


def test_expert_declines_and_sme_cancels(world):
    sme, expert, sme_client, client = world
    first = factories.self_match_requested(sme, expert)
    assert sme_client.submit(f"/sme/self-match/{first.id}/cancel", {}, page="/sme/self-match").status_code == 303
    db.session.refresh(first)
    assert first.status == "cancelled"
    stale = client.post(f"/expert/self-matches/{first.id}/confirm",
                        data={"version": str(first.version - 1), "csrf_token": client.csrf_from("/expert/")})
    assert stale.status_code == 409
    second = factories.self_match_requested(sme, expert)
    assert client.submit(f"/expert/self-matches/{second.id}/decline", {}, page="/expert/self-matches/").status_code == 303
    db.session.refresh(second)
    assert second.status == "declined"


def test_not_approved_and_foreign(app, users, login, world):
    sme, expert, _sme_client, _ = world
    request = factories.self_match_requested(sme, expert)
    pending, _ = factories.submitted_sme(users)
    client = app.test_client()
    login(client, pending)
    refused = client.get("/sme/self-match")
    assert refused.status_code == 200 and "承認されていません" in text_of(refused)
    other_sme, _ = factories.approved_sme(users, user=users("sme"))
    other_client = app.test_client()
    login(other_client, other_sme)
    token = other_client.csrf_from("/sme/self-match")
    assert other_client.post(f"/sme/self-match/{request.id}/cancel",
                             data={"version": "1", "csrf_token": token}).status_code == 404
    other_expert, _ = factories.approved_expert(users, user=users("expert"))
    expert_client = app.test_client()
    login(expert_client, other_expert)
    token = expert_client.csrf_from("/expert/self-matches/")
    assert expert_client.post(f"/expert/self-matches/{request.id}/confirm",
                              data={"version": "1", "csrf_token": token}).status_code == 404
    assert "以前お世話になりました" not in text_of(expert_client.get("/expert/self-matches/"))
