"""Security headers on 200, 302/303, 403, 404, 405, 400, 500 and static responses; no traceback in
error pages; a foreign Host is rejected; cookie flags (SECURITY.md, headers and cookies)."""

from __future__ import annotations

import re

import pytest

from dxapp.security import CSP

EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)
SECRET_IN_ERROR = "secret-detail-of-the-failure-7f3a"


def assert_security_headers(response, *, page: bool = True):
    h = response.headers
    assert h.get("Content-Security-Policy") == EXPECTED_CSP, h.get("Content-Security-Policy")
    assert h.get("X-Frame-Options") == "DENY"
    assert h.get("X-Content-Type-Options") == "nosniff"
    assert h.get("Referrer-Policy") == "same-origin"
    assert "HX-Request" in response.vary, response.headers.get("Vary")
    if page:
        assert h.get("Cache-Control") == "no-store", h.get("Cache-Control")


def boom():
    raise RuntimeError(SECRET_IN_ERROR)


def test_csp_matches_the_design():
    assert CSP == EXPECTED_CSP
    assert "frame-ancestors 'none'" in CSP and "'unsafe-inline'" not in CSP and "'unsafe-eval'" not in CSP


def test_production_config_has_no_debug_and_safe_cookies():
    from dxapp.config import Config

    assert Config.DEBUG is False and Config.TESTING is False
    assert Config.SESSION_COOKIE_SECURE is True
    assert Config.SESSION_COOKIE_HTTPONLY is True and Config.SESSION_COOKIE_SAMESITE == "Lax"
    assert not Config.REMEMBER_COOKIE_DURATION


def test_headers_on_every_kind_of_page(client, users, login):
    expected = [
        ("GET", "/", 200),
        ("GET", "/sme/", 302),  # anonymous -> login
        ("GET", "/no-such-page", 404),
        ("GET", "/account/logout", 405),
        ("POST", "/inquiry", 400),  # no CSRF token
    ]
    for method, url, status in expected:
        response = client.open(url, method=method)
        assert response.status_code == status, (url, response.status_code)
        assert_security_headers(response)
    assert "ページが見つかりません" in client.get("/no-such-page").get_data(as_text=True)
    response = client.submit("/language", {"lang": "en", "next": "/faq"}, page="/faq")
    assert response.status_code == 303
    assert_security_headers(response)
    login(client, users("sme"))
    for url, status in (("/sme/", 200), ("/secretariat/", 403), ("/account/home", 302)):
        response = client.get(url)
        assert response.status_code == status, (url, response.status_code)
        assert_security_headers(response)
    response = client.get("/", headers={"HX-Request": "true"})
    assert "HX-Request" in response.vary


def test_500_has_headers_and_no_traceback(make_app, caplog):
    """A test-only route that raises (registered before the first request), with the test config and
    with production error handling (TESTING off, exceptions not propagated)."""
    from dxapp.access import PUBLIC, policy

    app = make_app(PROPAGATE_EXCEPTIONS=False, DEBUG=False)
    app.add_url_rule("/_test/boom", "test_boom", policy(PUBLIC)(boom))
    client = app.test_client()
    for testing in (True, False):
        app.testing = testing
        caplog.clear()
        response = client.get("/_test/boom")
        assert response.status_code == 500
        assert_security_headers(response)
        body = response.get_data(as_text=True)
        assert "Traceback" not in body and SECRET_IN_ERROR not in body and "RuntimeError" not in body
        assert "申し訳ありません" in body
        # The details go to the log, for the operators.
        assert any(r.exc_info and SECRET_IN_ERROR in str(r.exc_info[1]) for r in caplog.records)


def test_500_when_a_real_view_breaks(client, monkeypatch):
    from dxapp.blueprints import public

    def broken(*_args, **_kwargs):
        raise RuntimeError(SECRET_IN_ERROR)

    monkeypatch.setattr(public, "render_template", broken)
    response = client.get("/faq")
    assert response.status_code == 500
    assert_security_headers(response)
    assert SECRET_IN_ERROR not in response.get_data(as_text=True)


