"""Invited experts of a supporter corporation (review finding C2): the preset (kind and corporation fixed,
bank account optional) is read from the answers being shown or checked, everywhere; it goes once the
invitation is ended or declined; the expert can decline it and sees the affiliation's status on My Page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from dxapp.extensions import db
from dxapp.models import Application, AuditEvent, WizardDraft
from dxapp.models.supporter import Affiliation
from tests.fixtures.expert_answers import DECLARATION, IDENTITY, PARTICIPATION, PERSON, PROFILE
from tests.fixtures.factories import approved_supporter_shell as approved_supporter
from tests.fixtures.pages import text_of
from tests.fixtures.walks import EXPERT as BASE
from tests.fixtures.walks import expert as walk
from tests.fixtures.walks import expert_identity_documents as identity_documents

go, submit = walk.go, walk.submit

PASSWORD = "quiet river stone lantern"


@pytest.fixture
def invited(app, client, users):
    """An expert invited through the supporter service (draft with ``_preset``), logged in."""
    from dxapp.models import OutboxMessage
    from dxapp.services import supporters

    admin = approved_supporter(users)
    supporters.invite_expert(actor=admin, name="佐藤 一郎", name_kana="サトウ イチロウ", email="sato@example.jp")
    body = db.session.scalars(select(OutboxMessage.body)
                              .where(OutboxMessage.kind == "supporter-expert-invitation")).one()
    link = re.search(r"http://localhost(/\S+)", body).group(1)
    assert client.submit(link, {"password": PASSWORD, "password_confirm": PASSWORD}).status_code == 303
    client.submit("/account/login", {"email": "sato@example.jp", "password": PASSWORD})
    client.submit("/account/consent", {"agree_terms": "y", "agree_privacy": "y"})
    affiliation = db.session.scalars(select(Affiliation)).one()
    return admin, affiliation


def _draft():
    return db.session.scalars(select(WizardDraft).where(WizardDraft.wizard == "expert_registration")).one()


def _end(affiliation, admin):
    from dxapp.services import affiliations

    db.session.refresh(affiliation)
    affiliations.end(affiliation, version=affiliation.version, actor=admin.id)


def test_preset_answers_are_stored_in_the_raw_answers(client, invited):
    admin, _affiliation = invited
    go(client, "participation", {})
    raw = _draft().answers["steps"]["participation"]["raw"]
    assert raw["participation"] == ["supporter_member"]
    assert raw["supporter_organisation_id"] == [str(admin.organisation_id)]


def test_ended_invitation_lets_the_expert_choose_freely(client, invited):
    """Finding C2 (a): the draft's ``_preset`` no longer hides the choice once the invitation has ended."""
    admin, affiliation = invited
    _end(affiliation, admin)
    html = client.get(f"{BASE}/participation").get_data(as_text=True)
    assert 'name="participation"' in html  # the choice is offered again
    notice = text_of(client.get(f"{BASE}/participation"))  # and the page says why
    assert "招待は終了" in notice or "invitation from your SME-supporter corporation is no longer open" in notice
    go(client, "participation", PARTICIPATION)
    data = _draft().answers["steps"]["participation"]["data"]
    assert data["participation"] == PARTICIPATION["participation"]
    # Nothing posted on the choice is an error the page names (never a 422 without a summary).
    r = client.submit(f"{BASE}/participation", {"participation": ""})
    assert r.status_code == 422 and "error-summary" in r.get_data(as_text=True)


def test_ended_invitation_after_paying_the_corporation_asks_for_an_account(client, invited):
    admin, affiliation = invited
    go(client, "participation", {})
    go(client, "person", {**PERSON, "email": "sato@example.jp"})
    go(client, "identity", IDENTITY)
    identity_documents(client)
    go(client, "qualifications", {})
    go(client, "profile", PROFILE)
    go(client, "bank", {"payee": "corporation"})
    go(client, "declaration", DECLARATION)
    _end(affiliation, admin)
    r = client.get(f"{BASE}/check-answers")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"{BASE}/bank")
    html = client.get(f"{BASE}/bank").get_data(as_text=True)
    assert 'name="payee"' not in html and 'name="account_number"' in html


