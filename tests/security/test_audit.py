"""The append-only audit log (SECURITY.md rule 10) and the PII tripwire: UPDATE and DELETE on
audit_event are refused by the database; sign-up, verification and login write the expected rows with
their actors; no password ever reaches the audit log, the outbox, any table or the logs."""

from __future__ import annotations

import json
import logging
from collections import Counter

import pytest
import sqlalchemy.exc
from sqlalchemy import select, text

from dxapp.extensions import db
from dxapp.models import AuditEvent, User
from dxapp.services import accounts, audit
from tests.fixtures.security import location_path, mail_link, sign_up

SIGNUP_PASSWORD = "tripwire passphrase ZQX 8841 豊橋"  # noqa: S105
WRONG_PASSWORD = "wrong tripwire passphrase KJH 2207"  # noqa: S105
RESET_PASSWORD = "reset tripwire passphrase PLM 5530"  # noqa: S105
CHANGED_PASSWORD = "changed tripwire passphrase WQA 9013"  # noqa: S105
PLAINTEXTS = (SIGNUP_PASSWORD, WRONG_PASSWORD, RESET_PASSWORD, CHANGED_PASSWORD)


@pytest.fixture
def some_events(users):
    users("sme")
    count = db.session.scalar(select(db.func.count()).select_from(AuditEvent))
    assert count >= 2
    return count


def dialect() -> str:
    return db.engine.dialect.name


REFUSED = (
    "UPDATE audit_event SET action = 'tampered'",
    "UPDATE audit_event SET summary = '{}' WHERE id = (SELECT min(id) FROM audit_event)",
    "DELETE FROM audit_event",
    "DELETE FROM audit_event WHERE id = (SELECT max(id) FROM audit_event)",
)


def test_update_delete_and_truncate_are_refused_by_the_database(app, some_events):
    statements = REFUSED + (("TRUNCATE audit_event CASCADE",) if dialect() == "postgresql" else ())
    for statement in statements:
        with pytest.raises(sqlalchemy.exc.DBAPIError) as refused:
            db.session.execute(text(statement))
            db.session.commit()
        db.session.rollback()
        assert "append-only" in str(refused.value), statement
        assert db.session.scalar(select(db.func.count()).select_from(AuditEvent)) == some_events
        assert db.session.scalar(select(db.func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "tampered")) == 0


def test_orm_changes_are_refused_and_appending_works(app, some_events):
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).first()
    event.action = "tampered"
    with pytest.raises(sqlalchemy.exc.DBAPIError):
        db.session.commit()
    db.session.rollback()
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).first()
    db.session.delete(event)
    with pytest.raises(sqlalchemy.exc.DBAPIError):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(AuditEvent)) == some_events
    # Appending still works.
    audit.record("test.appended", "nothing", 1, summary={"k": "v"})
    db.session.commit()
    assert db.session.scalar(select(db.func.count()).select_from(AuditEvent)) == some_events + 1


def test_secret_keys_are_scrubbed_from_summaries(app):
    event = audit.record("test.scrub", "user", 1, summary={
        "password": "x", "new_password": "x", "token": "x", "session_token": "x", "account_number": "x",
        "nested": {"password_hash": "x", "kept": "y"}, "role": "sme"})
    assert event.summary == {"nested": {"kept": "y"}, "role": "sme"}
    db.session.rollback()


def rows(action: str) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def test_sign_up_verify_login_write_the_expected_rows(app, client):
    sign_up(client, password=SIGNUP_PASSWORD, email="audit@example.jp")
    client.submit(mail_link("audit@example.jp", "verify-email"))
    response = client.submit("/account/login", {"email": "audit@example.jp", "password": SIGNUP_PASSWORD})
    assert response.status_code == 303 and location_path(response) == "/sme/"
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == "audit@example.jp"))
    uid = user.id

    counts = Counter(db.session.scalars(select(AuditEvent.action)).all())
    # Exactly one row per mutation.
    assert counts["account.created"] == 1
    assert counts["account.email_verified"] == 1
    assert counts["auth.login"] == 1
    assert counts["consent.given"] == 2  # the terms of use and the personal-information notice
    assert counts["draft.submitted"] == 1
    assert counts["draft.created"] == 1
    assert counts["draft.step_saved"] == 4

    for action in ("account.created", "account.email_verified", "auth.login", "consent.given"):
        for event in rows(action):
            assert event.actor_id == uid, action
            assert event.on_behalf_of_id is None, action
            assert event.at is not None and event.ip == "127.0.0.1", action
    for action in ("account.created", "account.email_verified", "auth.login"):
        (event,) = rows(action)
        assert (event.object_type, event.object_id) == ("user", str(uid)), action
    assert rows("account.created")[0].summary == {"role": "sme"}
    assert {e.summary["kind"] for e in rows("consent.given")} == {"terms", "privacy"}
    # Before the account existed the draft was anonymous.
    assert all(e.actor_id is None for e in rows("draft.created") + rows("draft.step_saved"))
    # Events follow the order of what happened.
    order = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert order.index("account.created") < order.index("account.email_verified") < order.index("auth.login")
    db.session.rollback()


