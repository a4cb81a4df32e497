"""XSS including hx-* attributes (SECURITY.md): whatever a user types is only ever shown escaped, as
text, never as markup or as an htmx attribute; redirect targets stay on this site."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import quote

from sqlalchemy import select

from dxapp.extensions import db
from dxapp.models import Inquiry, User
from dxapp.services import accounts
from tests.fixtures.app import PASSWORD
from tests.fixtures.security import location_path, mail_link

PAYLOAD = '<script>alert(1)</script>" hx-get="/x'
PAYLOADS = [
    PAYLOAD,
    "<img src=x onerror=alert(1)>",
    "' hx-on:click='alert(1)' x='",
    '"><svg onload=alert(1)>',
    "{{ 7*7 }}{% raw %}",
]


class _Markup(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []
        self.inline_scripts = 0
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))
        if tag == "script":
            self._in_script = True
            if not dict(attrs).get("src"):
                self.inline_scripts += 1

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        self.text.append(data)


def assert_inert(html: str, payload: str, *, shown: bool = True):
    """The payload is present only as text or as an attribute value, never as markup."""
    page = _Markup()
    page.feed(html)
    assert page.inline_scripts == 0, "inline <script> on the page"
    for tag, attrs in page.elements:
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name, value)
            if name.startswith(("hx-", "data-hx-")):
                assert "/x" not in (value or "") and "alert" not in (value or ""), (tag, name, value)
        assert tag not in ("svg", "img") or "alert" not in str(attrs), (tag, attrs)
    for raw in ("<script>alert", "<img src=x", "<svg onload", '" hx-get="/x', "' hx-on:click='"):
        if raw in payload:
            assert raw not in html, f"unescaped {raw!r}"
    assert "49" not in "".join(page.text) or "{{ 7*7 }}" not in payload  # no template evaluation
    if shown:
        values = [v for _t, attrs in page.elements for _n, v in attrs if v]
        assert payload in "".join(page.text) or payload in values, "the payload is not shown at all"


def test_name_is_escaped_on_check_answers_and_my_page(app, client):
    sign_up_steps = [("role", {"role": "sme"}), ("account", {"name": PAYLOAD, "email": "xss@example.jp"})]
    for slug, data in sign_up_steps:
        assert client.submit(f"/account/sign-up/{slug}", data).status_code == 303
    response = client.get("/account/sign-up/account")  # the form shows the typed name again
    assert_inert(response.get_data(as_text=True), PAYLOAD)
    client.submit("/account/sign-up/password", {"password": PASSWORD, "password_confirm": PASSWORD})
    client.submit("/account/sign-up/consent", {"agree_terms": "y", "agree_privacy": "y"})
    check = client.get("/account/sign-up/check-answers")
    assert check.status_code == 200
    assert_inert(check.get_data(as_text=True), PAYLOAD)
    response = client.submit("/account/sign-up/submit", page="/account/sign-up/check-answers")
    assert response.status_code == 303
    client.submit(mail_link("xss@example.jp", "verify-email"))
    assert client.submit("/account/login", {"email": "xss@example.jp", "password": PASSWORD}).status_code == 303
    my_page = client.get("/sme/")
    assert my_page.status_code == 200
    assert_inert(my_page.get_data(as_text=True), PAYLOAD)
    assert db.session.scalar(select(User.name).where(User.email == "xss@example.jp")) == PAYLOAD
    db.session.rollback()


def test_names_are_escaped_on_every_page_that_shows_them(app, users, login):
    for payload in PAYLOADS:
        user = users("expert", name=payload)
        client = app.test_client()
        login(client, user)
        for url in ("/expert/", "/", "/faq", "/inquiry"):
            assert_inert(client.get(url).get_data(as_text=True), payload, shown=url == "/expert/")


def test_staff_names_are_escaped_on_the_staff_page(app, users, login):
    admin = users("admin")
    accounts.create_staff(email="evil@example.jp", name=PAYLOAD, role="desk", actor=None, password=PASSWORD)
    db.session.commit()
    client = app.test_client()
    login(client, admin)
    assert_inert(client.get("/secretariat/staff").get_data(as_text=True), PAYLOAD)


def test_inquiry_form_re_renders_the_payload_escaped(client):
    for payload in PAYLOADS:
        # Invalid e-mail: the form comes back with what was typed.
        response = client.submit("/inquiry", {"name": payload, "email": "not an address", "category": "other",
                                              "body": payload, "phone": ""})
        assert response.status_code == 422
        assert_inert(response.get_data(as_text=True), payload)


def test_inquiry_with_the_payload_is_stored_as_typed_and_acknowledged(client):
    response = client.submit("/inquiry", {"name": PAYLOAD, "email": "q@example.jp", "category": "other",
                                          "body": PAYLOAD})
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert_inert(page.get_data(as_text=True), PAYLOAD, shown=False)
    item = db.session.scalars(select(Inquiry)).one()
    assert (item.name, item.body) == (PAYLOAD, PAYLOAD)
    db.session.rollback()


def test_csrf_page_shows_kept_values_escaped(client):
    client.get("/inquiry")
    response = client.post("/inquiry", data={"name": PAYLOAD, "email": "q@example.jp", "category": "other",
                                             "body": PAYLOAD})
    assert response.status_code == 400
    assert_inert(response.get_data(as_text=True), PAYLOAD, shown=False)


def test_query_strings_reflected_into_pages_are_escaped(client):
    for query in ('?q="><script>alert(1)</script>', "?next=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
                  '?x=" hx-get="/x'):
        for url in ("/", "/account/login", "/no-such-page"):
            html = client.get(url + query).get_data(as_text=True)
            assert_inert(html, "<script>alert(1)</script>", shown=False)
            assert '" hx-get="/x' not in html


OFF_SITE = ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)",
            "\\\\evil.example", "/\t/evil.example", "/\n/evil.example", " //evil.example", "///evil.example"]


def assert_on_site(response):
    location = response.headers["Location"]
    cleaned = "".join(ch for ch in location if ch not in "\t\n\r").replace("\\", "/").strip()
    assert cleaned.startswith("/") and not cleaned.startswith("//"), location
    assert "javascript" not in location, location


def test_login_never_redirects_off_site(app, users):
    """A crafted login link (…/account/login?next=…) and a crafted form field both end on the site."""
    user = users("sme")
    for target in OFF_SITE:
        for page, data in ((f"/account/login?next={quote(target, safe='')}", {}),
                           ("/account/login", {"next": target})):
            client = app.test_client()
            response = client.submit(page, {"email": user.email, "password": PASSWORD, **data})
            assert response.status_code == 303, (target, page, response.status_code)
            assert location_path(response) == "/sme/", target
            assert_on_site(response)


def test_login_returns_to_the_page_asked_for(app, users):
    user = users("sme")
    client = app.test_client()
    response = client.submit("/account/login?next=/sme/%3Fa%3D1", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 303 and response.headers["Location"] == "/sme/?a=1"


def test_language_switch_never_redirects_off_site(client):
    for target in OFF_SITE:
        response = client.submit("/language", {"lang": "en", "next": target}, page="/")
        assert response.status_code == 303, target
        assert_on_site(response)


def test_language_switch_returns_to_the_page(client):
    response = client.submit("/language", {"lang": "en", "next": "/faq?x=1"}, page="/faq")
    assert response.status_code == 303 and response.headers["Location"] == "/faq?x=1"
