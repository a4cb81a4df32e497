"""The stateless live panel (GET .../<slug>/panel, ``Step.panel_context``): htmx gets the same verdict as
from .../check, computed from the query string alone: no SQL, no session written, no login needed; the
step page tells htmx where to ask and which saved answers to send along."""

import json
import re

import pytest
from sqlalchemy import event

from dxapp.extensions import db
from tests.fixtures.pages import text_of
from tests.fixtures.sme_answers import ADDRESS, DETAILS, TYPE

BASE = "/sme/register"
HX = {"HX-Request": "true", "HX-Request-Type": "partial"}


@pytest.fixture
def sme(client, users, login):
    user = users("sme")
    login(client, user)
    return user


@pytest.fixture
def statements(app):
    """Every SQL statement sent while the test runs."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def live_scope(html: str) -> tuple[str, dict]:
    tag = re.search(r'<div class="live-scope"[^>]*>', html).group(0)
    url = re.search(r'data-hx-get="([^"]+)"', tag).group(1)
    vals = re.search(r"data-hx-vals='([^']*)'", tag)
    return url.replace("&amp;", "&"), json.loads(vals.group(1)) if vals else {}


def test_size_panel_from_the_query_string_without_sql_or_cookie(client, sme, statements):
    query = {**TYPE, "capital": "5千万", "employees": "51"}
    del statements[:]
    r = client.get(f"{BASE}/size/panel", query_string=query, headers=HX)
    assert r.status_code == 200 and "<html" not in r.get_data(as_text=True)
    assert "中小企業に該当します" in text_of(r)
    assert statements == []  # not even the user is loaded
    assert "Set-Cookie" not in r.headers
    over = client.get(f"{BASE}/size/panel", query_string={**query, "capital": "5千万1円"}, headers=HX)
    assert "対象外です" in text_of(over)
    small = client.get(f"{BASE}/size/panel", query_string={**TYPE, "capital": "1000万", "employees": "5"},
                       headers=HX)
    assert "小規模事業者にも該当します" in text_of(small)


def test_panel_needs_no_login_and_saves_nothing(client, statements):
    r = client.get(f"{BASE}/business-type/panel", query_string=TYPE, headers=HX)
    assert r.status_code == 200 and "まだ判定できません" in text_of(r)
    assert not [s for s in statements if not s.lstrip().upper().startswith("SELECT")]
    assert statements == []


def test_same_verdict_as_the_check_endpoint(client, sme):
    client.submit(f"{BASE}/business-type", TYPE)
    client.submit(f"{BASE}/business-details", DETAILS)
    client.submit(f"{BASE}/address", ADDRESS)
    typed = {"capital": "3億円", "employees": "301人"}
    checked = text_of(client.get(f"{BASE}/size/check", query_string=typed, headers=HX))
    stateless = text_of(client.get(f"{BASE}/size/panel", query_string={**TYPE, **typed}, headers=HX))
    assert "対象外です" in checked and checked == stateless


def test_step_page_points_htmx_at_the_panel_with_the_saved_context(client, sme):
    client.submit(f"{BASE}/business-type", TYPE)
    client.submit(f"{BASE}/business-details", DETAILS)
    client.submit(f"{BASE}/address", ADDRESS)
    html = client.get(f"{BASE}/size").get_data(as_text=True)
    url, vals = live_scope(html)
    assert url == f"{BASE}/size/panel"
    assert vals["legal_form"] == TYPE["legal_form"] and vals["industry"] == TYPE["industry"]
    assert "capital" not in vals  # the step's own fields come from the form itself
    # Without JavaScript the 「判定する」 button still asks the full-page check (login, values kept).
    assert f'formaction="{BASE}/size/check"' in html
    address_url, address_vals = live_scope(client.get(f"{BASE}/address").get_data(as_text=True))
    assert address_url == f"{BASE}/address/panel" and address_vals == {}


def test_postal_lookup_panel_is_stateless_too(client, statements):
    r = client.get(f"{BASE}/address/panel", query_string={"postal_code": "1000001", "prefecture": "", "city": "",
                                                          "street": ""}, headers=HX)
    assert r.status_code == 200 and "千代田区" in r.get_data(as_text=True)
    assert statements == []


@pytest.mark.parametrize("slug", ["business-details", "declaration", "nowhere"])
def test_steps_without_a_stateless_panel_are_404(client, slug):
    assert client.get(f"{BASE}/{slug}/panel", headers=HX).status_code == 404


def test_panel_does_not_open_the_session_cookie(client, sme):
    """Issue 11 item 27: the session cookie is opened only by a view that reads it (dxapp/sessions.py);
    the stateless panel reads none, so its answer does not vary by cookie and sets none, while a page
    that reads the session does."""
    query = {**TYPE, "capital": "5千万", "employees": "51"}
    r = client.get(f"{BASE}/size/panel", query_string=query, headers=HX)
    assert r.status_code == 200 and "Cookie" not in r.headers.get("Vary", "")
    assert "Cookie" in client.get("/sme/").headers.get("Vary", "")  # My Page reads the session


def test_panel_speaks_the_language_the_page_asks_for(client, sme):
    """The panel reads no session, so the step page puts its language in the panel URL (English only:
    Japanese is the default and needs no parameter)."""
    url, _vals = live_scope(client.get(f"{BASE}/business-type").get_data(as_text=True))
    assert "lang=" not in url
    client.submit("/language", {"lang": "en", "next": f"{BASE}/business-type"}, page=f"{BASE}/business-type")
    url, vals = live_scope(client.get(f"{BASE}/business-type").get_data(as_text=True))
    assert "lang=en" in url
    path, _sep, query = url.partition("?")
    english = text_of(client.get(path, query_string={**dict(p.split("=") for p in query.split("&")), **vals, **TYPE},
                                 headers=HX))
    japanese = text_of(client.get(f"{BASE}/business-type/panel", query_string={**vals, **TYPE}, headers=HX))
    assert english != japanese and "まだ判定できません" in japanese


def test_panel_is_not_rate_counted_but_other_pages_are(make_app):
    """The rate limiter's per-request work is skipped for stateless views: with a default limit of one
    request a minute, the panel still answers while the home page is limited."""
    from dxapp.extensions import limiter

    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="1 per minute")
    try:
        client = app.test_client()
        for _ in range(3):
            assert client.get(f"{BASE}/business-type/panel", query_string=TYPE, headers=HX).status_code == 200
        assert client.get("/").status_code == 200
        assert client.get("/").status_code == 429
    finally:  # flask-limiter keeps a default limit on its (process-wide) manager once set: later apps had it too
        limiter.limit_manager.set_default_limits([])


def test_a_blank_total_of_large_companies_is_at_least_the_largest_owner(client):
    """Issue 11 item 6: 500 of 1,000 shares held by the largest large company, the total of all large
    companies left blank: that total is at least 500, so the firm is a deemed large company (対象外),
    not a contradiction between the two numbers."""
    query = {**TYPE, "capital": "1000万", "employees": "5", "shares_total": "1000",
             "shares_largest_large_company": "500", "shares_all_large_companies": "",
             "owned_by_deemed_large": "no", "officers_all_from_deemed_large": "no"}
    text = text_of(client.get(f"{BASE}/exclusions/panel", query_string=query, headers=HX))
    assert "対象外" in text and "超えています" not in text
    below = text_of(client.get(f"{BASE}/exclusions/panel", headers=HX,
                               query_string={**query, "shares_largest_large_company": "499"}))
    assert "対象外" not in below and "超えています" not in below


def test_no_js_check_button_posts_and_keeps_the_values(client, sme):
    """Issue 11 item 18: without JavaScript the 「住所を検索する」/「入力内容で表示を更新する」 button sends the
    form by POST (CSRF token and typed phone, e-mail and address never in a URL, history or server log);
    the step comes back with every value kept and the panel filled in; nothing is saved."""
    from dxapp.models import WizardDraft

    client.submit(f"{BASE}/business-type", TYPE)
    client.submit(f"{BASE}/business-details", DETAILS)
    html = client.get(f"{BASE}/address").get_data(as_text=True)
    button = re.search(r'<button[^>]*formaction="/sme/register/address/check"[^>]*>', html)
    assert button and "formmethod" not in button.group(0), button
    form_tag = re.search(r'<form method="(\w+)" action="/sme/register/address"', html)
    assert form_tag and form_tag.group(1) == "post"
    before = db.session.scalars(db.select(WizardDraft)).one().version
    typed = {"postal_code": "1000001", "prefecture": "", "city": "", "street": "", "building": "",
             "phone": "03-9999-0000", "contact_email": "kept@example.jp"}
    r = client.submit(f"{BASE}/address/check", typed, page=f"{BASE}/address")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "千代田区" in page and 'value="03-9999-0000"' in page and 'value="kept@example.jp"' in page
    db.session.expire_all()
    assert db.session.scalars(db.select(WizardDraft)).one().version == before
    # With JavaScript the lookup's GET carries the address fields only: not the phone, the e-mail or
    # the CSRF token (they would sit in the URL of every server log line).
    tag = re.search(r'<div class="live-scope"[^>]*>', html).group(0)
    include = re.search(r'data-hx-include="([^"]+)"', tag).group(1)
    assert include == "#postal_code, #prefecture, #city, #street, #live-panel"
    assert all(f'id="{name}"' in html for name in ("postal_code", "prefecture", "city", "street"))
    # A POST without the form's CSRF token is refused, as on every state-changing route.
    assert client.post(f"{BASE}/address/check", data=typed).status_code == 400