def test_failed_login_is_recorded_without_the_password(app, client, users):
    user = users("expert", email="target@example.jp")
    assert client.submit("/account/login", {"email": "target@example.jp", "password": WRONG_PASSWORD}
                         ).status_code == 422
    assert client.submit("/account/login", {"email": "nobody@example.jp", "password": WRONG_PASSWORD}
                         ).status_code == 422
    known, unknown = rows("auth.login_failed")
    assert (known.object_id, known.summary) == (str(user.id), {"email_known": True})
    assert (unknown.object_id, unknown.summary) == (None, {"email_known": False})
    assert known.actor_id is None
    db.session.rollback()


def test_logout_and_password_changes_are_recorded(app, client, users, login):
    user = users("sme")
    login(client, user)
    client.submit("/account/logout", page="/sme/")
    accounts.set_password(db.session.get(User, user.id), CHANGED_PASSWORD)
    (logout,) = rows("auth.logout")
    (changed,) = rows("account.password_changed")
    assert logout.actor_id == changed.actor_id == user.id
    db.session.rollback()


def all_rows_as_text() -> str:
    """Every row of every table, as text."""
    dump = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)).mappings():
            dump.append(json.dumps({k: str(v) for k, v in row.items()}, ensure_ascii=False))
    db.session.rollback()
    return "\n".join(dump)


def test_pii_tripwire_no_password_in_audit_outbox_tables_or_logs(app, client, users, caplog):
    caplog.set_level(logging.DEBUG)
    # SQL statements with their parameters: a plaintext password sent to the database would show here.
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    sign_up(client, password=SIGNUP_PASSWORD, email="kanazawa@example.jp")
    # While the draft existed it held no password either (checked on the way, before submit).
    client.submit(mail_link("kanazawa@example.jp", "verify-email"))
    client.submit("/account/login", {"email": "kanazawa@example.jp", "password": WRONG_PASSWORD})
    client.submit("/account/login", {"email": "kanazawa@example.jp", "password": SIGNUP_PASSWORD})
    client.submit("/account/logout", page="/sme/")
    client.submit("/account/password-reset", {"email": "kanazawa@example.jp"})
    link = mail_link("kanazawa@example.jp", "password-reset")
    # A form that fails validation and one without a CSRF token must not leak the password either.
    response = client.submit(link, {"password": RESET_PASSWORD, "password_confirm": "something else"})
    assert response.status_code == 422 and RESET_PASSWORD not in response.get_data(as_text=True)
    response = client.post("/account/login", data={"email": "kanazawa@example.jp", "password": WRONG_PASSWORD})
    assert response.status_code == 400 and WRONG_PASSWORD not in response.get_data(as_text=True)
    assert client.submit(link, {"password": RESET_PASSWORD, "password_confirm": RESET_PASSWORD}).status_code == 303
    user = db.session.scalar(select(User).where(User.email == "kanazawa@example.jp"))
    accounts.set_password(user, CHANGED_PASSWORD)

    summaries = [json.dumps(s, ensure_ascii=False) for s in db.session.scalars(select(AuditEvent.summary))]
    assert summaries
    everything = all_rows_as_text()
    logs = "\n".join(f"{r.getMessage()} {r.exc_text or ''} {r.args!r}" for r in caplog.records)
    for secret in PLAINTEXTS:
        assert not any(secret in s for s in summaries), secret
        assert secret not in everything, secret
        assert secret not in logs, secret
    assert "kanazawa@example.jp" in everything  # the dump did see the data
    assert "kanazawa@example.jp" in logs  # the log tripwire was live: SQL parameters were captured


def test_draft_never_stores_the_password(app, client):
    for slug, data in [("role", {"role": "expert"}), ("account", {"name": "山田", "email": "d@example.jp"}),
                       ("password", {"password": SIGNUP_PASSWORD, "password_confirm": SIGNUP_PASSWORD})]:
        assert client.submit(f"/account/sign-up/{slug}", data).status_code == 303
    dump = all_rows_as_text()
    assert SIGNUP_PASSWORD not in dump
    assert "$argon2id$" in dump  # only its hash is kept until the account is created
