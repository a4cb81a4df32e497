"""The SME registration wizard on a slow link (issue 4, "Benchmark"; UX.md "Performance budget").

    .venv/bin/python bench/slow_network.py      [--headed] [--timeout 60]

Playwright (Python, sync) drives Debian's Chromium (/usr/bin/chromium; nothing is downloaded) with the
DevTools "Slow 3G" profile: CDP ``Network.emulateNetworkConditions`` latency 2,000 ms, 50,000 bytes/s down
and up.  The server is the production one: a fresh PostgreSQL database ``dxapp_bench_slow`` (migrated,
demo data seeded), ``gunicorn -c gunicorn.conf.py wsgi:app`` with 2 workers, the Redis rate-limit store
(database 14) and the program clock at 2021-06-01 10:00 JST.  Two new SME accounts are made directly with
dxapp.services.accounts (verified, consented), one for each run, and logged in through the real form
before the browser starts (their session cookie is given to the browser context).

Each run completes the whole wizard in its own browser context, with JavaScript on and with it off:

* cold: the first step opened with an empty cache (HTML, CSS and, with JavaScript, htmx), timed from
  sending the page request until the first contentful paint (the stylesheet blocks rendering and the
  form is in the HTML, so the form is usable then; htmx is ``defer`` and never required), with the
  load event shown beside it;
* warm: every "Save and continue" (and the final "Send this application"), timed from the click until
  the next page's form is usable: with JavaScript, until the page's h1 has changed and the form is
  there (a boosted form answered with the next step and HX-Push-Url), or until the load event when the
  form is not boosted; without JavaScript, until the load event (POST, redirect, GET);
* the documents step, when the wizard has it: a tiny PDF is uploaded with set_input_files first (its
  own row, timed like a step and judged against the same warm target); when the upload is refused the
  run stops there and says why.

Per row: the requests the browser sent (CDP Network.requestWillBeSent, redirects included, cache hits
excluded), the bytes received (CDP Network.loadingFinished encodedDataLength, headers included, plus the
encoded length of each redirect response), the statuses, the time, the target and PASS/FAIL.  With
JavaScript on, the live checks htmx sent while the answers were typed (not part of the step's time) are
listed as well.  Targets: JS on warm <= 2.5 s, JS off warm <= 4.5 s, cold first page <= 4.5 s.

Exit code: 0 every row passes, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SLOW_3G = {"offline": False, "latency": 2000, "downloadThroughput": 50000, "uploadThroughput": 50000}
DB_NAME = "dxapp_bench_slow"
BASE = "/sme/register"
FIRST_STEP = f"{BASE}/business-type"
TARGETS = {("on", "warm"): 2.5, ("off", "warm"): 4.5, ("on", "cold"): 4.5, ("off", "cold"): 4.5}
TINY_PDF = (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
            b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n")


# ------------------------------------------------------------------------------------------- CDP recorder

@dataclass
class Req:
    method: str
    url: str
    statuses: list = field(default_factory=list)
    bytes: int = 0
    done: bool = False
    cached: bool = False
    started: float = 0.0  # CDP MonotonicTime (s)
    resource: str = ""
    loader: str = ""
    headers_after: float | None = None  # s from sending to the response headers (CDP response.timing)
    finished: float | None = None  # CDP MonotonicTime of loadingFinished


class Recorder:
    """Network events of one page, from the DevTools protocol, split into windows."""

    def __init__(self, cdp):
        self.reqs: dict[str, Req] = {}
        self.order: list[str] = []
        self.mark = 0
        self.lifecycle: list[tuple[str, str, float]] = []  # (loaderId, name, MonotonicTime)
        for name in ("requestWillBeSent", "requestServedFromCache", "responseReceived", "loadingFinished",
                     "loadingFailed"):
            cdp.on(f"Network.{name}", getattr(self, f"_{name}"))
        cdp.on("Page.lifecycleEvent", lambda e: self.lifecycle.append((e["loaderId"], e["name"], e["timestamp"])))

    def _requestWillBeSent(self, e):
        rid = e["requestId"]
        if e.get("redirectResponse") and rid in self.reqs:
            prev = self.reqs[rid]
            prev.statuses.append(e["redirectResponse"]["status"])
            prev.bytes += int(e["redirectResponse"].get("encodedDataLength") or 0)
            prev.done = True
            prev.finished = e["timestamp"]
            rid = self._alias(rid)
        self.reqs[rid] = Req(e["request"]["method"], e["request"]["url"], started=e["timestamp"],
                             resource=e.get("type", ""), loader=e.get("loaderId", ""))
        self.order.append(rid)

    def _alias(self, rid: str) -> str:
        """The original request of a redirect keeps its row under a new key; the id goes on with the
        request that follows the redirect."""
        n = 1
        while f"{rid}#{n}" in self.reqs:
            n += 1
        key = f"{rid}#{n}"
        self.reqs[key] = self.reqs.pop(rid)
        self.order[self.order.index(rid)] = key
        return rid

    def _requestServedFromCache(self, e):
        if e["requestId"] in self.reqs:
            self.reqs[e["requestId"]].cached = True

    def _responseReceived(self, e):
        r = self.reqs.get(e["requestId"])
        if r is not None:
            r.statuses.append(e["response"]["status"])
            timing = e["response"].get("timing") or {}
            if "receiveHeadersEnd" in timing:
                r.headers_after = timing["requestTime"] + timing["receiveHeadersEnd"] / 1000 - r.started
            if e["response"].get("fromDiskCache") or e["response"].get("fromPrefetchCache"):
                r.cached = True

    def _loadingFinished(self, e):
        r = self.reqs.get(e["requestId"])
        if r is not None:
            r.bytes += int(e.get("encodedDataLength") or 0)
            r.done = True
            r.finished = e["timestamp"]

    def _loadingFailed(self, e):
        r = self.reqs.get(e["requestId"])
        if r is not None:
            r.done = True
            r.statuses.append("failed")

    def start(self) -> None:
        self.mark = len(self.order)

    def document_timings(self) -> dict:
        """For the first document request of the window: seconds from sending it to each lifecycle event
        of the page it loaded (firstContentfulPaint, DOMContentLoaded, load)."""
        doc = next((r for r in self.window() if r.resource == "Document"), None)
        if doc is None:
            return {}
        return {name: ts - doc.started for loader, name, ts in self.lifecycle if loader == doc.loader}

    def window(self) -> list[Req]:
        return [self.reqs[k] for k in self.order[self.mark:]]

    def pending(self) -> int:
        return sum(1 for r in self.window() if not r.done)

    def settle(self, page, quiet_ms: int = 0, timeout: float = 30) -> None:
        """Let the events arrive (they are delivered while Playwright waits) until nothing in the window
        is in flight (and, with ``quiet_ms``, nothing new was sent for that long)."""
        deadline = time.monotonic() + timeout
        seen = -1
        while time.monotonic() < deadline:
            page.wait_for_timeout(quiet_ms or 50)
            count = len(self.order)
            if self.pending() == 0 and (not quiet_ms or count == seen):
                return
            seen = count


def summarise(reqs: list[Req]) -> dict:
    network = [r for r in reqs if not r.cached]
    parts = []
    for r in network:
        path = "/" + r.url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
        if path.endswith(".css"):
            kind = " css"
        elif path.endswith(".js"):
            kind = " js"
        elif path.endswith("/check"):
            kind = " live-check"
        elif r.resource == "Document" or r.method == "POST" or r.resource in ("Fetch", "XHR"):
            kind = ""
        else:
            kind = " " + path
        parts.append(f"{r.method}{kind} {'>'.join(str(s) for s in r.statuses) or '?'}")
    detail = ""
    if network:
        t0 = network[0].started
        bits = []
        for r, part in zip(network, parts, strict=True):
            done = f"complete at {r.finished - t0:.2f} s" if r.finished is not None else "not complete"
            headers = f"headers at {r.started - t0 + r.headers_after:.2f} s, " if r.headers_after is not None \
                and len(r.statuses) == 1 else ""
            bits.append(f"{part}: {r.bytes} B, sent at {r.started - t0:.2f} s, {headers}{done}")
        detail = "; ".join(bits)
    return {"requests": sum(max(1, len([s for s in r.statuses if s != "failed"])) for r in network),
            "bytes": sum(r.bytes for r in network), "what": ", ".join(parts), "detail": detail}


# ------------------------------------------------------------------------------------------- the wizard

@dataclass
class Row:
    mode: str
    label: str
    kind: str  # cold / warm / upload
    seconds: float | None
    requests: int
    bytes: int
    what: str
    typing: str = ""
    note: str = ""
    detail: str = ""

    @property
    def target(self) -> float | None:
        return TARGETS.get((self.mode, "warm" if self.kind == "upload" else self.kind))

    @property
    def passed(self) -> bool:
        return self.seconds is not None and self.target is not None and self.seconds <= self.target


def slug_of(url: str) -> str:
    path = url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0].split("#", 1)[0]
    prefix = BASE.strip("/") + "/"
    return path[len(prefix):] if path.startswith(prefix) else "/" + path


def fill(page, values: dict) -> None:
    """Type the answers the way a person would (one field after the other)."""
    for name, value in values.items():
        loc = page.locator(f'main form [name="{name}"]')
        if loc.count() == 0:
            continue
        first = loc.first
        kind = (first.get_attribute("type") or "").lower()
        if _is_select(first):
            try:
                first.select_option(value=value)
            except Exception:  # noqa: BLE001  (a label instead of a value)
                first.select_option(label=value)
        elif kind == "radio":
            page.locator(f'main form [name="{name}"][value="{value}"]').check()
        elif kind == "checkbox":
            if value:
                first.check()
            else:
                first.uncheck()
        elif kind in ("hidden", "file"):
            continue
        else:
            if value or first.input_value():
                first.fill(value)


def _is_select(locator) -> bool:
    # Works with JavaScript off too: Playwright's own queries run in an isolated world.
    return locator.evaluate("e => e.tagName") == "SELECT"


def mismatched(page, values: dict) -> dict:
    """Text fields whose value is not what was typed (an htmx out-of-band swap may have replaced them)."""
    out = {}
    for name, value in values.items():
        loc = page.locator(f'main form input[name="{name}"]:not([type=radio]):not([type=checkbox])'
                           f':not([type=hidden]):not([type=file])')
        if loc.count() and loc.first.input_value() != value:
            out[name] = value
    return out


def heading(page) -> str:
    loc = page.locator("main h1")
    return loc.first.inner_text().strip() if loc.count() else ""


def step_form(page, slug: str):
    """The form that saves the step (its action is the step's own URL)."""
    return page.locator(f'main form[action$="{BASE}/{slug}"]').last


class Run:
    def __init__(self, page, recorder, mode: str, origin: str, timeout: float):
        self.page, self.rec, self.mode, self.origin, self.timeout = page, recorder, mode, origin, timeout
        self.rows: list[Row] = []

    def row(self, label: str, kind: str, seconds: float | None, note: str = "", typing: str = "") -> Row:
        self.rec.settle(self.page)
        s = summarise(self.rec.window())
        r = Row(self.mode, label, kind, seconds, s["requests"], s["bytes"], s["what"], typing, note, s["detail"])
        self.rows.append(r)
        t = "-" if seconds is None else f"{seconds:.2f} s"
        h.say(f"  JS {self.mode:<3} {label:<38} {kind:<6} {t:>8}  {r.requests} req  {r.bytes} B  {r.what}"
              f"{'  ' + note if note else ''}")
        return r

    def cold(self) -> None:
        """The first step with an empty cache.  Usable = first contentful paint: the stylesheet is
        render-blocking and the form is in the HTML, so that is the moment the form can be used (htmx is
        ``defer`` and never required); the load event is shown next to it."""
        self.rec.start()
        t0 = time.perf_counter()
        self.page.goto(self.origin + FIRST_STEP, wait_until="load", timeout=self.timeout * 1000)
        wall = time.perf_counter() - t0
        self.rec.settle(self.page)
        t = self.rec.document_timings()
        usable = t.get("firstContentfulPaint") or t.get("load") or wall
        note = ", ".join(f"{label} {t[key]:.2f} s" for key, label in (
            ("firstContentfulPaint", "first contentful paint"), ("DOMContentLoaded", "DOMContentLoaded"),
            ("load", "load event")) if key in t)
        self.row(f"open {slug_of(self.page.url)} (empty cache)", "cold", usable, note=note)

    def click_and_wait(self, button, boosted: bool, swapped_js: str | None = None) -> tuple[float | None, str]:
        """Click; with htmx (boosted form, JS on) wait until the h1 changed and a form is there (or until
        ``swapped_js`` holds, for a step that answers with itself, such as an upload); else wait for the
        load event of the navigation."""
        page = self.page
        before = heading(page)
        t0 = time.perf_counter()
        try:
            if self.mode == "on" and boosted:
                button.click()
                page.wait_for_function(
                    swapped_js or """(before) => { const h = document.querySelector('main h1');
                        return !!h && h.textContent.trim() !== before &&
                               (!!document.querySelector('main form') || !document.querySelector('main .progress')); }""",
                    arg=before, timeout=self.timeout * 1000, polling="raf")
            else:
                with page.expect_navigation(wait_until="load", timeout=self.timeout * 1000):
                    button.click()
            return time.perf_counter() - t0, ""
        except Exception as exc:  # noqa: BLE001  (report it as a failed row)
            return None, f"no next page within {self.timeout:.0f} s ({type(exc).__name__})"

    def settle_typing(self) -> str:
        """With JavaScript the live checks run while typing: wait until they are answered."""
        if self.mode != "on":
            return ""
        self.rec.settle(self.page, quiet_ms=1200, timeout=60)
        s = summarise(self.rec.window())
        return f"{s['requests']} live checks, {s['bytes']} B" if s["requests"] else ""

    def step(self, slug: str, values: dict) -> bool:
        page = self.page
        self.rec.start()
        fill(page, values)
        typing = self.settle_typing()
        again = mismatched(page, values)
        if again:  # an out-of-band swap replaced what was typed: type it again
            fill(page, again)
            more = self.settle_typing()
            typing = ", then ".join(x for x in (typing, more) if x)
        form = step_form(page, slug)
        if form.count() == 0:
            self.row(f"{slug}: no step form found", "warm", None, note="stopped")
            return False
        boosted = form.get_attribute("data-hx-boost") == "true"
        button = form.locator(".actions button:not([name=action])").first
        self.rec.start()
        seconds, note = self.click_and_wait(button, boosted)
        after = slug_of(page.url)
        if seconds is not None and after == slug:
            note = "stayed on the step: " + "; ".join(page.locator(".error-summary li").all_inner_texts())[:200]
            seconds = None
        if self.mode == "on" and not boosted:
            note = "; ".join(x for x in ("the form is not boosted (full page load)", note) if x)
        self.row(f"{slug} -> {after}", "warm", seconds, note=note, typing=typing)
        return seconds is not None

    def upload(self) -> bool:
        page = self.page
        form = page.locator(f'main form:has(button[formaction*="{BASE}/documents/upload"])')
        if form.count() == 0:
            self.row("documents: no upload form", "upload", None, note="skipped")
            return True
        file_input = form.locator('input[type="file"]')
        file_input.set_input_files({"name": "registration.pdf", "mimeType": "application/pdf", "buffer": TINY_PDF})
        radios = form.locator('input[type="radio"][name="purpose"]')
        if radios.count() and not form.locator('input[type="radio"][name="purpose"]:checked').count():
            radios.first.check()
        self.rec.start()
        boosted = form.get_attribute("data-hx-boost") == "true"
        listed = """() => [...document.querySelectorAll('main .files a')].some(a => a.textContent.includes('registration.pdf'))
                      && !document.querySelector('.htmx-request')"""
        seconds, note = self.click_and_wait(form.locator(f'button[formaction*="{BASE}/documents/upload"]'), boosted,
                                            swapped_js=listed)
        errors = page.locator(".error-summary li").all_inner_texts()
        if errors:
            note = "upload refused: " + "; ".join(errors)[:200]
        elif self.mode == "on" and not boosted:
            note = "; ".join(x for x in ("the upload form is not boosted (full page load)", note) if x)
        self.row(f"documents: upload {len(TINY_PDF)}-byte PDF", "upload", seconds if not errors else None,
                 note=note)
        return not errors and seconds is not None

    def submit(self) -> None:
        page = self.page
        form = page.locator(f'main form[action$="{BASE}/submit"]')
        boosted = form.get_attribute("data-hx-boost") == "true"
        self.rec.start()
        seconds, note = self.click_and_wait(form.locator("button").first, boosted)
        if self.mode == "on" and not boosted:
            note = "; ".join(x for x in ("the form is not boosted (full page load)", note) if x)
        after = slug_of(page.url)
        self.row(f"check-answers -> {'sent/…' if after.startswith('sent/') else after} (send)", "warm", seconds,
                 note=note)

    def wizard(self) -> None:
        self.cold()
        for _ in range(15):
            slug = slug_of(self.page.url)
            if slug == "check-answers":
                self.submit()
                return
            if slug == "documents":
                if not self.upload():
                    self.row("documents step", "warm", None, note="stopped: the upload was not accepted")
                    return
                if not self.step(slug, {}):
                    return
                continue
            values = h.ANSWERS.get(slug)
            if values is None:
                self.row(f"unknown step {slug}", "warm", None, note="stopped: no answers for this step")
                return
            if not self.step(slug, values):
                return


def browse(server: h.Server, accounts: dict, timeout: float, headed: bool) -> list[Row]:
    from playwright.sync_api import sync_playwright

    rows: list[Row] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=not headed, args=CHROMIUM_ARGS)
        try:
            for mode, email in accounts.items():
                client = h.Client(server.url)
                h.log_in(client, email)
                cookies = [{"name": k, "value": v, "url": server.url} for k, v in client.cookies.items()]
                client.close()
                context = browser.new_context(java_script_enabled=(mode == "on"), locale="ja-JP",
                                              viewport={"width": 1280, "height": 900})
                try:
                    context.add_cookies(cookies)
                    page = context.new_page()
                    cdp = context.new_cdp_session(page)
                    cdp.send("Network.enable")
                    cdp.send("Page.enable")
                    cdp.send("Page.setLifecycleEventsEnabled", {"enabled": True})
                    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
                    run = Run(page, Recorder(cdp), mode, server.url, timeout)
                    run.wizard()
                    rows += run.rows
                finally:
                    context.close()
        finally:
            browser.close()
    return rows


