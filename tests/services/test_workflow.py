"""services/workflow.py: one conditional transition (id + version + expected status, the audit event in
the same transaction, one Stale error) and the one 409 page every area shares."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dxapp import clock
from dxapp.extensions import db
from dxapp.models import AuditEvent, Inquiry
from dxapp.services import workflow
from dxapp.services.workflow import Stale
from tests.fixtures.pages import text_of


def _inquiry(reference="Q-00000001") -> Inquiry:
    item = Inquiry(reference=reference, created_at=clock.wall_now(), name="木村 商店", email="kimura@example.jp",
                   category="other", body="質問です。", status="open", version=1)
    db.session.add(item)
    db.session.commit()
    return item


def _audits(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def test_a_transition_moves_bumps_the_version_and_writes_its_audit_event(app):
    item = _inquiry()
    workflow.transition(item, action="inquiry.closed", to="closed", expected=("open", "assigned"), version=1)
    assert (item.status, item.version) == ("closed", 2) and item.updated_at is not None
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "inquiry.closed")).one()
    assert event.object_type == "inquiry" and event.object_id == str(item.id)
    assert event.summary == {"from": "open", "to": "closed"}


@pytest.mark.parametrize("version, expected", [(2, "open"), (1, "closed"), (1, ("assigned", "closed"))])
def test_an_old_version_or_another_status_is_stale_and_writes_nothing(app, version, expected):
    item = _inquiry()
    with pytest.raises(Stale) as raised:
        workflow.transition(item, action="inquiry.closed", to="closed", expected=expected, version=version)
    assert raised.value.object_type == "inquiry" and raised.value.object_id == item.id
    assert raised.value.reference == "Q-00000001"
    db.session.rollback()
    assert db.session.get(Inquiry, item.id).status == "open" and db.session.get(Inquiry, item.id).version == 1
    assert _audits("inquiry.closed") == 0


def test_two_transitions_from_the_same_version_let_exactly_one_through(app):
    item = _inquiry()
    workflow.transition(item, action="inquiry.assigned", values={"status": "assigned"}, version=1)
    with pytest.raises(Stale):
        workflow.transition(item, action="inquiry.closed", to="closed", version=1)
    assert item.status == "assigned" and _audits("inquiry.assigned") == 1 and _audits("inquiry.closed") == 0


def test_an_unhandled_stale_gets_the_one_409_page_and_rolls_the_request_back(make_app):
    """A view whose service wrote something, then met a Stale: nothing of it stays, and the page says
    what happened, what to do, and links back."""
    app = make_app()
    from dxapp.services import audit

    def stale_view():
        item = db.session.scalar(select(Inquiry))
        audit.record("test.partial_write", "inquiry", item.id)
        db.session.flush()
        workflow.transition(item, action="inquiry.closed", to="closed", version=item.version + 5)
        return "not reached"

    app.add_url_rule("/test-stale", "test_stale", stale_view, methods=["GET"])
    with app.app_context():
        _inquiry("Q-00000002")
        client = app.test_client()
        r = client.get("/test-stale", headers={"Referer": "http://localhost/contact"})
        assert r.status_code == 409
        text = text_of(r)
        assert "Q-00000002" in text and "何も上書きされておらず" in text and "次にすること" in text
        assert 'href="/contact"' in r.get_data(as_text=True)
        db.session.rollback()
        assert _audits("test.partial_write") == 0
        assert db.session.scalar(select(Inquiry)).status == "open"
