"""The commit boundary: services only ``flush()``; one unit of work commits once, here.

* A request: a view that returns normally is committed after it (whatever its status: a 422 page may
  carry an audit row such as a failed login); an exception that reaches an error handler (``abort``,
  ``workflow.Stale``, anything unexpected) rolls the whole request back (dxapp/errors.py).
* A CLI command, the demo seeding or the outbox worker: ``with transaction():`` commits at the end of
  the block and rolls back when it raises.
* A service that must survive a constraint violation in a race (two parallel first saves of a draft,
  a double submit) uses ``INSERT ... ON CONFLICT DO NOTHING`` and the row count, or
  ``db.session.begin_nested()``, never a commit or a rollback of the caller's transaction.

A test (tests/services/test_commit_boundary.py) keeps ``commit()`` out of every other module.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, request

from dxapp.extensions import db

#: Files written during the transaction, removed should it roll back (uploads).
_UNLINK_ON_ROLLBACK = "dxapp_unlink_on_rollback"
#: The client address of the request this unit of work serves (for the audit log).
_CLIENT_IP = "dxapp_client_ip"


def client_ip() -> str | None:
    """The address of the client whose request this unit of work is (None for the CLI and the worker).
    The boundary sets it, so services (the audit log) never read the request."""
    return db.session.info.get(_CLIENT_IP)


def unlink_on_rollback(path) -> None:
    """``path`` (a file just written for a row of this transaction) is removed if the transaction rolls
    back through this boundary, so no orphan file stays behind."""
    db.session.info.setdefault(_UNLINK_ON_ROLLBACK, []).append(path)


def commit() -> None:
    """Commit the unit of work (the boundary's, and the one place ``commit()`` is written)."""
    try:
        db.session.commit()
    except Exception:
        rollback()
        raise
    db.session.info.pop(_UNLINK_ON_ROLLBACK, None)


def rollback() -> None:
    """Roll the unit of work back, with the files it wrote."""
    db.session.rollback()
    for path in db.session.info.pop(_UNLINK_ON_ROLLBACK, None) or ():
        path.unlink(missing_ok=True)


@contextmanager
def transaction() -> Iterator[None]:
    """One unit of work outside a request (CLI command, demo seeding, worker): committed at the end of
    the block, rolled back when it raises."""
    try:
        yield
    except BaseException:
        rollback()
        raise
    commit()


def init_app(app: Flask) -> None:
    @app.before_request
    def _note_client():
        db.session.info[_CLIENT_IP] = request.remote_addr

    @app.teardown_request
    def _forget_client(_error=None):
        db.session.info.pop(_CLIENT_IP, None)

    @app.after_request
    def _commit_request(response):
        """The view returned (the error handlers have rolled back whatever an exception left): commit."""
        commit()
        return response
