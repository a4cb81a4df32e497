"""Desk-assisted entry for IT experts (issue 6): the same support code and grant as for SMEs, the
expert wizard in desk mode (uploads, bank account and declaration left to the expert), and a new expert
caller registered from the desk."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from dxapp.extensions import db
from dxapp.models import AuditEvent, User, WizardDraft
from tests.fixtures.desk import post as go
from tests.fixtures.expert_answers import IDENTITY, PARTICIPATION, PERSON

DESK = "/secretariat/desk"
EXPERT = "/expert/register"


@pytest.fixture
def expert(signed_in):
    return signed_in("expert")


def test_expert_support_code_and_desk_edit(app, expert, clerk):
    user, client = expert
    r = client.submit("/expert/support-code", page="/expert/")
    assert r.status_code == 303 and r.headers["Location"].endswith("/expert/#support-code")
    code = re.search(r'class="support-code">([A-Z0-9]{4}-[A-Z0-9]{4})<', client.get("/expert/").get_data(as_text=True))
    assert code
    c = clerk[1]
    r = go(c, f"{DESK}/code", {"email": user.email, "code": code.group(1)})
    base = r.headers["Location"].replace("http://localhost", "").rstrip("/")
    assert re.fullmatch(rf"{DESK}/expert/\d+", base), base
    # The SME desk routes do not open an expert's grant.
    assert c.get(base.replace("/expert/", "/sme/") + "/").status_code == 404
    go(c, f"{base}/participation", PARTICIPATION)
    go(c, f"{base}/person", PERSON)
    go(c, f"{base}/identity", IDENTITY)
    draft = db.session.scalars(select(WizardDraft).where(WizardDraft.wizard == "expert_registration")).one()
    assert draft.owner_key == f"user:{user.id}" and draft.updated_by_id == clerk[0].id
    assert draft.answers["steps"]["person"]["data"]["name"] == "佐藤 一郎"
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "wizard_draft",
                                                         AuditEvent.object_id == str(draft.id))).all()
    assert events and all(e.actor_id == clerk[0].id and e.on_behalf_of_id == user.id for e in events)
    db.session.rollback()
    # Uploads, the bank account and the declaration are the expert's own.
    r = c.get(f"{base}/identity-documents")
    assert r.status_code == 200 and 'type="file"' not in r.get_data(as_text=True)
    assert c.submit(f"{base}/identity-documents", {}, page=f"{base}/").status_code == 403
    assert c.get(f"{base}/bank").headers["Location"].endswith(f"{base}/identity-documents")
    r = c.submit(f"{base}/declaration", {"agree_terms": "y", "no_antisocial_ties": "y"}, page=f"{base}/")
    assert r.status_code == 303
    assert "declaration" not in db.session.scalars(select(WizardDraft)).one().answers["steps"]
    db.session.rollback()
    # The expert sees the desk's changes on My Page.
    html = client.get("/expert/").get_data(as_text=True)
    changes = html.split('class="desk-edits"', 1)[1].split("</ul>", 1)[0]
    assert changes.count("<li>") >= 3


def test_new_expert_caller_from_the_desk(app, clerk):
    c = clerk[1]
    r = go(c, f"{DESK}/new", {"new-role": "expert", "new-name": "佐藤 一郎", "new-email": "ichiro@example.jp"})
    base = r.headers["Location"].replace("http://localhost", "").rstrip("/")
    assert re.fullmatch(rf"{DESK}/expert/\d+", base), base
    user = db.session.scalars(select(User).where(User.email == "ichiro@example.jp")).one()
    assert user.role == "expert" and user.organisation_id is None and user.password_hash is None
    db.session.rollback()
    # The person step starts with the caller's name and address, as the expert's own wizard does.
    go(c, f"{base}/participation", PARTICIPATION)
    page = c.get(f"{base}/person").get_data(as_text=True)
    assert 'value="佐藤 一郎"' in page and 'value="ichiro@example.jp"' in page
    grant_id = base.rsplit("/", 1)[1]
    assert c.submit(f"{DESK}/{grant_id}/invite", page=f"{base}/").status_code == 303
    from tests.fixtures.security import mail_link

    assert mail_link("ichiro@example.jp", "desk-invitation").startswith("/account/password-reset/")


def test_expert_sections_on_one_page(app, clerk):
    c = clerk[1]
    r = go(c, f"{DESK}/new", {"new-role": "expert", "new-name": "佐藤 一郎", "new-email": "ichiro@example.jp"})
    base = r.headers["Location"].replace("http://localhost", "").rstrip("/")
    r = go(c, f"{base}/section/participation", {"participation--participation": "freelance"})
    assert r.headers["Location"].endswith(f"{base}/section/person")
    page = c.get(f"{base}/section/person").get_data(as_text=True)
    assert 'value="佐藤 一郎"' in page
    go(c, f"{base}/section/person", {f"person--{k}": v for k, v in PERSON.items()})
    draft = db.session.scalars(select(WizardDraft)).one()
    assert draft.answers["steps"]["person"]["data"]["name"] == "佐藤 一郎"
    assert draft.answers["steps"]["participation"]["data"]["participation"] == "freelance"
    db.session.rollback()
    # Sections the expert answers alone (the bank account, the declaration) have no desk page.
    assert c.get(f"{base}/section/bank").status_code == 404
    assert c.get(f"{base}/section/declaration").status_code == 404
