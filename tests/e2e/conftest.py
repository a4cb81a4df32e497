"""Real-browser end-to-end tests: Playwright for Python driving Debian's Chromium against a live server.

One live server and one browser per test process (per xdist worker).  Every page a test opens is
checked twice: axe-core in the browser (WCAG 2.0/2.1/2.2 A and AA, zero violations) and, once per test
module, the Nu HTML Checker (vnu.jar on the installed Java, zero errors) over the raw HTML the server
sent and the DOM the browser built from it.

Nothing is downloaded here: Chromium comes from Debian (``/usr/bin/chromium``), axe-core and vnu.jar
from ``node_modules`` (``npm ci``).  Where they are missing, the tests are skipped with a reason that
says how to install them; with ``DXAPP_REQUIRE_BROWSER=1`` (``.ci/run``) that is a failure instead.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pyotp
import pytest
from werkzeug.serving import WSGIRequestHandler

from tests.fixtures.app import base_config
from tests.fixtures.markup import INSTALL_NPM, NuPages, fingerprint, java_missing, unavailable

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
INSTALL_CHROMIUM = ("Debian's Chromium is not installed at /usr/bin/chromium: run "
                    "`apt-get install chromium fonts-noto-cjk` (or .ci/run, which installs it)")


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)


# ------------------------------------------------------------------------------------------- live server

@dataclass
class LiveServer:
    app: object
    url: str
    server: object = None
    thread: threading.Thread | None = None

    @property
    def clock(self):
        return self.app.extensions["dxapp_clock"]

    def totp(self, secret: str) -> str:
        """A TOTP code that the app has not seen yet: each code can be used once, so wall time moves on
        by one 30-second step first."""
        self.clock.advance_wall(31)
        return pyotp.TOTP(secret).at(self.clock.wall_now())

    def query(self, fn):
        """Run ``fn()`` inside an app context (for reading the outbox, adjusting fixtures), as one unit
        of work: services only flush, so what ``fn`` changed is committed here (dxapp/transaction.py)."""
        from dxapp.extensions import db
        from dxapp.transaction import transaction

        with self.app.app_context():
            try:
                with transaction():
                    return fn()
            finally:
                db.session.remove()

    def outbox(self, recipient: str, kind: str | None = None) -> list[str]:
        from sqlalchemy import select

        from dxapp.extensions import db
        from dxapp.models import OutboxMessage

        def read():
            stmt = select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id)
            if kind:
                stmt = stmt.where(OutboxMessage.kind == kind)
            return [m.body for m in db.session.scalars(stmt)]

        return self.query(read)

    def link_in_mail(self, recipient: str, kind: str, path_pattern: str) -> str:
        bodies = self.outbox(recipient, kind)
        assert bodies, f"no {kind!r} e-mail to {recipient} in the outbox"
        found = re.search(re.escape(self.url) + path_pattern, bodies[-1])
        assert found, f"no link matching {path_pattern} in the e-mail:\n{bodies[-1]}"
        return found.group(0)


class QuietHandler(WSGIRequestHandler):
    def log_request(self, code="-", size="-"):
        pass


@pytest.fixture(scope="session")
def live_server(databases, tmp_path_factory) -> Iterator[LiveServer]:
    from werkzeug.serving import make_server

    from dxapp import create_app
    from dxapp.demo import seed as seed_demo
    from dxapp.extensions import db

    url = databases.new()
    app = create_app({**base_config(url, tmp_path_factory.mktemp("live")), "RATELIMIT_ENABLED": False})
    with app.app_context():
        seed_demo()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    live = LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}", server=server)
    app.config["EXTERNAL_BASE_URL"] = live.url  # links in e-mails point at this server
    live.thread = threading.Thread(target=server.serve_forever, name="dxapp-live-server", daemon=True)
    live.thread.start()
    yield live
    server.shutdown()
    live.thread.join(timeout=10)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    databases.drop(url)


# ------------------------------------------------------------------------------------------- browser

@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        unavailable(INSTALL_CHROMIUM)
    if not AXE_JS.is_file():
        unavailable(INSTALL_NPM.format(what="axe-core"))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe(browser, live_server) -> Axe:
    return Axe(browser, live_server.url)


class Axe:
    """axe-core in the page.  The app's CSP (``script-src 'self'``) blocks script tags with inline
    content, so axe is added as an init script (or evaluated) through the DevTools protocol, which CSP
    does not govern.

    With JavaScript disabled Chromium runs no timers, and axe needs them; so a page from a no-JS
    context is replayed, exactly as that browser built it, in a separate JS-enabled page whose own
    scripts (htmx) are blocked, with the same stylesheet and viewport.

    A page whose DOM is the same as one already checked (apart from one-time tokens) is not checked
    again: same DOM, same stylesheet, same viewport, same result, whether it came from a tab with
    JavaScript or without (htmx changes the DOM it enhances, so such pages differ and are checked)."""

    RUN = """async (tags) => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))}));
    }"""

    def __init__(self, browser, base_url: str):
        self.source = AXE_JS.read_text(encoding="utf-8")
        self.browser = browser
        self.base_url = base_url
        self._replay = None
        self._html = ""
        self._assets: dict[str, object] = {}
        self.passed: set[tuple] = set()
        self.runs = 0

    def install(self, context) -> None:
        """Make axe available in every page of a (JS-enabled) context."""
        context.add_init_script(script=self.source)

    def _replay_page(self, viewport):
        if self._replay is None:
            ctx = self.browser.new_context(base_url=self.base_url, java_script_enabled=True)
            self.install(ctx)
            ctx.route("**/*", self._route)
            self._replay = ctx.new_page()
        self._replay.set_viewport_size(viewport)
        return self._replay

    def _route(self, route):
        kind = route.request.resource_type
        if kind == "document":
            route.fulfill(status=200, body=self._html, content_type="text/html; charset=utf-8")
        elif kind == "script":
            route.abort()
        else:
            # Routing turns off the HTTP cache: keep the stylesheet (and the favicon's 404) in memory.
            url = route.request.url
            if url not in self._assets:
                self._assets[url] = route.fetch()
            route.fulfill(response=self._assets[url])

    def violations(self, page, *, js: bool, html: str | None = None) -> list[dict]:
        html = page.content() if html is None else html
        viewport = page.viewport_size or {"width": 1280, "height": 720}
        key = (fingerprint(html), viewport["width"], viewport["height"])
        if key in self.passed:
            return []
        target = page
        if not js:
            self._html = html
            target = self._replay_page(viewport)
            target.goto(page.url.split("#")[0], wait_until="load")
        if target.evaluate("typeof window.axe") == "undefined":
            target.evaluate(self.source)
        self.runs += 1
        found = target.evaluate(self.RUN, AXE_TAGS)
        if not found:
            self.passed.add(key)
        return found


# Whether htmx will boost this button's form (or this link): hx-boost on the form or link itself, or
# hx-boost:inherited on an ancestor (htmx 4 inherits nothing implicitly); data-hx-* spellings too.
BOOSTED_JS = """el => {
    const start = el.form || el;
    for (let n = start; n && n.getAttribute; n = n.parentElement) {
        for (const p of ['hx-', 'data-hx-']) {
            const own = n === start ? n.getAttribute(p + 'boost') : null;
            const inherited = n.getAttribute(p + 'boost:inherited') ?? n.getAttribute(p + 'boost-inherited');
            const value = own ?? inherited;
            if (value !== null) return value !== 'false';
        }
    }
    return false;
}"""


def describe_violations(where: str, violations: list[dict]) -> str:
    lines = [f"axe-core: {len(violations)} WCAG A/AA violation(s) on {where}"]
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']}")
        for node in v["nodes"][:8]:
            summary = " ".join((node.get("summary") or "").split())
            lines.append(f"      {node['target']}  -- {summary[:300]}")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------- Nu checker

@pytest.fixture(scope="module")
def nu_pages(tmp_path_factory, request) -> Iterator[NuPages]:
    """Collects every HTML page the module's tests saw; at the end of the module the Nu HTML Checker
    must find zero errors in them.  Without Java this check is left out (test_markup_tools reports the
    skip, or the failure when DXAPP_REQUIRE_BROWSER=1)."""
    pages = NuPages(tmp_path_factory.mktemp(f"nu-{request.module.__name__.rsplit('.', 1)[-1]}"))
    yield pages
    if java_missing():
        return
    errors = pages.errors()
    if errors:
        pytest.fail(f"Nu HTML Checker: {len(errors)} error(s) in the pages of {request.module.__name__} "
                    f"(files kept in {pages.root}):\n" + "\n".join(errors), pytrace=False)


# ------------------------------------------------------------------------------------------- pages

class Visit:
    """One browser tab with the checks wired in: every page load is checked with axe and collected
    for the Nu checker; console errors and failed requests (other than the favicon) are recorded."""

    def __init__(self, page, *, js: bool, axe: Axe, nu: NuPages, live: LiveServer, name: str):
        self.page, self.js, self.axe, self.nu, self.live, self.name = page, js, axe, nu, live, name
        self.mode = "js-on" if js else "js-off"
        self.problems: list[str] = []
        self.checked: list[str] = []
        page.on("response", self._on_response)
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.problems.append(f"page error on {page.url}: {exc}"))
        page.on("requestfailed", lambda req: self.problems.append(f"request failed: {req.method} {req.url}: "
                                                                  f"{req.failure}"))

    # -- event handlers
    def _on_response(self, response):
        request = response.request
        kind = request.resource_type
        if kind not in ("document", "fetch", "xhr"):
            if response.status >= 400 and not response.url.endswith("/favicon.ico"):
                self.problems.append(f"{request.method} {response.url}: {response.status} (on {self.page.url})")
            return
        if kind != "document" and response.status >= 500:
            self.problems.append(f"htmx {request.method} {response.url}: {response.status} (on {self.page.url})")
        if 300 <= response.status < 400 or "text/html" not in (response.headers.get("content-type") or ""):
            return
        path = urlsplit(response.url).path
        where = f"{request.method} {path} {response.status} [{self.mode}{'' if kind == 'document' else ', htmx'}]"
        body = response.body().decode("utf-8")
        if not body.lstrip().lower().startswith("<!doctype html"):
            # An htmx fragment: valid in a minimal document around it.
            body = (f'<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>fragment</title></head>'
                    f"<body>{body}</body></html>")
            self.nu.add(body, where, "fragment")
        else:
            self.nu.add(body, where, "server")

    def _on_console(self, message):
        # "Failed to load resource" repeats what _on_response sees (and a 422 page is expected).
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(f"console error on {self.page.url}: {message.text}")

    # -- navigation
    @property
    def path(self) -> str:
        parts = urlsplit(self.page.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def goto(self, path: str, *, status: int | None = 200):
        response = self.page.goto(path)
        assert response is not None
        if status is not None:
            assert response.status == status, f"GET {path}: {response.status}, expected {status}"
        self.check()
        return response

    def submit(self, button, *, status: int | None = 200):
        """Press a button (or follow a link) and wait for the page that comes back.

        Without JavaScript, or where htmx does not boost, that is a navigation (after any redirect).
        A boosted form is posted by htmx, which swaps the answer into the page (and pushes its URL): then
        the response is the POST's own and the wait is for the swap to settle."""
        if self.js and button.evaluate(BOOSTED_JS):
            response = self._boosted(button)
        else:
            with self.page.expect_navigation(wait_until="load") as nav:
                button.click()
            response = nav.value
        if status is not None:
            assert response is not None and response.status == status, (
                f"after pressing the button on {self.path}: {response and response.status}, expected {status}")
        self.check()
        return response

    def _boosted(self, button):
        old_main = self.page.locator("main").element_handle()
        method = (button.evaluate("b => (b.getAttribute('formmethod') || (b.form && b.form.method) || 'get')")
                  .upper())
        with self.page.expect_response(lambda r: r.request.method == method
                                       and r.request.resource_type in ("fetch", "xhr")) as answer:
            button.click()
        self.page.wait_for_function(
            "old => document.querySelector('main') !== old"
            " && !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')", arg=old_main)
        return answer.value

    def click(self, link, *, status: int | None = 200):
        return self.submit(link, status=status)

    def check(self) -> None:
        """axe on the page as it is now, and the live DOM for the Nu checker."""
        where = f"{self.path} [{self.mode}]"
        html = self.page.content()
        self.nu.add(html, where, "dom")
        violations = self.axe.violations(self.page, js=self.js, html=html)
        assert not violations, describe_violations(where, violations)
        self.checked.append(self.path)

    # -- reading the page
    def h1(self) -> str:
        return self.page.locator("main h1").inner_text().strip()

    def title(self) -> str:
        return self.page.title()

    def primary_button(self):
        return self.page.locator("main form button.button-primary[type=submit]").first

    def focused_is(self, locator) -> bool:
        return locator.evaluate("e => e === document.activeElement")

    def screenshot(self, name: str) -> Path:
        out = ARTIFACTS / "screenshots" / f"{name}.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        # caret="initial": hiding the caret injects a style element, which the CSP rightly blocks.
        self.page.screenshot(path=str(out), full_page=True, caret="initial")
        return out


@pytest.fixture(params=[True, False], ids=["js-on", "js-off"])
def js(request) -> bool:
    return request.param


@pytest.fixture
def open_tab(browser, axe, nu_pages, live_server, request):
    """Factory of checked browser tabs, each in its own context (own cookies)."""
    contexts = []
    visits = []

    def make(*, js: bool = True, viewport: dict | None = None, **options) -> Visit:
        ctx = browser.new_context(base_url=live_server.url, java_script_enabled=js, locale="ja-JP",
                                  timezone_id="Asia/Tokyo", viewport=viewport or {"width": 1280, "height": 800},
                                  **options)
        ctx.set_default_timeout(10_000)
        if js:
            axe.install(ctx)
        contexts.append(ctx)
        visit = Visit(ctx.new_page(), js=js, axe=axe, nu=nu_pages, live=live_server, name=request.node.name)
        visits.append(visit)
        return visit

    yield make
    problems = [p for v in visits for p in v.problems]
    for ctx in contexts:
        ctx.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def tab(open_tab, js) -> Visit:
    """A checked tab with JavaScript on or off (tests using it run once in each mode)."""
    return open_tab(js=js)
