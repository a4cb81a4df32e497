"""Revocable sessions (SECURITY.md rule 6): a server-side token on the user row, rotated at login,
logout, password change and disablement; idle timeout 30 minutes, absolute 12 hours."""

from __future__ import annotations

import re

from sqlalchemy import select

from dxapp.extensions import db
from dxapp.models import OutboxMessage, User
from dxapp.services import accounts
from tests.fixtures.app import PASSWORD
from tests.fixtures.security import location_path

NEW_PASSWORD = "another long passphrase for this account"  # noqa: S105


def session_cookie(app, client) -> str:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return cookie.value


def replay(app, value: str):
    """A fresh browser carrying a copied session cookie."""
    other = app.test_client()
    other.set_cookie(app.config["SESSION_COOKIE_NAME"], value)
    return other


def assert_logged_out(response):
    assert response.status_code == 302, response.status_code
    assert location_path(response) == "/account/login"


def reload(user) -> User:
    db.session.expire_all()
    fresh = db.session.get(User, user.id)
    db.session.rollback()
    return fresh


def test_replayed_cookie_fails_after_logout(app, users, login):
    user = users("sme")
    client = app.test_client()
    login(client, user)
    stolen = session_cookie(app, client)
    assert replay(app, stolen).get("/sme/").status_code == 200  # the copy works while logged in
    assert client.get("/account/logout").status_code == 405  # logging out is a POST (GET changes nothing)
    assert client.get("/sme/").status_code == 200
    assert client.submit("/account/logout", page="/sme/").status_code == 303
    assert_logged_out(client.get("/sme/"))
    assert_logged_out(replay(app, stolen).get("/sme/"))


def test_replayed_cookie_fails_after_password_change(app, users, login):
    user = users("expert")
    client = app.test_client()
    login(client, user)
    stolen = session_cookie(app, client)
    accounts.set_password(db.session.get(User, user.id), NEW_PASSWORD)
    assert_logged_out(replay(app, stolen).get("/expert/"))
    assert_logged_out(client.get("/expert/"))
    # The new password works and gives a working session; the old one no longer logs in.
    assert client.submit("/account/login", {"email": user.email, "password": PASSWORD}).status_code == 422
    login(client, user, password=NEW_PASSWORD)
    assert client.get("/expert/").status_code == 200


def test_replayed_cookie_fails_after_password_reset_by_e_mail(app, users, login):
    user = users("sme")
    victim_browser, attacker = app.test_client(), app.test_client()
    login(attacker, user)
    stolen = session_cookie(app, attacker)
    assert victim_browser.submit("/account/password-reset", {"email": user.email}).status_code == 200
    body = db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.kind == "password-reset")).one()
    db.session.rollback()
    link = re.search(r"http://localhost(/account/password-reset/\S+)", body).group(1)
    response = victim_browser.submit(link, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert response.status_code == 303 and location_path(response) == "/account/login"
    assert_logged_out(attacker.get("/sme/"))
    assert_logged_out(replay(app, stolen).get("/sme/"))
    assert victim_browser.get(link).status_code == 410  # the link is single-use


def test_replayed_cookie_fails_after_disablement(app, users, login):
    user = users("supporter_admin")
    admin = users("admin")
    client = app.test_client()
    login(client, user)
    stolen = session_cookie(app, client)
    accounts.disable(db.session.get(User, user.id), actor=db.session.get(User, admin.id))
    assert_logged_out(client.get("/supporter/"))
    assert_logged_out(replay(app, stolen).get("/supporter/"))
    # A disabled account cannot log in again, even with the right password.
    response = client.submit("/account/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 422
    assert_logged_out(client.get("/supporter/"))


def test_session_token_rotates_at_every_login(app, users, login):
    user = users("sme")
    before_token = reload(user).session_token
    client = app.test_client()
    client.get("/account/login")
    anonymous_cookie = session_cookie(app, client)
    login(client, user)
    assert reload(user).session_token != before_token
    assert session_cookie(app, client) != anonymous_cookie
    # The cookie from before login stays anonymous (no session fixation).
    assert_logged_out(replay(app, anonymous_cookie).get("/sme/"))
    assert client.get("/sme/").status_code == 200
    # Logging in again (another browser) rotates the token: the cookie of the earlier login is revoked.
    earlier = session_cookie(app, client)
    second = app.test_client()
    login(second, user)
    assert second.get("/sme/").status_code == 200
    assert_logged_out(replay(app, earlier).get("/sme/"))


def test_no_remember_me_cookie(app, users):
    user = users("sme")
    client = app.test_client()
    response = client.submit("/account/login", {"email": user.email, "password": PASSWORD, "remember": "y"})
    assert response.status_code == 303
    set_cookies = " ".join(v for k, v in response.headers.items() if k == "Set-Cookie")
    assert "remember_token" not in set_cookies
    assert "Expires" not in set_cookies and "Max-Age" not in set_cookies


def test_idle_timeout_logs_out_and_redirects_to_login(app, users, login, program_clock):
    user = users("sme")
    client = app.test_client()
    login(client, user)
    program_clock.advance_wall(29 * 60)
    assert client.get("/sme/").status_code == 200  # activity keeps the session alive
    program_clock.advance_wall(29 * 60)
    assert client.get("/sme/").status_code == 200
    program_clock.advance_wall(31 * 60)
    response = client.get("/sme/")
    assert_logged_out(response)
    assert "next=/sme/" in response.headers["Location"]
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and "30分" in page.get_data(as_text=True)
    assert_logged_out(client.get("/sme/"))  # not logged back in by anything


def test_idle_timeout_applies_to_a_replayed_cookie_and_to_staff(app, users, login, program_clock):
    user, desk = users("sme"), users("desk")
    client, staff = app.test_client(), app.test_client()
    login(client, user)
    login(staff, desk)
    stolen = session_cookie(app, client)
    assert staff.get("/secretariat/").status_code == 200
    program_clock.advance_wall(31 * 60)
    assert_logged_out(replay(app, stolen).get("/sme/"))
    assert_logged_out(staff.get("/secretariat/"))


def test_absolute_timeout_after_12_hours(app, users, login, program_clock):
    user = users("expert")
    client = app.test_client()
    login(client, user)
    for _ in range(24):  # active every 29 minutes for 11 h 36 min
        program_clock.advance_wall(29 * 60)
        assert client.get("/expert/").status_code == 200
    program_clock.advance_wall(25 * 60)  # 12 h 01 min after login, 25 minutes after the last request
    assert_logged_out(client.get("/expert/"))
