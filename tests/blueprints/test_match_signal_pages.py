"""The secretariat's queue of signals found at matching (issue 12): both sides and what the code
means; acknowledged with a note (audited); linked from the dashboard."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dxapp.extensions import db
from dxapp.models import AuditEvent, MatchSignal
from tests.fixtures import factories
from tests.fixtures.pages import text_of


@pytest.fixture
def signal(users):
    sme, sme_application = factories.approved_sme(users)
    expert, expert_application = factories.approved_expert(users)
    expert_application.phone_digits = sme_application.phone_digits = "0312345678"
    db.session.commit()
    factories.matched(factories.published_case(sme), expert)
    return db.session.scalar(select(MatchSignal).where(MatchSignal.code == "shared_phone"))


def test_queue_and_acknowledge(desk, signal, users, app, login):
    _clerk, client = desk
    assert 'href="/secretariat/match-signals/"' in client.get("/secretariat/").get_data(as_text=True)
    page = client.get("/secretariat/match-signals/")
    assert page.status_code == 200 and "電話番号が同じ" in text_of(page)
    url = f"/secretariat/match-signals/{signal.id}/acknowledge"
    missing = client.submit(url, {f"s{signal.id}-note": " "}, page="/secretariat/match-signals/")
    assert missing.status_code == 422
    done = client.submit(url, {f"s{signal.id}-note": "家族経営と電話で確認"}, page="/secretariat/match-signals/")
    assert done.status_code == 303
    db.session.refresh(signal)
    assert signal.status == "acknowledged" and signal.note == "家族経営と電話で確認"
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_type == "match_signal")) \
        == "match_signal.acknowledged"
    assert client.post(url, data={f"s{signal.id}-note": "x",
                                  "csrf_token": client.csrf_from("/secretariat/")}).status_code in (400, 409)
    assert client.get("/secretariat/match-signals/999/acknowledge").status_code == 405
    sme_client = app.test_client()
    login(sme_client, users("sme"))
    assert sme_client.get("/secretariat/match-signals/").status_code == 403
