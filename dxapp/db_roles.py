"""PostgreSQL roles: the migration owner and the app's role (issue 11 item 26; SECURITY.md rule 10).

The triggers that keep ``audit_event`` append-only bind every role except the table's owner, who can
``ALTER TABLE audit_event DISABLE TRIGGER`` (or drop them) and then rewrite the log.  So the app does
not run as the owner:

* the **migration owner** (e.g. ``dxapp_owner``) owns the schema and every table; it runs
  ``flask db upgrade`` and ``flask grant-app-role`` and nothing else;
* the **app role** (e.g. ``dxapp_app``, the role in the running app's ``DATABASE_URL``) may read and
  write the application's tables, but on ``audit_event`` only ``SELECT`` and ``INSERT``: no UPDATE,
  DELETE or TRUNCATE, and, not being the owner, it cannot disable the triggers or alter the table.

``grant_statements`` is the whole grant, idempotent; run it after every migration (new tables get the
default privileges meanwhile).  SQLite has no roles: there the triggers are the guard.
"""

from __future__ import annotations

import re

#: Tables the app may only read and append to.
APPEND_ONLY = ("audit_event",)

_ROLE = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def quoted_role(role: str) -> str:
    """The role name as an SQL identifier; only plain lower-case names are accepted."""
    if not _ROLE.fullmatch(role or ""):
        raise ValueError("a role name is lower-case letters, digits and _ (at most 63), starting with a letter")
    return f'"{role}"'


def grant_statements(role: str, schema: str = "public") -> list[str]:
    """The GRANT/REVOKE statements that give ``role`` what the app needs and no more."""
    r, s = quoted_role(role), quoted_role(schema)
    statements = [
        f"REVOKE CREATE ON SCHEMA {s} FROM {r}",
        f"GRANT USAGE ON SCHEMA {s} TO {r}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {r}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r}",
        # Tables and sequences the owner makes in later migrations (until the next grant-app-role run).
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {r}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT USAGE, SELECT ON SEQUENCES TO {r}",
        # The migrations' bookkeeping is the owner's.
        f"REVOKE ALL ON TABLE {s}.alembic_version FROM {r}",
        f"GRANT SELECT ON TABLE {s}.alembic_version TO {r}",
    ]
    for table in APPEND_ONLY:
        statements += [f"REVOKE ALL ON TABLE {s}.{table} FROM {r}",
                       f"GRANT SELECT, INSERT ON TABLE {s}.{table} TO {r}"]
    return statements


def grant_app_role(connection, role: str, schema: str = "public") -> None:
    """Run the grant on ``connection`` (PostgreSQL, as the migration owner); the caller commits."""
    from sqlalchemy import text

    if connection.dialect.name != "postgresql":
        raise RuntimeError("roles exist on PostgreSQL only")
    owner = connection.execute(text("SELECT tableowner FROM pg_tables WHERE schemaname = :s AND tablename = "
                                    "'audit_event'"), {"s": schema}).scalar()
    if owner == role:
        raise RuntimeError(f"{role} owns audit_event: the app role must not be the migration owner")
    for statement in grant_statements(role, schema):
        connection.execute(text(statement))
