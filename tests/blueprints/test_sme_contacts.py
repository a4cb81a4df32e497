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


def test_duplicate_email_and_bad_input(client, sme):
    r = client.submit("/sme/contacts", {"name": "重複", "email": sme.email})
    assert r.status_code == 422
    r = client.submit("/sme/contacts", {"name": "", "email": "x@example.jp", "phone": "abc"})
    assert r.status_code == 422


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