def test_static_files(client, app):
    from dxapp import static_hash

    page = client.get("/").get_data(as_text=True)
    hrefs = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert hrefs and all(re.search(r"[?&](amp;)?v=[0-9a-f]{12}\b", h) for h in hrefs), hrefs
    # Content-hashed URLs: cached for a year.
    for href in hrefs:
        response = client.get(href.replace("&amp;", "&"))
        assert response.status_code == 200, href
        cache = response.headers.get("Cache-Control", "")
        assert "max-age=31536000" in cache and "immutable" in cache and "public" in cache, cache
        assert_security_headers(response, page=False)
        response.close()
    assert static_hash(app, "css/app.css") != static_hash(app, "vendor/htmx-4.0.1.min.js")
    # Without the hash: no year-long cache.  A missing file: a 404 with the headers.
    response = client.get("/static/css/app.css")
    assert response.status_code == 200 and "immutable" not in response.headers.get("Cache-Control", "")
    assert_security_headers(response, page=False)
    response.close()
    response = client.get("/static/nope.css?v=abc")
    assert response.status_code == 404
    assert_security_headers(response, page=False)


@pytest.mark.parametrize("overrides", [{"TRUSTED_HOSTS": ["dxapp.example"]},
                                       {"SERVER_NAME_ALLOWED": "dxapp.example, www.dxapp.example",
                                        "TESTING": False}])
def test_foreign_host_is_rejected(make_app, overrides):
    app = make_app(**overrides)
    client = app.test_client()
    for response in (client.get("/", base_url="http://evil.example"),
                     client.get("/", headers={"Host": "evil.example"}),
                     client.get("/sme/", base_url="http://evil.example"),
                     client.get("/no-such-page", base_url="http://evil.example"),
                     client.post("/account/login", base_url="http://evil.example", data={"email": "a@b.jp"})):
        assert response.status_code == 400
        assert response.mimetype == "text/plain"
        assert_security_headers(response)
    assert client.get("/", base_url="http://dxapp.example").status_code == 200


def test_allowed_hosts_from_the_environment(monkeypatch, tmp_path):
    """ALLOWED_HOSTS (the deployment setting) becomes Flask's TRUSTED_HOSTS."""
    import importlib

    import dxapp.config
    from dxapp import create_app
    from tests.fixtures.app import base_config

    monkeypatch.setenv("ALLOWED_HOSTS", "dxapp.example")
    config = importlib.reload(dxapp.config)
    try:
        assert config.Config.SERVER_NAME_ALLOWED == "dxapp.example"
        app = create_app({**base_config("sqlite://", tmp_path), "SERVER_NAME_ALLOWED": "dxapp.example"})
        assert app.config["TRUSTED_HOSTS"] == ["dxapp.example"]
    finally:
        monkeypatch.delenv("ALLOWED_HOSTS")
        importlib.reload(dxapp.config)


def test_cookie_flags_and_hsts(make_app):
    app = make_app(SESSION_COOKIE_SECURE=True)
    client = app.test_client()
    response = client.get("/account/login", base_url="https://localhost")
    cookies = [v for k, v in response.headers.items() if k == "Set-Cookie"]
    session_cookie = next(c for c in cookies if c.startswith(app.config["SESSION_COOKIE_NAME"] + "="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie and "Secure" in session_cookie
    assert "Expires" not in session_cookie  # a browser-session cookie; timeouts are enforced server-side
    assert "max-age=63072000" in response.headers.get("Strict-Transport-Security", "")
    assert "Strict-Transport-Security" not in client.get("/").headers  # not over plain http


def test_production_refuses_to_start_without_a_shared_rate_limit_store(tmp_path):
    """Issue 11 item 26: per-process memory lets each of N workers allow the whole limit, so production
    does not start without RATELIMIT_STORAGE_URI (tests and debug fall back to memory://)."""
    from dxapp import create_app
    from tests.fixtures.app import base_config

    config = {**base_config("sqlite://", tmp_path), "TESTING": False, "RATELIMIT_STORAGE_URI": ""}
    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI"):
        create_app(config)
    assert create_app({**config, "TESTING": True}).config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert create_app({**config, "RATELIMIT_STORAGE_URI": "memory://"})  # set explicitly: the operator's choice


def test_create_admin_works_when_allowed_hosts_lack_localhost(make_app):
    """Issue 11 item 26: the CLI renders the set-up e-mail in a request context on EXTERNAL_BASE_URL, whose
    host is allowed, instead of on localhost, which the trusted-host check refuses."""
    from sqlalchemy import select

    from dxapp.extensions import db
    from dxapp.models import OutboxMessage

    app = make_app(SERVER_NAME_ALLOWED="dxapp.example.jp", TRUSTED_HOSTS=["dxapp.example.jp"],
                   EXTERNAL_BASE_URL="https://dxapp.example.jp")
    result = app.test_cli_runner().invoke(args=["create-admin", "--email", "boss@example.jp", "--name", "管理者"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "boss@example.jp"))
        assert "https://dxapp.example.jp/account/" in mail.body
