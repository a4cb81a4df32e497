"""One commit boundary (dxapp/transaction.py): services only flush; the request, the CLI command, the demo
seeding and the outbox worker commit once, so service calls compose into one transaction."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import select, text

from dxapp import clock
from dxapp.extensions import db
from dxapp.models import Inquiry
from dxapp.services import accounts, workflow
from dxapp.services.workflow import Stale
from dxapp.transaction import transaction

DXAPP = Path(__file__).resolve().parents[2] / "dxapp"
#: The modules that may commit: the request and ``with transaction():`` helper, the CLI commands (and the
#: demo seeding they run), the outbox worker.
BOUNDARY = {"transaction.py", "cli.py", "demo.py", "worker.py"}


def _commits(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit"]


def test_commit_appears_only_in_the_boundary_modules():
    found = {str(path.relative_to(DXAPP)): lines for path in sorted(DXAPP.rglob("*.py"))
             if str(path.relative_to(DXAPP)) not in BOUNDARY and (lines := _commits(path))}
    assert found == {}, f"commit() outside the boundary ({sorted(BOUNDARY)}): {found}"


def test_the_boundary_modules_exist_and_the_walk_finds_commits():
    """The convention test would pass vacuously if the walk found nothing: it must see the boundary's."""
    assert _commits(DXAPP / "transaction.py") and _commits(DXAPP / "cli.py")


def _inquiry() -> Inquiry:
    item = Inquiry(reference="Q-00000009", created_at=clock.wall_now(), name="木村 商店", email="kimura@example.jp",
                   category="other", body="質問です。", status="open", version=1)
    db.session.add(item)
    db.session.commit()
    return item


def _active_in_database(user_id: int) -> bool:
    """Read through a connection of its own: only what was committed."""
    with db.engine.connect() as conn:
        return bool(conn.execute(text("SELECT active FROM user_account WHERE id = :id"), {"id": user_id}).scalar())


def test_two_service_calls_compose_into_one_transaction_the_second_failing_rolls_back_the_first(app, users):
    user, admin = users("sme"), users("admin")
    item = _inquiry()
    with pytest.raises(Stale), transaction():
        accounts.disable(user, actor=admin)  # written (flushed), not committed
        workflow.transition(item, action="inquiry.closed", to="closed", version=item.version + 1)
    assert _active_in_database(user.id)
    assert db.session.get(type(user), user.id).active is True


def test_two_service_calls_that_both_succeed_commit_together(app, users):
    user, admin = users("sme"), users("admin")
    item = _inquiry()
    with transaction():
        accounts.disable(user, actor=admin)
        workflow.transition(item, action="inquiry.closed", to="closed", version=item.version)
        assert _active_in_database(user.id)  # nothing committed inside the unit of work
    assert not _active_in_database(user.id)
    assert db.session.scalar(select(Inquiry.status)) == "closed"


def test_a_request_commits_once_after_the_view_and_rolls_back_when_it_fails(make_app):
    app = make_app()
    outcome = {}

    def disable(fail: str):
        user = db.session.get(accounts.User, outcome["user"])
        accounts.disable(user, actor=None)
        if fail == "yes":
            raise RuntimeError("the second step failed")
        return "done"

    app.add_url_rule("/test-disable/<fail>", "test_disable", disable, methods=["GET"])
    with app.app_context():
        from dxapp.services import passwords

        first = accounts.sign_up(role="expert", name="一", email="one@example.jp",
                                 password_hash=passwords.hash_password("correct horse battery staple"), consented_version_ids=[])
        second = accounts.sign_up(role="expert", name="二", email="two@example.jp",
                                  password_hash=passwords.hash_password("correct horse battery staple"), consented_version_ids=[])
        db.session.commit()
        client = app.test_client()
        outcome["user"] = first.id
        assert client.get("/test-disable/yes").status_code == 500
        assert _active_in_database(first.id)
        outcome["user"] = second.id
        assert client.get("/test-disable/no").status_code == 200
        assert not _active_in_database(second.id)
