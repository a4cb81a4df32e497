"""Page weight of every page each demo account (and an anonymous visitor) can reach.

    .venv/bin/python bench/page_weight.py          (make bench)

Builds the app on a temporary SQLite database (every migration, demo data, program clock at
2021-06-01 10:00 JST), logs in through the real forms (secretariat accounts with TOTP), follows every
same-site ``<a href>`` from the pages it sees (never the logout button, never a POST), and fetches
each page with ``Accept-Encoding: gzip`` and with ``br``, as a browser would; compression is done by the
app itself (Flask-Compress).  Prints one row per page and role:

    role, URL, status, raw bytes, gzip bytes, brotli bytes, requests to render, budget result

"requests" counts what the page makes the browser fetch: 1 HTML + stylesheets + scripts + images
(htmx is ``defer`` and cached, so it does not hold up the first render).  Budgets (UX.md): a full HTML
page <= 14 KB compressed (the first TCP round trip), the stylesheet <= 10 KB compressed.  A page that
answers 5xx, or an internal link that leads to 404, also fails.  Exit code 1 on any failure.

Also measured: the 404 page and a login form re-rendered with errors (422), which users see too; and
a walk through the SME registration wizard as a new SME (no link opens a step before the ones before
it are answered): every step as first shown and re-rendered with errors, the documents step with a
file, check-answers, the confirmation page and My Page.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import deque
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

HTML_BUDGET = 14 * 1024
CSS_BUDGET = 10 * 1024
MAX_PAGES_PER_ROLE = 300
SKIP_PATHS = ("/account/logout",)  # a POST button anyway; never follow anything that ends a session
JST = ZoneInfo("Asia/Tokyo")

class Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.stylesheets: list[str] = []
        self.scripts: list[str] = []
        self.images: list[str] = []
        self.csrf = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "link" and "stylesheet" in (a.get("rel") or "").split() and a.get("href"):
            self.stylesheets.append(a["href"])
        elif tag == "script" and a.get("src"):
            self.scripts.append(a["src"])
        elif tag == "img" and a.get("src") and not a["src"].startswith("data:"):
            self.images.append(a["src"])
        elif tag == "input" and a.get("name") == "csrf_token" and not self.csrf:
            self.csrf = a.get("value", "")


def parse(html: str) -> Links:
    p = Links()
    p.feed(html)
    return p


def build_app(tmp: Path):
    from flask_migrate import upgrade

    from dxapp import create_app
    from dxapp.demo import seed as seed_demo

    app = create_app({
        "SECRET_KEY": "bench-only-secret-key",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "DXAPP_NOW": datetime(2021, 6, 1, 10, 0, tzinfo=JST),
        "DXAPP_NOW_FROZEN": True,
        "DXAPP_DEMO": True,
        "MAIL_DIR": str(tmp / "mail"),
        "MAIL_SERVER": "",
        "SESSION_COOKIE_SECURE": False,
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "EXTERNAL_BASE_URL": "http://localhost",
        "TESTING": False,
    })
    with app.app_context():
        upgrade()
        seed_demo()
    return app


# ------------------------------------------------------------------------------------------- fetching

# What a browser asks for: over plain HTTP Chrome offers gzip and deflate; over HTTPS also br.
# Flask-Compress answers gzip for pages and deflate for streamed files (static), which has no gzip.
ASK_GZIP = "gzip, deflate"
ASK_BR = "br"


def measure(responses: dict) -> dict:
    plain, gz, br = responses["identity"], responses[ASK_GZIP], responses[ASK_BR]
    out = {"status": plain.status_code, "raw": len(plain.data), "body": plain.get_data(as_text=True),
           "location": plain.headers.get("Location"), "type": plain.mimetype}
    out["enc"] = gz.headers.get("Content-Encoding") or ""
    out["gzip"] = len(gz.data) if out["enc"] in ("gzip", "deflate") else None
    out["br"] = len(br.data) if br.headers.get("Content-Encoding") == "br" else None
    return out


def sizes(client, url: str) -> dict:
    """Raw, gzip (or deflate) and brotli bytes of one URL as the app sends them."""
    return measure({enc: client.get(url, headers={"Accept-Encoding": enc})
                    for enc in ("identity", ASK_GZIP, ASK_BR)})


def same_site(base: str, href: str) -> str | None:
    url = urljoin(base, href)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "") or parts.netloc not in ("", "localhost"):
        return None
    path = parts.path or "/"
    if path.startswith("/static/") or path in SKIP_PATHS:
        return None
    # ?next=... only says where to go afterwards: the same page, so one row for it.
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "next"])
    return path + (f"?{query}" if query else "")


def log_in(app, client, email: str, password: str, staff: bool) -> None:
    import pyotp

    from dxapp.demo import DEMO_TOTP_SECRET

    token = parse(client.get("/account/login").get_data(as_text=True)).csrf
    r = client.post("/account/login", data={"csrf_token": token, "email": email, "password": password})
    if r.status_code != 303:
        raise SystemExit(f"login as {email} failed: {r.status_code}")
    if staff:
        clock = app.extensions["dxapp_clock"]
        clock.advance_wall(31)  # each TOTP code is accepted once
        token = parse(client.get("/account/login/code").get_data(as_text=True)).csrf
        code = pyotp.TOTP(DEMO_TOTP_SECRET).at(clock.wall_now())
        r = client.post("/account/login/code", data={"csrf_token": token, "code": code})
        if r.status_code != 303:
            raise SystemExit(f"TOTP for {email} failed: {r.status_code}")


def crawl(client, start: list[str]) -> list[tuple[str, dict]]:
    seen, queue, rows = set(start), deque(start), []
    while queue and len(rows) < MAX_PAGES_PER_ROLE:
        url = queue.popleft()
        info = sizes(client, url)
        found = []
        if info["location"] and 300 <= info["status"] < 400:
            target = same_site(f"http://localhost{url}", info["location"])
            found = [target] if target else []
        elif info["type"] == "text/html":
            rows.append((url, info))
            page = parse(info["body"])
            info["requests"] = 1 + len(page.stylesheets) + len(page.scripts) + len(page.images)
            info["assets"] = page.stylesheets + page.scripts + page.images
            found = [same_site(f"http://localhost{url}", h) for h in page.links]
        for target in found:
            if target and target not in seen:
                seen.add(target)
                queue.append(target)
    return rows


def extra_pages(client) -> list[tuple[str, dict]]:
    """Pages users meet that no link leads to: the 404 page and a 422 re-render."""
    rows = []
    info = sizes(client, "/no-such-page")
    page = parse(info["body"])
    info["requests"] = 1 + len(page.stylesheets) + len(page.scripts) + len(page.images)
    info["expected_status"] = 404
    rows.append(("/no-such-page", info))
    token = parse(client.get("/account/login").get_data(as_text=True)).csrf
    info = measure({enc: client.post("/account/login", data={"csrf_token": token, "email": "", "password": ""},
                                     headers={"Accept-Encoding": enc}) for enc in ("identity", ASK_GZIP, ASK_BR)})
    page = parse(info["body"])
    info["requests"] = 1 + len(page.stylesheets) + len(page.scripts) + len(page.images)
    info["expected_status"] = 422
    rows.append(("POST /account/login (empty)", info))
    return rows


# ------------------------------------------------------------------------------------------- wizards

class FormFields(HTMLParser):
    """Hidden inputs (csrf_token, draft_version, submit token ...) of the form that posts to ``action``."""

    def __init__(self, action: str):
        super().__init__(convert_charrefs=True)
        self.action, self.inside, self.hidden = action, False, {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = urlsplit(a.get("action") or "").path == self.action
        elif tag == "input" and self.inside and a.get("type") == "hidden" and a.get("name"):
            self.hidden[a["name"]] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def hidden_fields(client, page: str, action: str) -> dict:
    parser = FormFields(action)
    parser.feed(client.get(page).get_data(as_text=True))
    if "csrf_token" not in parser.hidden:
        raise SystemExit(f"{page} has no form posting to {action}")
    return parser.hidden


def post_sizes(client, url: str, data: dict, expected_status: int) -> dict:
    """A POST answered with a page (e.g. 422 with errors), measured like a GET; it changes nothing."""
    info = measure({enc: client.post(url, data=data, headers={"Accept-Encoding": enc})
                    for enc in ("identity", ASK_GZIP, ASK_BR)})
    page = parse(info["body"])
    info["requests"] = 1 + len(page.stylesheets) + len(page.scripts) + len(page.images)
    info["assets"] = page.stylesheets + page.scripts + page.images
    info["expected_status"] = expected_status
    return info


def page_info(client, url: str) -> dict:
    info = sizes(client, url)
    page = parse(info["body"])
    info["requests"] = 1 + len(page.stylesheets) + len(page.scripts) + len(page.images)
    info["assets"] = page.stylesheets + page.scripts + page.images
    return info


def walk_sme_wizard(app) -> list[tuple[str, dict]]:
    """A new SME answers every step of the registration wizard with the answers the tests use: each
    step is weighed as first shown and re-rendered with errors (an empty POST, 422), then answered;
    then the documents step with a file, check-answers, the confirmation and My Page."""
    import io

    from dxapp.demo import DEMO_PASSWORD
    from dxapp.extensions import db
    from dxapp.services import accounts, passwords, terms
    from tests.fixtures import sme_answers as A

    base = "/sme/register"
    with app.app_context():
        user = accounts.sign_up(role="sme", name="計測 用子", email="weigh-sme@example.jp",
                                password_hash=passwords.hash_password(DEMO_PASSWORD),
                                consented_version_ids=[v.id for v in terms.current_versions()])
        user.email_verified_at = user.created_at
        db.session.commit()
    client = app.test_client()
    log_in(app, client, "weigh-sme@example.jp", DEMO_PASSWORD, staff=False)
    rows = [(f"{base}/", page_info(client, f"{base}/"))]
    steps = [("business-type", A.TYPE), ("business-details", A.DETAILS), ("address", A.ADDRESS),
             ("size", A.SIZE), ("exclusions", A.EXCLUSIONS), ("documents", {}), ("declaration", A.DECLARATION)]
    for slug, answers in steps:
        url = f"{base}/{slug}"
        rows.append((url, page_info(client, url)))
        hidden = hidden_fields(client, url, url)
        if slug != "documents":  # the documents step has no required field of its own
            rows.append((f"POST {url} (empty)", post_sizes(client, url, hidden, 422)))
        else:
            upload = f"{url}/upload"
            data = {**hidden, "purpose": "registration_certificate",  # the 「アップロードする」 formaction
                    "file": (io.BytesIO(A.PDF), "履歴事項全部証明書.pdf")}
            r = client.post(upload, data=data, content_type="multipart/form-data")
            if r.status_code != 303:
                raise SystemExit(f"upload on {url} answered {r.status_code}")
            rows.append((f"{url} (one file)", page_info(client, url)))
        r = client.post(url, data={**hidden, **answers})
        if r.status_code != 303:
            raise SystemExit(f"answering {url} answered {r.status_code}")
    check = f"{base}/check-answers"
    rows.append((check, page_info(client, check)))
    r = client.post(f"{base}/submit", data=hidden_fields(client, check, f"{base}/submit"))
    if r.status_code != 303:
        raise SystemExit(f"submit answered {r.status_code}")
    done = urlsplit(r.headers["Location"])
    done_url = done.path + (f"?{done.query}" if done.query else "")
    rows.append((done_url, page_info(client, done_url)))
    rows.append(("/sme/", page_info(client, "/sme/")))
    return rows


WALKS = (("sme (wizard)", walk_sme_wizard),)


# ------------------------------------------------------------------------------------------- report

def num(n: int | None) -> str:
    return "-" if n is None else str(n)


def judge(info: dict, budget: int) -> tuple[bool, str]:
    expected = info.get("expected_status", 200)
    if info["status"] != expected:
        return False, f"FAIL status {info['status']}"
    travels = info["gzip"] if info["gzip"] is not None else info["raw"]
    if travels > budget:
        return False, f"FAIL > {budget // 1024} KB"
    note = "" if info["gzip"] is not None else " (sent uncompressed)"
    return True, "PASS" + note


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quiet", action="store_true", help="print only failures and the summary")
    args = parser.parse_args(argv)

    import logging

    logging.getLogger("alembic").setLevel(logging.WARNING)
    from dxapp.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp))
        header = (f"{'role':<16} {'URL':<46} {'status':>6} {'raw':>7} {'gzip':>7} {'br':>7} {'reqs':>4}  "
                  "result (HTML <= 14 KB gzip)")
        print(header)
        print("-" * len(header))
        assets: set[str] = set()
        visitors = [("anonymous", None, None)] + [(f"{role} (Ph.I)" if email.startswith("phase1-") else role,
                                                   email, role) for email, role, _name in DEMO_ACCOUNTS]
        pages = 0
        for label, email, role in visitors:
            client = app.test_client()
            if email:
                log_in(app, client, email, DEMO_PASSWORD, staff=role in ("desk", "admin"))
            rows = crawl(client, ["/", "/account/home"] if email else ["/"])
            if not email:
                rows += extra_pages(client)
            for url, info in rows:
                pages += 1
                assets.update(a.split("#")[0] for a in info.get("assets", []))
                ok, result = judge(info, HTML_BUDGET)
                failures += not ok
                if args.quiet and ok:
                    continue
                shown = url if len(url) <= 46 else url[:43] + "..."
                print(f"{label:<16} {shown:<46} {info['status']:>6} {info['raw']:>7} {num(info['gzip']):>7} "
                      f"{num(info['br']):>7} {info.get('requests', 1):>4}  {result}")

        for label, walk in WALKS:
            for url, info in walk(app):
                pages += 1
                assets.update(a.split("#")[0] for a in info.get("assets", []))
                ok, result = judge(info, HTML_BUDGET)
                failures += not ok
                if args.quiet and ok:
                    continue
                shown = url if len(url) <= 46 else url[:43] + "..."
                print(f"{label:<16} {shown:<46} {info['status']:>6} {info['raw']:>7} {num(info['gzip']):>7} "
                      f"{num(info['br']):>7} {info.get('requests', 1):>4}  {result}")

        print()
        print(f"{'static file':<55} {'raw':>7} {'gzip/deflate':>15} {'br':>7}  result (CSS <= 10 KB)")
        client = app.test_client()
        for url, info in [(u, sizes(client, u)) for u in sorted(assets)]:
            path = urlsplit(url).path
            if path.endswith(".css"):
                ok, result = judge(info, CSS_BUDGET)
                failures += not ok
            else:
                ok, result = info["status"] == 200, ("info (defer, cached a year)" if info["status"] == 200
                                                     else f"FAIL status {info['status']}")
                failures += not ok
            compressed = f"{num(info['gzip'])} {info['enc'] or 'none'}"
            print(f"{path:<55} {info['raw']:>7} {compressed:>15} {num(info['br']):>7}  {result}")

        print()
        print(f"{pages} page rows for {len(visitors)} visitors; budgets: HTML <= {HTML_BUDGET // 1024} KB "
              f"compressed, CSS <= {CSS_BUDGET // 1024} KB compressed; {failures} failure(s).")
        from dxapp.extensions import db

        with app.app_context():
            db.engine.dispose()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