def test_desk_clerk_saves_an_invited_experts_participation(app, client, invited, users, login):
    """Finding C2 (b): the desk clerk's check reads the applicant's preset, not the clerk's."""
    admin, _affiliation = invited
    r = client.submit("/expert/support-code", page="/expert/")
    assert r.status_code == 303
    code = re.search(r'class="support-code">([A-Z0-9]{4}-[A-Z0-9]{4})<',
                     client.get("/expert/").get_data(as_text=True)).group(1)
    clerk = app.test_client()
    login(clerk, users("desk"))
    r = clerk.submit("/secretariat/desk/code", {"email": "sato@example.jp", "code": code})
    assert r.status_code == 303, text_of(r)[:1500]
    base = r.headers["Location"].replace("http://localhost", "").rstrip("/")
    html = clerk.get(f"{base}/participation").get_data(as_text=True)
    assert "株式会社サポート" in html and 'name="participation"' not in html
    r = clerk.submit(f"{base}/participation", {})
    assert r.status_code == 303, (r.status_code, text_of(r)[:1500])
    data = _draft().answers["steps"]["participation"]["data"]
    assert data == {**data, "participation": "supporter_member", "supporter_organisation_id": str(admin.organisation_id)}


def test_review_page_shows_the_invited_experts_kind_corporation_and_payee(app, client, invited, users, login):
    """Finding C2 (c): the secretariat's page, rebuilt from the stored raw answers, shows what was preset."""
    go(client, "participation", {})
    go(client, "person", {**PERSON, "email": "sato@example.jp"})
    go(client, "identity", IDENTITY)
    identity_documents(client)
    go(client, "qualifications", {})
    go(client, "profile", PROFILE)
    go(client, "bank", {"payee": "corporation"})
    go(client, "declaration", DECLARATION)
    submit(client)
    application = db.session.scalars(select(Application).where(Application.kind == "expert")).one()
    clerk = app.test_client()
    login(clerk, users("desk"))
    page = text_of(clerk.get(f"/secretariat/review/applications/{application.id}"))
    assert "株式会社サポート" in page
    assert "どの立場で参加しますか SMEサポーター（認定情報処理支援機関）に所属" in page
    assert "所属するSMEサポーター（認定情報処理支援機関） 株式会社サポート" in page
    assert "謝金の振込先 所属するSMEサポーター（法人）に振り込む" in page
    assert "金融機関コード" not in page  # no account asked for, none listed as 未入力


def test_expert_declines_the_invitation_on_my_page(client, invited, users, login, app):
    admin, affiliation = invited
    go(client, "participation", {})
    page = text_of(client.get("/expert/"))
    assert "株式会社サポート" in page and "招待中" in page
    html = client.get("/expert/").get_data(as_text=True)
    assert f'href="/supporter/invitations/{affiliation.id}"' in html  # the invitation, to accept it
    r = client.submit(f"/expert/invitations/{affiliation.id}/decline", {}, page="/expert/")
    assert r.status_code == 303 and r.headers["Location"].endswith("/expert/#affiliations")
    db.session.refresh(affiliation)
    assert affiliation.status == "declined" and affiliation.decided_at is not None
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "affiliation.invitation_declined",
                                                       AuditEvent.object_id == str(affiliation.id))).one()
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "draft.invitation_declined")).one()
    answers = _draft().answers
    assert "_preset" not in answers and "participation" not in answers["steps"]
    assert "お断り済み" in text_of(client.get("/expert/"))
    assert 'name="participation"' in client.get(f"{BASE}/participation").get_data(as_text=True)
    # Once more (a stale page): 409, nothing changes.
    r = client.post(f"/expert/invitations/{affiliation.id}/decline",
                    data={"csrf_token": _csrf(client), "version": "1"})
    assert r.status_code == 409
    # Another expert's invitation is not found.
    other = app.test_client()
    login(other, users("expert", name="別人 花子"))
    r = other.post(f"/expert/invitations/{affiliation.id}/decline",
                   data={"csrf_token": _csrf(other), "version": str(affiliation.version)})
    assert r.status_code == 404


def _csrf(client) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/expert/").get_data(as_text=True)).group(1)


def test_my_page_shows_the_affiliation_status_with_its_date(client, invited):
    admin, affiliation = invited
    html = client.get("/expert/").get_data(as_text=True)
    row = re.search(rf'<div class="summary-row" id="affiliation-{affiliation.id}">(.*?)</div>', html, re.S).group(1)
    assert "招待中" in row and re.search(r"\d{4}年\d{1,2}月\d{1,2}日", row)
    _end(affiliation, admin)
    html = client.get("/expert/").get_data(as_text=True)
    row = re.search(rf'<div class="summary-row" id="affiliation-{affiliation.id}">(.*?)</div>', html, re.S).group(1)
    assert "所属終了" in row and re.search(r"\d{4}年\d{1,2}月\d{1,2}日", row) and "decline" not in row
