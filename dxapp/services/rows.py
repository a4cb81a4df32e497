"""Rows that a unique constraint allows once (issue 11 item 24; SECURITY.md rule 3).

Parallel requests that create the same row (one address signed up ten times at once, a contact added
twice, the same new expert in two CSV confirmations) all pass their check-then-insert; the unique
constraint lets one INSERT through.  ``insert_once`` runs the INSERT in a savepoint, so the loser's
IntegrityError rolls back that INSERT alone and the caller answers the normal outcome (the row that
already exists) instead of a 500, while the rest of its transaction stays usable.  No commit.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from dxapp.extensions import db


def begin_write() -> None:
    """pysqlite opens a transaction only at the first INSERT/UPDATE/DELETE, so a SAVEPOINT before one
    would itself open the transaction and its RELEASE would commit it: the row inserted in the savepoint
    would be visible to the others before the rest of the transaction (and rolled back apart from it).
    Open the transaction first, taking SQLite's write lock as a writer must anyway."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite" and not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def insert_once(*objects) -> bool:
    """Add and flush ``objects`` in a savepoint: True when they were inserted, False (and nothing
    added) when a unique constraint refused them."""
    begin_write()
    try:
        with db.session.begin_nested():
            db.session.add_all(objects)
    except IntegrityError:
        return False
    return True
