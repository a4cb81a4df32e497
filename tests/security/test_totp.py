"""TOTP for secretariat accounts (SECURITY.md rule 7): no staff page with the password alone, a wrong
code is refused, a used code is not accepted twice, the neighbouring 30-second step is accepted, the
pending second step expires after 5 minutes."""

from __future__ import annotations

import pyotp
import pytest

from dxapp.extensions import db
from dxapp.models import User
from tests.fixtures.app import PASSWORD
from tests.fixtures.security import location_path

STEP = 30


def align_to_mid_step(clock):
    """Move wall time to the middle of a 30-second step, so a test never straddles a boundary."""
    clock.advance_wall((15 - clock.wall_timestamp() % STEP) % STEP)


def code_at(user, clock, offset_steps: int = 0) -> str:
    return pyotp.TOTP(user.totp_secret).at(clock.wall_timestamp() + offset_steps * STEP)


def password_step(client, user):
    response = client.submit("/account/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 303 and location_path(response) == "/account/login/code"
    return response


def enter_code(client, code):
    return client.submit("/account/login/code", {"code": code})


def logout(client):
    assert client.submit("/account/logout", page="/secretariat/").status_code == 303


@pytest.fixture
def staff(users, program_clock):
    align_to_mid_step(program_clock)
    return users("desk")


def test_password_alone_does_not_reach_the_secretariat(app, staff):
    client = app.test_client()
    password_step(client, staff)
    response = client.get("/secretariat/")
    assert response.status_code == 302 and location_path(response) == "/account/login"
    assert client.get("/account/login/code").status_code == 200


def test_a_staff_session_without_mfa_is_sent_to_login(app, staff, program_clock):
    """Even a session that somehow holds a staff login without the second step (mfa_ok unset) is
    turned away by the gate and logged out."""
    client = app.test_client()
    client.get("/")
    user = db.session.get(User, staff.id)
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["login_at"] = sess["seen_at"] = program_clock.wall_timestamp()
    db.session.rollback()
    response = client.get("/secretariat/")
    assert response.status_code == 302 and location_path(response) == "/account/login"
    assert client.get("/secretariat/").status_code == 302


def test_wrong_code_is_422(app, staff, program_clock):
    client = app.test_client()
    password_step(client, staff)
    valid = {code_at(staff, program_clock, d) for d in (-1, 0, 1)}
    wrong = next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)
    response = enter_code(client, wrong)
    assert response.status_code == 422
    assert "エラー: " in response.get_data(as_text=True)
    for bad in ("12345", "abcdef", "1234567", ""):
        assert enter_code(client, bad).status_code == 422
    # Codes from steps further away than the neighbouring ones are refused too.
    assert enter_code(client, code_at(staff, program_clock, -3)).status_code == 422
    assert enter_code(client, code_at(staff, program_clock, 3)).status_code == 422
    assert client.get("/secretariat/").status_code == 302


def test_a_code_cannot_be_used_twice(app, staff, program_clock):
    client = app.test_client()
    password_step(client, staff)
    code = code_at(staff, program_clock)
    assert enter_code(client, code).status_code == 303
    assert client.get("/secretariat/").status_code == 200
    logout(client)
    # Second login within the same 30-second step, with the same code: refused.
    password_step(client, staff)
    assert enter_code(client, code).status_code == 422
    assert client.get("/secretariat/").status_code == 302
    # Another browser replaying the code (an observer over the shoulder) is refused too.
    other = app.test_client()
    password_step(other, staff)
    assert enter_code(other, code).status_code == 422


def test_codes_from_the_neighbouring_steps_are_accepted_once(app, staff, program_clock):
    client = app.test_client()
    # The previous step (a phone clock a little behind)...
    password_step(client, staff)
    assert enter_code(client, code_at(staff, program_clock, -1)).status_code == 303
    assert client.get("/secretariat/").status_code == 200
    logout(client)
    # ... the next step (a little ahead), typed with spaces ...
    password_step(client, staff)
    code = code_at(staff, program_clock, 1)
    assert enter_code(client, f" {code[:3]} {code[3:]} ").status_code == 303
    assert client.get("/secretariat/").status_code == 200
    logout(client)
    # ... and after the next step was used, the current (older) one no longer works.
    password_step(client, staff)
    assert enter_code(client, code_at(staff, program_clock, 0)).status_code == 422


def test_pending_second_step_expires_after_5_minutes(app, staff, program_clock):
    client = app.test_client()
    password_step(client, staff)
    program_clock.advance_wall(301)
    align_to_mid_step(program_clock)  # at most 29 s more; the state expired either way
    token = client.csrf_from("/account/login")
    response = client.post("/account/login/code", data={"csrf_token": token,
                                                         "code": code_at(staff, program_clock)})
    assert response.status_code == 302 and location_path(response) == "/account/login"
    assert client.get("/secretariat/").status_code == 302
    response = client.get("/account/login/code")
    assert response.status_code == 302 and location_path(response) == "/account/login"


def test_pending_second_step_is_still_open_after_4_minutes_in_the_same_browser(app, staff, program_clock):
    client, other = app.test_client(), app.test_client()
    password_step(client, staff)
    program_clock.advance_wall(4 * 60)
    response = other.get("/account/login/code")  # the pending step belongs to the browser that did the first
    assert response.status_code == 302 and location_path(response) == "/account/login"
    assert enter_code(client, code_at(staff, program_clock)).status_code == 303
    assert client.get("/secretariat/").status_code == 200


def test_a_disabled_staff_account_cannot_finish_the_second_step(app, staff, users, program_clock):
    from dxapp.services import accounts

    admin = users("admin")
    client = app.test_client()
    password_step(client, staff)
    accounts.disable(db.session.get(User, staff.id), actor=db.session.get(User, admin.id))
    assert enter_code(client, code_at(staff, program_clock)).status_code == 422
    assert client.get("/secretariat/").status_code == 302


def test_refused_codes_are_audited(app, staff, program_clock):
    """Issue 11 item 26: every refused code writes an audit row (auth.totp_failed, with why, never the
    code itself); the accepted one writes none of them."""
    from sqlalchemy import select

    from dxapp.models import AuditEvent

    client = app.test_client()
    password_step(client, staff)
    good = code_at(staff, program_clock)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    assert enter_code(client, wrong).status_code == 422
    assert enter_code(client, "１２３").status_code == 422
    assert enter_code(client, good).status_code == 303
    logout(client)
    password_step(client, staff)
    assert enter_code(client, good).status_code == 422  # used already
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.totp_failed")
                              .order_by(AuditEvent.id)).all()
    reasons = [r.summary["reason"] for r in rows]
    assert reasons[0] == "wrong" and reasons[-1] == "reused" and len(rows) in (2, 3), reasons
    assert all(r.object_id == str(staff.id) and r.ip for r in rows)
    assert not any(good in repr(r.summary) or wrong in repr(r.summary) for r in rows)
