"""The secretariat's budget page (issue 13): the standing from the counters, and the administrator's
change of the total, audited and never below what is used."""

from __future__ import annotations

from sqlalchemy import select

from dxapp.extensions import db
from dxapp.models import AuditEvent
from dxapp.services import budget
from dxapp.services.budget import Parties
from tests.fixtures.pages import text_of

PAGE = "/secretariat/budget"


def _reserve(users, amount: int) -> None:
    budget.reserve(Parties(users("sme").id, users("expert").id), amount, object_type="test_reservation", object_id="S1")
    db.session.commit()


def test_the_page_shows_the_counters_and_intake(app, users, desk):
    _reserve(users, 123_456)
    text = text_of(desk[1].get(PAGE))
    assert "10,000,000,000円" in text and "123,456円" in text and "9,999,876,544円" in text
    assert "受付中" in text
    assert "管理者だけが変更できます" in text and "予算額を設定する" not in text
    assert "謝金予算" in text_of(desk[1].get("/secretariat/"))


def test_a_desk_clerk_cannot_set_the_total(app, desk):
    r = desk[1].submit(f"{PAGE}/total", {"total": "1000"}, page=PAGE)
    assert r.status_code == 403
    assert budget.program().total_yen == 10_000_000_000


def test_an_administrator_sets_the_total_as_typed_in_japanese(app, admin):
    r = admin[1].submit(f"{PAGE}/total", {"total": "５０億円"}, page=PAGE)
    assert r.status_code == 303
    db.session.expire_all()
    assert budget.program().total_yen == 5_000_000_000
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "budget.total_set")).one()
    assert event.actor_id == admin[0].id
    assert "5,000,000,000円" in text_of(admin[1].get(PAGE))


def test_the_total_cannot_go_below_what_is_used_and_the_typed_value_is_kept(app, users, admin):
    _reserve(users, 200_000)
    r = admin[1].submit(f"{PAGE}/total", {"total": "199,999"}, page=PAGE)
    assert r.status_code == 422
    text = text_of(r)
    assert "200,000円" in text and "以上を入力してください" in text
    assert 'value="199,999"' in r.get_data(as_text=True)
    assert budget.program().total_yen == 10_000_000_000


def test_an_amount_that_is_not_yen_is_a_field_error(app, admin):
    for typed in ("", "たくさん", "9" * 40):
        r = admin[1].submit(f"{PAGE}/total", {"total": typed}, page=PAGE)
        assert r.status_code == 422, typed
    assert budget.program().total_yen == 10_000_000_000


def test_when_the_budget_is_used_up_intake_shows_closed(app, users, admin):
    _reserve(users, 300_000)
    admin[1].submit(f"{PAGE}/total", {"total": "300000"}, page=PAGE)
    assert "締切（予算に達しました）" in text_of(admin[1].get(PAGE))
