"""Contact persons of an SME: add (with an invitation e-mail), edit, remove; the invited person sets a
password and acts for the SME (issue "SME registration", My Page)."""

import re

import pytest
from sqlalchemy import select

from dxapp.extensions import db
from dxapp.models import AuditEvent, ContactPerson, OutboxMessage, User
from tests.fixtures.pages import text_of

NEW_PASSWORD = "contact person passphrase"  # noqa: S105


@pytest.fixture
def sme(client, users, login):
    user = users("sme")
    login(client, user)
    return user


def test_add_invite_and_act_for_the_sme(client, sme, app):
    r = client.submit("/sme/contacts", {"name": "経理 花子", "department": "経理部", "email": "keiri@example.jp",
                                        "phone": "０３-１２３４-５６７８"})
    assert r.status_code == 303
    contact = db.session.scalars(select(ContactPerson)).one()
    member = db.session.get(User, contact.user_id)
    assert member.organisation_id == sme.organisation_id and member.role == "sme" and member.password_hash is None
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "contact-invitation")).one()
    link = re.search(r"http://localhost(/\S+)", mail.body).group(1)
    other = app.test_client()
    r = other.submit(link, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert r.status_code == 303
    r = other.submit("/account/login", {"email": "keiri@example.jp", "password": NEW_PASSWORD})
    assert r.status_code == 303 and r.headers["Location"].endswith("/sme/")
    # Every person agrees to the terms themselves before acting for the SME.
    assert "/account/consent" in other.get("/sme/contacts").headers["Location"]
    other.submit("/account/consent", {"agree_terms": "y", "agree_privacy": "y"})
    assert "経理 花子" in text_of(other.get("/sme/contacts"))


def test_edit_and_remove_contact(client, sme):
    client.submit("/sme/contacts", {"name": "営業 太郎", "email": "eigyo@example.jp"})
    contact = db.session.scalars(select(ContactPerson)).one()
    r = client.submit(f"/sme/contacts/{contact.id}/edit", {"name": "営業 次郎", "department": "営業部"})
    assert r.status_code == 303
    db.session.refresh(contact)
    assert contact.name == "営業 次郎" and contact.department == "営業部"
    r = client.submit(f"/sme/contacts/{contact.id}/remove", page="/sme/contacts")
    assert r.status_code == 303
    db.session.refresh(contact)
    assert contact.removed_at is not None and not db.session.get(User, contact.user_id).active
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert {"contact.added", "contact.updated", "contact.removed", "account.disabled"} <= set(actions)


def test_bad_input(client, sme):
    r = client.submit("/sme/contacts", {"name": "", "email": "x@example.jp", "phone": "abc"})
    assert r.status_code == 422


def test_an_address_with_an_account_gets_the_same_answer(client, sme, users):
    """Issue 11 item 25: the form never says 「このメールアドレスはすでに登録されています」; every valid
    address gets the same page and the same row in the list; the owner of an address that has an account
    gets a short notice (at most three a day, whoever asks), and no account of the SME is made for it."""
    expert = users("expert", email="taken@example.jp")
    pages = []
    for email in ("new-person@example.jp", "TAKEN@example.jp"):
        r = client.submit("/sme/contacts", {"name": "誰か", "department": "営業部", "email": email})
        assert r.status_code == 303, email
        page = text_of(client.get(r.headers["Location"]))
        assert "すでに登録" not in page and "招待メールを送りました" in page
        pages.append(page.split("招待メールを送りました")[1].split("。")[:3])
    assert pages[0] == pages[1]  # the same message after either
    html = client.get("/sme/contacts").get_data(as_text=True)
    rows_html = re.findall(r"<tr><td>誰か</td>.*?</tr>", html, re.S)
    assert len(rows_html) == 2
    assert re.sub(r"\d+|[\w.-]+@example\.jp", "", rows_html[0]) == re.sub(r"\d+|[\w.-]+@example\.jp", "", rows_html[1])
    taken = db.session.scalars(select(ContactPerson).where(ContactPerson.email == "taken@example.jp")).one()
    assert taken.user_id is None  # it cannot log in for the SME
    assert db.session.query(User).filter(User.email == "taken@example.jp").count() == 1
    notices = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "contact-add-notice",
                                                             OutboxMessage.recipient == expert.email)).all()
    assert len(notices) == 1 and "担当者としては登録されず" in notices[0].body
    # The SME's own address: the same answer, nothing listed, nothing sent.
    r = client.submit("/sme/contacts", {"name": "自分", "email": sme.email})
    assert r.status_code == 303 and "招待メールを送りました" in text_of(client.get(r.headers["Location"]))
    assert db.session.query(ContactPerson).filter_by(email=sme.email).count() == 0
    # Removed and added again and again: at most three notices a day reach the address.
    for _ in range(4):
        listed = db.session.scalars(select(ContactPerson).where(ContactPerson.email == "taken@example.jp",
                                                                ContactPerson.removed_at.is_(None))).one()
        assert client.submit(f"/sme/contacts/{listed.id}/remove", page="/sme/contacts").status_code == 303
        assert client.submit("/sme/contacts", {"name": "誰か", "email": expert.email}).status_code == 303
    assert db.session.query(OutboxMessage).filter_by(kind="contact-add-notice", recipient=expert.email).count() == 3
    refused = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "contact.add_refused")).all()
    assert len(refused) == 5 and all(e.actor_id == sme.id for e in refused)
    assert db.session.get(User, expert.id).active  # removing such a contact disables nobody


def test_other_sme_cannot_touch_contacts(client, sme, users, app):
    from tests.fixtures.app import PASSWORD

    other_user = users("sme")
    other = app.test_client()
    other.submit("/account/login", {"email": other_user.email, "password": PASSWORD})
    other.submit("/sme/contacts", {"name": "他社 担当", "email": "tasha@example.jp"})
    foreign = db.session.scalars(select(ContactPerson)).one()
    assert client.get(f"/sme/contacts/{foreign.id}/edit").status_code == 404
    r = client.submit(f"/sme/contacts/{foreign.id}/remove", page="/sme/contacts")
    assert r.status_code == 404
    assert "他社 担当" not in text_of(client.get("/sme/contacts"))