def report(rows: list[Row], load_before: str) -> bool:
    print()
    print("dxapp slow_network: SME registration wizard under Slow 3G (latency 2,000 ms, 50,000 B/s down and up)")
    print(f"  machine: {h.machine_load(load_before)}")
    print("  gunicorn -c gunicorn.conf.py (2 workers), PostgreSQL, Chromium via Playwright; time = click (or "
          "navigation) until the next form is usable")
    print()
    head = f"{'JS':<4}{'step':<44}{'kind':<7}{'requests':>8}{'bytes':>8}{'time s':>8}{'target':>8}  result  requests sent"
    print(head)
    print("-" * len(head))
    ok = True
    for r in rows:
        t = "-" if r.seconds is None else f"{r.seconds:.2f}"
        target = "-" if r.target is None else f"<={r.target:.1f}"
        result = "PASS" if r.passed else "FAIL"
        ok = ok and r.passed
        print(f"{r.mode:<4}{r.label:<44}{r.kind:<7}{r.requests:>8}{r.bytes:>8}{t:>8}{target:>8}  {result:<6}  {r.what}")
        if r.note:
            print(f"{'':<4}  note: {r.note}")
        if r.detail:
            print(f"{'':<4}  network: {r.detail}")
        if r.typing:
            print(f"{'':<4}  while typing (not timed): {r.typing}")
    print()
    for mode in ("on", "off"):
        warm = [r for r in rows if r.mode == mode and r.kind == "warm" and r.seconds is not None]
        if warm:
            print(f"JS {mode}: {len(warm)} warm steps, slowest {max(r.seconds for r in warm):.2f} s, "
                  f"mean {sum(r.seconds for r in warm) / len(warm):.2f} s, "
                  f"{sum(r.bytes for r in warm)} bytes in {sum(r.requests for r in warm)} requests")
    print(f"ALL TARGETS {'HOLD' if ok else 'NOT MET'}")
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--timeout", type=float, default=60, help="seconds to wait for one page (default 60)")
    ap.add_argument("--headed", action="store_true", help="show the browser")
    args = ap.parse_args()
    if not CHROMIUM.exists():
        print("Debian's Chromium is not installed at /usr/bin/chromium: apt-get install chromium fonts-noto-cjk",
              file=sys.stderr)
        return 2
    h.check_translations()
    accounts = {"on": "bench-js-on@example.jp", "off": "bench-js-off@example.jp"}
    load_before = h.load_average()
    with h.workdir("dxapp-slow-") as work, h.bench_database(DB_NAME) as database_url:
        h.flush_ratelimit_store()
        try:
            env = h.app_env(database_url, work)
            h.say(f"migrating and seeding {DB_NAME} ...")
            h.migrate_and_seed(env)
            for mode, email in accounts.items():
                h.fresh_sme_account(env, email, f"ベンチ 太郎（JS {mode}）")
            with h.gunicorn("dxapp", "wsgi:app", env, work) as server:
                rows = browse(server, accounts, args.timeout, args.headed)
        finally:
            h.flush_ratelimit_store()
    return 0 if report(rows, load_before) else 1


if __name__ == "__main__":
    sys.exit(main())
