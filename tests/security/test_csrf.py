"""CSRF on every state-changing route: a POST without the token answers 400 and changes nothing, for
anonymous visitors and for logged-in accounts (SECURITY.md, headers and cookies)."""

from __future__ import annotations

import html
import json
import re

import pytest
from sqlalchemy import select

from dxapp.extensions import csrf, db
from dxapp.models import User
from dxapp.services import accounts
from tests.fixtures.app import PASSWORD
from tests.fixtures.security import location_path, row_counts, url_for_rule

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
NEW_PASSWORD = "a completely different passphrase"  # noqa: S105


def valid_requests(app, users) -> dict[str, tuple[str | None, dict]]:
    """For each mutating endpoint: a URL (None = build one with dummy values) and a body that would
    be accepted with a token, so that only the missing token stops it."""
    victim = users("expert", email="victim@example.jp")
    unverified = users("sme", email="unverified@example.jp", verified=False)
    with app.test_request_context("/"):
        verify_url = f"/account/verify/{accounts.make_token(unverified, 'verify')}"
        reset_url = f"/account/password-reset/{accounts.make_token(victim, 'reset')}"
    return {
        "public.inquiry": (None, {"name": "山田", "email": "q@example.jp", "category": "other", "body": "質問です"}),
        "public.set_language": (None, {"lang": "en", "next": "/"}),
        "auth.signup_step": (None, {"role": "sme", "draft_version": "0"}),
        "auth.signup_submit": (None, {"submit_token": "x"}),
        "auth.verify_email": (verify_url, {}),
        "auth.resend_verification": (None, {"email": "unverified@example.jp"}),
        "auth.login": (None, {"email": "victim@example.jp", "password": PASSWORD}),
        "auth.totp": (None, {"code": "123456"}),
        "auth.logout": (None, {}),
        "auth.reset_request": (None, {"email": "victim@example.jp"}),
        "auth.reset_password": (reset_url, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}),
        "auth.consent": (None, {"agree_terms": "y", "agree_privacy": "y"}),
        "secretariat.staff": (None, {"email": "newstaff@example.jp", "name": "新職員", "role": "desk"}),
    }


def mutating_rules(app):
    return [r for r in sorted(app.url_map.iter_rules(), key=lambda r: r.rule) if r.methods & MUTATING]


def test_no_view_or_blueprint_is_exempt(bare_app):
    app = bare_app
    assert app.config.get("WTF_CSRF_ENABLED", True) is True
    assert app.config.get("WTF_CSRF_CHECK_DEFAULT", True) is True
    assert not csrf._exempt_views and not csrf._exempt_blueprints


def test_mutating_routes_exist(bare_app):
    endpoints = {r.endpoint for r in mutating_rules(bare_app)}
    assert {"auth.login", "auth.logout", "public.inquiry", "secretariat.staff"} <= endpoints


@pytest.mark.parametrize("who", ["anonymous", "sme", "admin"])
def test_post_without_token_is_refused_and_changes_nothing(app, users, login, who):
    requests = valid_requests(app, users)
    client = app.test_client()
    if who != "anonymous":
        login(client, users(who))
    victim = db.session.scalar(select(User).where(User.email == "victim@example.jp"))
    victim_hash, victim_token = victim.password_hash, victim.session_token
    db.session.rollback()
    checked = []
    for rule in mutating_rules(app):
        url, data = requests.get(rule.endpoint, (None, {}))
        url = url or url_for_rule(app, rule)
        for method in sorted(rule.methods & MUTATING):
            before = row_counts()
            response = client.open(url, method=method, data=data)
            assert response.status_code == 400, (who, method, url, response.status_code)
            assert row_counts() == before, (who, method, url)
            # The page offers typed values back, never a password.
            assert PASSWORD not in response.get_data(as_text=True)
            assert NEW_PASSWORD not in response.get_data(as_text=True)
            checked.append(rule.endpoint)
    assert len(checked) >= 10
    # Nothing happened behind the 400s: the victim's password and session are untouched, the
    # unverified address is still unverified, and the logged-in client is still logged in.
    victim = db.session.scalar(select(User).where(User.email == "victim@example.jp"))
    assert (victim.password_hash, victim.session_token) == (victim_hash, victim_token)
    unverified = db.session.scalar(select(User).where(User.email == "unverified@example.jp"))
    assert unverified.email_verified_at is None
    db.session.rollback()
    if who != "anonymous":
        assert client.get("/account/home").status_code == 302
        assert location_path(client.get("/account/home")) != "/account/login"


def test_token_of_another_session_or_garbage_is_refused(app, users):
    users("expert", email="victim@example.jp")
    attacker, victim = app.test_client(), app.test_client()
    token = attacker.csrf_from("/account/login")
    victim.get("/account/login")
    before = row_counts()
    response = victim.post("/account/login", data={"csrf_token": token, "email": "victim@example.jp",
                                                   "password": PASSWORD})
    assert response.status_code == 400
    response = victim.post("/inquiry", data={"csrf_token": "not-a-token", "name": "x", "email": "q@example.jp",
                                             "category": "other", "body": "x"})
    assert response.status_code == 400
    assert row_counts() == before


def test_the_same_posts_succeed_with_the_token_of_the_page(client, users):
    """Control: the 400s above come from the missing token, not from bad data."""
    users("expert", email="victim@example.jp")
    response = client.submit("/inquiry", {"name": "山田", "email": "q@example.jp", "category": "other",
                                          "body": "質問です"})
    assert response.status_code == 303
    response = client.submit("/account/login", {"email": "victim@example.jp", "password": PASSWORD})
    assert response.status_code == 303


def test_htmx_header_token_is_accepted(client):
    """htmx sends the token in X-CSRFToken (data-hx-headers-inherited on <body>, htmx-config metaCharacter "-")."""
    page = client.get("/").get_data(as_text=True)
    found = re.search(r"<body[^>]*\sdata-hx-headers-inherited='([^']*)'", page)
    assert found, "no data-hx-headers-inherited on <body>"
    token = json.loads(html.unescape(found.group(1)))["X-CSRFToken"]
    response = client.post("/language", data={"lang": "en", "next": "/"}, headers={"X-CSRFToken": token})
    assert response.status_code == 303
    response = client.post("/language", data={"lang": "ja", "next": "/"}, headers={"X-CSRFToken": "forged"})
    assert response.status_code == 400
