"""Security headers on 200, 302/303, 404, 500 and static responses; no traceback in error pages; a
foreign Host is rejected; cookie flags (SECURITY.md, headers and cookies)."""

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
    assert "frame-ancestors 'none'" in h["Content-Security-Policy"]
    assert h.get("X-Frame-Options") == "DENY"
    assert h.get("X-Content-Type-Options") == "nosniff"
    assert h.get("Referrer-Policy") == "same-origin"
    assert "HX-Request" in response.vary, response.headers.get("Vary")
    if page:
        assert h.get("Cache-Control") == "no-store", h.get("Cache-Control")


def boom():
    raise RuntimeError(SECRET_IN_ERROR)


@pytest.fixture
def failing_app(make_app):
    """An app with a test-only route that raises, registered before the first request."""

    def build(**overrides):
        from dxapp.access import PUBLIC, policy

        app = make_app(**overrides)
        app.add_url_rule("/_test/boom", "test_boom", policy(PUBLIC)(boom))
        return app

    return build


def test_csp_matches_the_design():
    assert CSP == EXPECTED_CSP


def test_headers_on_a_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert_security_headers(response)


def test_headers_on_redirects(client):
    response = client.get("/sme/")
    assert response.status_code == 302
    assert_security_headers(response)
    response = client.submit("/language", {"lang": "en", "next": "/faq"}, page="/faq")
    assert response.status_code == 303
    assert_security_headers(response)


def test_headers_on_a_logged_in_page_and_403(client, users, login):
    login(client, users("sme"))
    response = client.get("/sme/")
    assert response.status_code == 200
    assert_security_headers(response)
    response = client.get("/secretariat/")
    assert response.status_code == 403
    assert_security_headers(response)


def test_headers_on_404_405_and_400(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert_security_headers(response)
    assert "ページが見つかりません" in response.get_data(as_text=True)
    response = client.get("/account/logout")
    assert response.status_code == 405
    assert_security_headers(response)
    response = client.post("/inquiry", data={})
    assert response.status_code == 400
    assert_security_headers(response)


@pytest.mark.parametrize("testing", [True, False])
def test_500_has_headers_and_no_traceback(failing_app, testing, caplog):
    app = failing_app(TESTING=testing, PROPAGATE_EXCEPTIONS=False, DEBUG=False)
    client = app.test_client()
    response = client.get("/_test/boom")
    assert response.status_code == 500
    assert_security_headers(response)
    body = response.get_data(as_text=True)
    assert "Traceback" not in body and SECRET_IN_ERROR not in body and "RuntimeError" not in body
    assert "申し訳ありません" in body
    # The error is logged for the operators (the log is the place for details, not the page).
    assert any(SECRET_IN_ERROR in (r.exc_text or "") or r.exc_info for r in caplog.records)


def test_500_when_a_view_breaks_in_a_real_route(app, client, monkeypatch):
    """A failure inside an existing view (not only a test route) also yields the Japanese 500 page."""
    from dxapp.blueprints import public

    def broken(*_args, **_kwargs):
        raise RuntimeError(SECRET_IN_ERROR)

    monkeypatch.setattr(public, "render_template", broken)
    response = client.get("/faq")
    assert response.status_code == 500
    assert_security_headers(response)
    assert SECRET_IN_ERROR not in response.get_data(as_text=True)


def test_production_config_has_no_debug(make_app):
    from dxapp.config import Config

    assert Config.DEBUG is False and Config.TESTING is False
    assert Config.SESSION_COOKIE_SECURE is True
    assert Config.SESSION_COOKIE_HTTPONLY is True and Config.SESSION_COOKIE_SAMESITE == "Lax"
    assert not Config.REMEMBER_COOKIE_DURATION


def test_static_files_have_long_cache_with_hashed_url(client):
    page = client.get("/").get_data(as_text=True)
    hrefs = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert hrefs and all(re.search(r"[?&]v=[0-9a-f]{12}\b", h) for h in hrefs), hrefs
    for href in hrefs:
        response = client.get(href.replace("&amp;", "&"))
        assert response.status_code == 200, href
        cache = response.headers.get("Cache-Control", "")
        assert "max-age=31536000" in cache and "immutable" in cache and "public" in cache, cache
        assert_security_headers(response, page=False)
        response.close()


def test_static_hash_changes_with_content(app):
    from dxapp import static_hash

    assert static_hash(app, "css/app.css") != static_hash(app, "vendor/htmx-4.0.1.min.js")
    assert len(static_hash(app, "css/app.css")) == 12


def test_static_without_version_is_not_cached_for_a_year(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "immutable" not in response.headers.get("Cache-Control", "")
    assert_security_headers(response, page=False)
    response.close()


def test_missing_static_file_is_a_404_with_headers(client):
    response = client.get("/static/nope.css?v=abc")
    assert response.status_code == 404
    assert_security_headers(response, page=False)


def test_htmx_responses_vary_on_hx_request(client):
    response = client.get("/", headers={"HX-Request": "true"})
    assert "HX-Request" in response.vary


@pytest.mark.parametrize("overrides", [{"TRUSTED_HOSTS": ["dxapp.example"]},
                                       {"SERVER_NAME_ALLOWED": "dxapp.example, www.dxapp.example"},
                                       {"TRUSTED_HOSTS": ["dxapp.example"], "TESTING": False}])
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


def test_allowed_hosts_from_the_environment(make_app, monkeypatch):
    """ALLOWED_HOSTS (deployment setting) becomes the trusted host list."""
    import importlib

    import dxapp.config

    monkeypatch.setenv("ALLOWED_HOSTS", "dxapp.example")
    config = importlib.reload(dxapp.config)
    try:
        assert config.Config.SERVER_NAME_ALLOWED == "dxapp.example"
        app = make_app(SERVER_NAME_ALLOWED=config.Config.SERVER_NAME_ALLOWED)
        assert app.config["TRUSTED_HOSTS"] == ["dxapp.example"]
        assert app.test_client().get("/", base_url="http://evil.example").status_code == 400
    finally:
        monkeypatch.delenv("ALLOWED_HOSTS")
        importlib.reload(dxapp.config)


def test_session_cookie_flags(make_app):
    app = make_app(SESSION_COOKIE_SECURE=True)
    client = app.test_client()
    response = client.get("/account/login", base_url="https://localhost")
    cookies = [v for k, v in response.headers.items() if k == "Set-Cookie"]
    session_cookie = next(c for c in cookies if c.startswith(app.config["SESSION_COOKIE_NAME"] + "="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie and "Secure" in session_cookie
    assert "Expires" not in session_cookie  # a browser-session cookie; timeouts are enforced server-side
    assert "max-age=63072000" in response.headers.get("Strict-Transport-Security", "")


def test_no_hsts_over_plain_http(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
