"""Every model change ships its migration (standard 9): the database that `alembic upgrade` makes is
what the models declare.  On SQLite the PostgreSQL-only trigram indexes are not made, by design."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from dxapp.extensions import db


def _pg_only(diff) -> bool:
    kind = diff[0] if isinstance(diff, tuple) else None
    if kind in ("add_index", "remove_index"):
        index = diff[1]
        return bool(index.dialect_options["postgresql"].get("using"))
    return False


def test_the_migrated_database_is_what_the_models_declare(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, db.metadata)
    dialect = db.engine.dialect.name
    left = [d for d in differences if not (dialect == "sqlite" and _pg_only(d))]
    assert left == [], left
