"""The migration-owner / app-role split on PostgreSQL (issue 11 item 26; dxapp/db_roles.py): the app's
role reads and writes the application's tables but only SELECT and INSERT on audit_event, and cannot
disable its triggers.  The PostgreSQL tests are skipped on SQLite (no roles there)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from dxapp import db_roles
from dxapp.extensions import db
from tests.fixtures.databases import worker


def test_grant_statements_give_audit_event_select_and_insert_only():
    statements = db_roles.grant_statements("dxapp_app")
    assert 'GRANT SELECT, INSERT ON TABLE "public".audit_event TO "dxapp_app"' in statements
    revoke = statements.index('REVOKE ALL ON TABLE "public".audit_event FROM "dxapp_app"')
    assert revoke > statements.index('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "public" TO '
                                     '"dxapp_app"')
    assert not any("TRIGGER" in s or "TRUNCATE" in s for s in statements)


@pytest.mark.parametrize("role", ["", "App", "x; DROP TABLE audit_event", '"quoted"', "a" * 64, "1app"])
def test_role_names_are_plain_identifiers(role):
    with pytest.raises(ValueError):
        db_roles.quoted_role(role)


def test_the_command_says_so_on_sqlite(app):
    if db.engine.dialect.name == "postgresql":
        pytest.skip("SQLite only")
    result = app.test_cli_runner().invoke(args=["grant-app-role", "dxapp_app"])
    assert result.exit_code == 0 and "SQLite has no roles" in result.output


@pytest.fixture
def app_role(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (set TEST_DATABASE_URL)")
    role = f"dxapp_app_{worker()}".lower()
    with db.engine.connect() as conn:
        conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        conn.execute(text(f'CREATE ROLE "{role}" NOLOGIN'))
        conn.commit()
    yield role
    db.session.remove()
    with db.engine.connect() as conn:
        conn.execute(text(f'DROP OWNED BY "{role}"'))
        conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        conn.commit()


def _as(role, statement, params=None):
    """Run one statement as ``role`` (SET ROLE on the test's superuser connection); True if allowed."""
    from sqlalchemy.exc import ProgrammingError

    with db.engine.connect() as conn:
        conn.execute(text(f'SET ROLE "{role}"'))
        try:
            conn.execute(text(statement), params or {})
        except ProgrammingError as exc:
            assert "permission denied" in str(exc) or "must be owner" in str(exc), exc
            conn.rollback()
            return False
        conn.rollback()
        return True


def test_the_app_role_appends_to_audit_event_and_cannot_change_or_unguard_it(app, app_role):
    result = app.test_cli_runner().invoke(args=["grant-app-role", app_role])
    assert result.exit_code == 0, result.output
    from dxapp.services import audit

    audit.record("test.event", "test", 1)
    db.session.commit()
    insert = ("INSERT INTO audit_event (at, action, object_type, object_id, summary) "
              "VALUES (now(), 'test.by_app', 'test', '2', '{}')")
    assert _as(app_role, insert)
    assert _as(app_role, "SELECT count(*) FROM audit_event")
    for refused in ("UPDATE audit_event SET action = 'rewritten'", "DELETE FROM audit_event",
                    "TRUNCATE audit_event", "ALTER TABLE audit_event DISABLE TRIGGER ALL",
                    "DROP TRIGGER audit_event_no_change ON audit_event",
                    "CREATE TABLE sneaky (id int)", "UPDATE alembic_version SET version_num = 'x'"):
        assert not _as(app_role, refused), refused
    # The app's other tables are read and written as usual.
    assert _as(app_role, "UPDATE user_account SET name = name")
    assert _as(app_role, "INSERT INTO outbox_message (created_at, recipient, subject, body, kind, attempts) "
                         "VALUES (now(), 'a@example.jp', 's', 'b', 'k', 0)")
    assert _as(app_role, "DELETE FROM outbox_message")


def test_the_owner_cannot_be_the_app_role(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (set TEST_DATABASE_URL)")
    owner = db.session.execute(text("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_event'")).scalar()
    db.session.rollback()
    result = app.test_cli_runner().invoke(args=["grant-app-role", owner])
    assert result.exit_code != 0 and "must not be the migration owner" in result.output
