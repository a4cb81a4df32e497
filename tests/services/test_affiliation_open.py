"""One open affiliation per expert and corporation: the partial unique index (migration 0010) refuses a
second one, and the affiliations service answers a lost race with the affiliation that stands."""

from sqlalchemy import func, select

from dxapp import clock
from dxapp.extensions import db
from dxapp.models import AuditEvent
from dxapp.models.supporter import Affiliation
from dxapp.services import affiliations, rows
from tests.fixtures.factories import approved_supporter_shell


def _row(admin, expert, status):
    return Affiliation(organisation_id=admin.organisation_id, expert_user_id=expert.id, status=status,
                       requested_by="expert", created_at=clock.wall_now(), version=1)


def test_the_index_refuses_a_second_open_affiliation_but_not_a_closed_one(app, users):
    admin = approved_supporter_shell(users)
    expert = users("expert")
    assert rows.insert_once(_row(admin, expert, "requested"))
    assert not rows.insert_once(_row(admin, expert, "invited"))
    assert rows.insert_once(_row(admin, expert, "declined"))
    assert rows.insert_once(_row(admin, expert, "ended"))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Affiliation).where(
        Affiliation.status.in_(("requested", "invited")))) == 1


def test_a_request_that_loses_the_race_returns_the_affiliation_that_stands(app, users, monkeypatch):
    admin = approved_supporter_shell(users)
    expert = users("expert")
    first = affiliations.add_invited(admin.organisation_id, expert.id, actor=admin.id)
    db.session.flush()
    # The parallel request read "nothing open" before the invitation was inserted.
    real = affiliations.current_for_expert
    calls = []

    def stale_then_real(*args):
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(affiliations, "current_for_expert", stale_then_real)
    got = affiliations.request(expert, admin.organisation_id, actor=expert.id)
    db.session.commit()
    assert got.id == first.id and got.status == "invited"
    assert db.session.scalar(select(func.count()).select_from(Affiliation)) == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "affiliation.requested")) == 0
