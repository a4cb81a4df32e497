"""Load on the live eligibility check (issue 4, "Benchmark"): dxapp under gunicorn as in production
against a bare Flask app serving a fixed fragment the same way, both driven by wrk (C, from Debian).

    apt-get install wrk                      (once; this script installs nothing)
    .venv/bin/python bench/check_load.py     [--duration 10] [--connections 10,50] [--profile]

What it does, in one run:
1. creates the PostgreSQL database ``dxapp_bench`` on 127.0.0.1:5432 (dropped first if left over),
   runs ``flask db upgrade`` and ``flask seed-demo`` on it (DATABASE_URL set, production config);
2. starts ``gunicorn -c gunicorn.conf.py wsgi:app`` (GUNICORN_WORKERS=2, a free port, Redis database 14
   for the rate limiter, SESSION_COOKIE_SECURE=0, program clock at 2021-06-01 10:00 JST) and
   ``gunicorn -c gunicorn.conf.py bare_app:app`` (bench/bare_app.py) with the same settings; every
   protection that applies to a GET stays on, and the access log is written (to a file) as in production;
3. logs in as sme@demo.example through the real form, answers the steps before the size step
   (business-type, business-details, address: a step opens only when those before it are complete) as
   plain form POSTs, opens the size step and builds the request htmx sends while the user types
   「5000万」 and 「51」: the live-scope's ``hx-get`` (the stateless .../size/panel) with its ``hx-vals``
   (the saved answers the rules need) and the typed values, and checks it answers the panel fragment;
   the login-bound full check (GET .../size/check, the no-JavaScript button's page, as an htmx partial)
   is measured too, for comparison;
4. runs wrk (2 threads, 10 s, after a 3 s warm-up) with that session cookie and the headers htmx sends
   (HX-Request: true, HX-Request-Type: partial, Accept-Encoding as a browser over HTTPS) at 10 and 50
   connections against each server, interleaved A B A B for --rounds rounds (default 3), then the
   login-bound check once; every response is checked to be a 200 in gunicorn's
   access log (wrk alone would count a redirect to the login page as a success);
5. prints requests/s and p50/p95/p99 latency (from wrk's own histogram via a Lua ``done`` function),
   the throughput ratio dxapp/bare per round and its median per connection count, and whether the
   target holds (median ratio >= 0.7 and median p95 <= 1.5x the bare app's at 50 connections);
6. when the target is missed (or with --profile), profiles the check request in-process against the
   same database: SQL statements per request and where the time goes (compression, session, login,
   rate limiter, Babel, templates, SQL, ...), and re-runs wrk at 50 connections without
   Accept-Encoding to show what compression costs under load;
7. stops both servers and drops the database (also on errors).

Exit code: 0 target met, 1 target missed, 2 wrk missing.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h  # noqa: E402

DB_NAME = "dxapp_bench"
PANEL_PATH = ""  # found on the size step page by prepare_session()
TYPED = (("capital", "5000万"), ("employees", "51"))
CHECK_PATH = "/sme/register/size/check?" + "&".join(f"{k}={quote(v)}" for k, v in TYPED)
ACCEPT_ENCODING = "gzip, deflate, br"  # Chrome over HTTPS (production is behind a TLS proxy)
HTMX_HEADERS = {"HX-Request": "true", "HX-Request-Type": "partial"}
TARGET_RATIO = 0.7  # dxapp's throughput at least 0.7x the bare app's (median of the rounds)
TARGET_P95_FACTOR = 1.5  # dxapp's p95 at most 1.5x the bare app's (medians of the rounds)
TARGET_CONNECTIONS = 50

LUA = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d connect=%d read=%d write=%d status=%d timeout=%d " ..
    "p50=%d p75=%d p90=%d p95=%d p99=%d max=%d mean=%.1f bytes=%d\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(75), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean, summary.bytes))
end
"""


@dataclass
class Run:
    target: str
    connections: int
    rps: float
    p50: float
    p95: float
    p99: float
    requests: int
    errors: int
    statuses: dict
    round: int = 1

    @property
    def all_ok(self) -> bool:
        return self.errors == 0 and set(self.statuses) == {"200"} and sum(self.statuses.values()) >= self.requests


def wrk(url: str, headers: dict, *, connections: int, threads: int, duration: int, lua: Path) -> dict:
    cmd = ["wrk", "--latency", "-t", str(min(threads, connections)), "-c", str(connections), "-d", f"{duration}s",
           "--timeout", "5s", "-s", str(lua)]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    cmd.append(url)
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60, check=False)
    m = re.search(r"^BENCH (.*)$", r.stdout, re.M)
    if r.returncode != 0 or not m:
        raise SystemExit(f"wrk failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    out = {k: float(v) for k, v in (kv.split("=") for kv in m.group(1).split())}
    out["text"] = r.stdout
    return out


def measure(server: h.Server, label: str, headers: dict, connections: int, args, lua: Path,
            path: str | None = None, round_: int = 1) -> Run:
    url = server.url + (path or PANEL_PATH)
    wrk(url, headers, connections=connections, threads=args.threads, duration=args.warmup, lua=lua)
    time.sleep(2.0)  # the warm-up's last requests are answered and logged before the run starts
    offset = server.log_size()
    res = wrk(url, headers, connections=connections, threads=args.threads, duration=args.duration, lua=lua)
    time.sleep(1.0)  # let the access log catch up
    statuses = server.statuses_since(offset)
    errors = int(res["connect"] + res["read"] + res["write"] + res["status"] + res["timeout"])
    requests = int(res["requests"])
    run = Run(label, connections, requests / (res["duration_us"] / 1e6), res["p50"] / 1000, res["p95"] / 1000,
              res["p99"] / 1000, requests, errors, statuses, round_)
    h.say(f"  {label:<18} r{round_} c={connections:<3} {run.rps:8.0f} req/s  p50 {run.p50:6.1f}  p95 {run.p95:6.1f}  "
          f"p99 {run.p99:6.1f} ms  statuses {statuses} errors {errors}")
    return run


def htmx_path(step_html: str) -> str:
    """The URL htmx requests from the size step's live-scope: hx-get plus hx-vals plus the typed values."""
    tag = re.search(r'<div class="live-scope"[^>]*>', step_html)
    if tag is None:
        raise SystemExit("the size step has no live-scope element")
    url = html.unescape(re.search(r'data-hx-get="([^"]+)"', tag.group(0)).group(1))
    vals = re.search(r"data-hx-vals='([^']*)'", tag.group(0))
    params = {**(json.loads(html.unescape(vals.group(1))) if vals else {}), **dict(TYPED)}
    return url + ("&" if "?" in url else "?") + urlencode(params)


def prepare_session(server: h.Server) -> tuple[str, dict]:
    """Log in as the demo SME, answer the steps before the size step, find the request htmx sends and
    check the fragment.  Returns the cookie header and facts about the fragment."""
    global PANEL_PATH
    client = h.Client(server.url)
    h.log_in(client, "sme@demo.example")
    # The size step opens once every step before it is complete: answer them in order.
    for slug, values in h.STEPS_BEFORE_SIZE:
        h.answer_step(client, slug, values)
    step = client.get("/sme/register/size")
    if step.status != 200:
        raise SystemExit(f"GET /sme/register/size answered {step.status}: the size step cannot be opened")
    PANEL_PATH = htmx_path(step.text)
    facts = {}
    check = client.get(CHECK_PATH, headers={**HTMX_HEADERS, "Accept-Encoding": "identity"})
    for enc in ("identity", "gzip", "br"):
        r = client.get(PANEL_PATH, headers={**HTMX_HEADERS, "Accept-Encoding": enc})
        if r.status != 200 or (enc == "identity" and 'id="live-panel"' not in r.text):
            raise SystemExit(f"GET {PANEL_PATH} answered {r.status} (Location: {r.headers.get('location')})")
        if enc == "identity" and (check.status != 200 or check.text != r.text):
            raise SystemExit(f"GET {CHECK_PATH} answered {check.status} with another fragment than the panel")
        facts[enc] = (len(r.body), r.headers.get("content-encoding", "-"))
        if enc == "identity":
            facts["text"] = r.text
            facts["headers"] = r.headers
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    client.close()
    return cookie, facts


def still_logged_in(server: h.Server, cookie: str) -> bool:
    c = h.Client(server.url)
    r = c.get(CHECK_PATH, headers={**HTMX_HEADERS, "Cookie": cookie})
    c.close()
    return r.status == 200 and 'id="live-panel"' in r.text


# ------------------------------------------------------------------------------------------- profiling

PROFILE_CODE = r"""
import cProfile, pstats, sys, time, traceback
from collections import defaultdict
from sqlalchemy import event
from dxapp import create_app
from dxapp.extensions import db

path, cookie, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
app = create_app()
client = app.test_client()
for pair in cookie.split("; "):
    name, value = pair.split("=", 1)
    client.set_cookie(name, value)
base = {"HX-Request": "true", "HX-Request-Type": "partial"}
statements = []
with app.app_context():
    engine = db.engine

@event.listens_for(engine, "before_cursor_execute")
def _before(conn, cursor, statement, parameters, context, executemany):
    here = [f"{f.name}" for f in traceback.extract_stack() if "/dxapp/" in f.filename]
    statements.append([" ".join(statement.split())[:48], " < ".join(here[-3:]), time.perf_counter()])

@event.listens_for(engine, "after_cursor_execute")
def _after(conn, cursor, statement, parameters, context, executemany):
    statements[-1][2] = (time.perf_counter() - statements[-1][2]) * 1000

def run(enc, count):
    t0 = time.perf_counter()
    for _ in range(count):
        r = client.get(path, headers={**base, "Accept-Encoding": enc})
        assert r.status_code == 200, (r.status_code, r.headers.get("Location"))
    return (time.perf_counter() - t0) / count * 1000

from psycopg import _connection_base, _cursor_base
trips = []
_send, _command = _cursor_base.BaseCursor._execute_send, _connection_base.BaseConnection._exec_command
def _count_send(self, query, *a, **k):
    trips.append(bytes(query.query).split(None, 1)[0][:12].decode(errors="replace") if query.query else "?")
    return _send(self, query, *a, **k)
def _count_command(self, command, *a, **k):
    trips.append((command if isinstance(command, bytes) else str(command).encode())[:12].decode(errors="replace"))
    return _command(self, command, *a, **k)
_cursor_base.BaseCursor._execute_send = _count_send
_connection_base.BaseConnection._exec_command = _count_command

run("br", 50)  # warm up
statements.clear()
trips.clear()
client.get(path, headers={**base, "Accept-Encoding": "br"})
_cursor_base.BaseCursor._execute_send, _connection_base.BaseConnection._exec_command = _send, _command
print(f"PostgreSQL round trips in one check request: {len(trips)} ({', '.join(trips)}; ';' is the pool's pre-ping)")
print(f"SQL statements in one check request: {len(statements)}")
for text, where, ms in statements:
    print(f"  {ms:5.2f} ms  {text:<50} from {where}")
event.remove(engine, "before_cursor_execute", _before)
event.remove(engine, "after_cursor_execute", _after)
for enc in ("identity", "gzip", "br"):
    print(f"mean in-process time per check request, Accept-Encoding {enc!r}: {run(enc, n):.2f} ms")

prof = cProfile.Profile()
prof.enable()
run("gzip, deflate, br", n)
prof.disable()
raw = pstats.Stats(prof).stats  # (file, line, name) -> (cc, nc, tt, ct, callers)
total = sum(v[2] for v in raw.values())

def cum(file_part, name):
    best = 0.0
    for (file, line, fname), (cc, nc, tt, ct, callers) in raw.items():
        if file_part in file.replace("\\", "/") and fname == name:
            best = max(best, ct)
    return best / n * 1000

hooks = [
    ("whole request (Flask.wsgi_app)", "flask/app.py", "wsgi_app"),
    ("  before_request: _gates (session timeouts, consent gate)", "dxapp/__init__.py", "_gates"),
    ("    of which flask-login load_user (1 SQL)", "dxapp/services/accounts.py", "load_user"),
    ("    of which missing_consents (terms in force + consents)", "dxapp/services/terms.py", "missing_consents"),
    ("  before_request: rate limiter", "flask_limiter", "_check_request_limit"),
    ("  before_request: CSRF (Flask-WTF)", "flask_wtf/csrf.py", "protect"),
    ("  view: WizardRoutes.stateless_panel", "dxapp/wizard/views.py", "stateless_panel"),
    ("    rules (eligibility.panel)", "dxapp/procedures/sme_registration/eligibility.py", "panel"),
    ("    Jinja render (Babel gettext)", "jinja2/environment.py", "render"),
    ("  after_request: compression (Flask-Compress)", "flask_compress", "after_request"),
    ("  after_request: security headers", "dxapp/security.py", "_headers"),
    ("  session open (verify the signed cookie)", "flask/sessions.py", "open_session"),
    ("  session save (sign and Set-Cookie when modified)", "flask/sessions.py", "save_session"),
    ("  Babel get_locale", "flask_babel", "get_locale"),
    ("  all SQL through the ORM session", "sqlalchemy/orm/session.py", "_execute_internal"),
    ("  pool checkout (incl. pre-ping round trip)", "sqlalchemy/pool/base.py", "_checkout"),
    ("  teardown (scoped session remove)", "flask_sqlalchemy/session.py", "remove"),
]
print(f"cProfile over {n} requests (Accept-Encoding 'gzip, deflate, br'), cumulative ms per request, "
      f"inflated by the profiler:")
for label, file_part, name in hooks:
    print(f"  {label:<60} {cum(file_part, name):6.2f}")
by_pkg = defaultdict(float)
for (file, line, name), (cc, nc, tt, ct, callers) in raw.items():
    f = file.replace("\\", "/")
    if "site-packages/" in f:
        key = f.split("site-packages/")[1].split("/")[0]
    elif "/dxapp/" in f:
        key = "dxapp/" + f.split("/dxapp/")[1]
    elif f.startswith(("~", "<")):
        key = "builtins (C)"
    else:
        key = "stdlib " + f.rsplit("/", 1)[-1]
    by_pkg[key] += tt
print("own time by package or module (ms per request, share):")
for key, tt in sorted(by_pkg.items(), key=lambda kv: -kv[1])[:12]:
    print(f"  {key:<44} {tt / n * 1000:6.2f}  {tt / total:6.1%}")
"""


def profile(env: dict, cookie: str, n: int = 400) -> str:
    r = subprocess.run([str(h.BIN / "python"), "-c", PROFILE_CODE, PANEL_PATH, cookie, str(n)], cwd=h.ROOT,
                       env=env, capture_output=True, text=True, timeout=600, check=False)
    if r.returncode != 0:
        return f"(profiling failed: {r.stderr[-2000:]})"
    return r.stdout


# ------------------------------------------------------------------------------------------- report

def _median(values: list[float]) -> float:
    return statistics.median(values)


def table(runs: list[Run], connections: list[int]) -> tuple[str, bool]:
    """Every run in the order measured (dxapp and bare interleaved A B A B), then per connection count the
    median ratio over the rounds, so that one noisy moment on a shared machine does not decide."""
    lines = [f"{'target':<22} {'round':>5} {'conns':>5} {'requests/s':>11} {'p50 ms':>8} {'p95 ms':>8} "
             f"{'p99 ms':>8} {'requests':>9}  all 200?"]
    for r in runs:
        lines.append(f"{r.target:<22} {r.round:>5} {r.connections:>5} {r.rps:>11.0f} {r.p50:>8.1f} {r.p95:>8.1f} "
                     f"{r.p99:>8.1f} {r.requests:>9}  "
                     f"{'yes' if r.all_ok else 'NO ' + str(r.statuses) + f' errors={r.errors}'}")
    lines.append("")
    ok = TARGET_CONNECTIONS in connections
    for c in connections:
        dx = [r for r in runs if r.target == "dxapp" and r.connections == c]
        bare = [r for r in runs if r.target == "bare flask" and r.connections == c]
        ratios = [a.rps / b.rps for a, b in zip(dx, bare, strict=True)]
        ratio = _median(ratios)
        dx_p95, bare_p95 = _median([r.p95 for r in dx]), _median([r.p95 for r in bare])
        line = (f"at {c:>2} connections: throughput ratio dxapp/bare per round "
                f"{', '.join(f'{x:.2f}' for x in ratios)} -> median {ratio:.2f}; "
                f"p95 median dxapp {dx_p95:.1f} ms, bare {bare_p95:.1f} ms ({dx_p95 / bare_p95:.2f}x)")
        if c == TARGET_CONNECTIONS:
            hold_ratio, hold_p95 = ratio >= TARGET_RATIO, dx_p95 <= TARGET_P95_FACTOR * bare_p95
            ok = hold_ratio and hold_p95 and all(r.all_ok for r in dx)
            line += (f"\n   target ratio >= {TARGET_RATIO}: {'PASS' if hold_ratio else 'FAIL'};  "
                     f"p95 <= {TARGET_P95_FACTOR}x bare's: {'PASS' if hold_p95 else 'FAIL'}")
        lines.append(line)
    if TARGET_CONNECTIONS not in connections:
        lines.append(f"(the target is judged at {TARGET_CONNECTIONS} connections, which this run did not measure)")
    lines.append(f"TARGET {'HOLDS' if ok else 'MISSED'} (median ratio >= {TARGET_RATIO} and median p95 <= "
                 f"{TARGET_P95_FACTOR}x bare's at {TARGET_CONNECTIONS} connections)")
    return "\n".join(lines), ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=int, default=10, help="seconds per measured wrk run (default 10)")
    ap.add_argument("--warmup", type=int, default=3, help="seconds of warm-up before each run (default 3)")
    ap.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    ap.add_argument("--connections", default="10,50", help="comma-separated (default 10,50)")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds of dxapp and bare (default 3)")
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    ap.add_argument("--profile", action="store_true", help="profile even when the target holds")
    ap.add_argument("--no-profile", action="store_true", help="never profile")
    args = ap.parse_args()
    connections = [int(c) for c in args.connections.split(",")]

    if shutil.which("wrk") is None:
        print("wrk (the HTTP load generator) is not installed. Install it from Debian:\n\n"
              "    apt-get install wrk\n\nthen run this script again.", file=sys.stderr)
        return 2
    h.check_translations()

    load_before = h.load_average()
    with h.workdir("dxapp-bench-") as work, h.bench_database(DB_NAME) as database_url:
        lua = work / "report.lua"
        lua.write_text(LUA)
        h.flush_ratelimit_store()
        try:
            env = h.app_env(database_url, work)
            h.say(f"migrating and seeding {DB_NAME} ...")
            h.migrate_and_seed(env)
            with h.gunicorn("dxapp", "wsgi:app", env, work, workers=args.workers) as dx, \
                    h.gunicorn("bare", "bare_app:app", env, work, workers=args.workers,
                               extra_args=("--pythonpath", "bench")) as bare:
                cookie, facts = prepare_session(dx)
                headers = {**HTMX_HEADERS, "Accept-Encoding": ACCEPT_ENCODING, "Cookie": cookie}
                h.say("running wrk ...")
                runs = []
                for c in connections:
                    for n in range(1, args.rounds + 1):  # interleaved: A B A B ...
                        runs.append(measure(dx, "dxapp", headers, c, args, lua, round_=n))
                        runs.append(measure(bare, "bare flask", headers, c, args, lua, round_=n))
                    runs.append(measure(dx, "dxapp .../check", headers, c, args, lua, path=CHECK_PATH))
                logged_in = still_logged_in(dx, cookie)
                extra = []
                text, ok = table(runs, connections)
                want_profile = args.profile or (not ok and not args.no_profile)
                if want_profile:
                    h.say("profiling ...")
                    plain = {k: v for k, v in headers.items() if k != "Accept-Encoding"}
                    extra.append(measure(dx, "dxapp, no compr.", plain, TARGET_CONNECTIONS, args, lua))
                    prof = profile(env, cookie)

            print()
            print(f"dxapp check_load: GET {PANEL_PATH}")
            print(f"  (what htmx asks while typing; 'dxapp .../check' rows: GET {CHECK_PATH}, login and draft)")
            print(f"  machine: {h.machine_load(load_before)}")
            print(f"  headers: HX-Request: true, HX-Request-Type: partial, Accept-Encoding: {ACCEPT_ENCODING}, "
                  f"session cookie of sme@demo.example")
            print(f"  gunicorn -c gunicorn.conf.py, {args.workers} workers x gthread (GUNICORN_THREADS default 4), "
                  f"PostgreSQL, Redis rate-limit store, access log on; wrk -t{args.threads}, {args.duration} s per run "
                  f"after {args.warmup} s warm-up")
            print(f"  dxapp fragment: {facts['identity'][0]} bytes raw, gzip {facts['gzip'][0]} bytes "
                  f"({facts['gzip'][1]}), br {facts['br'][0]} bytes ({facts['br'][1]}); "
                  f"bare fragment: {len(bare_fragment().encode())} bytes raw, not compressed")
            print(f"  response headers of the dxapp fragment: Set-Cookie "
                  f"{'yes' if 'set-cookie' in facts['headers'] else 'no'}, Vary: {facts['headers'].get('vary', '-')}")
            print()
            print(text)
            if not logged_in:
                print("WARNING: the session cookie no longer opens the check after the runs")
            if want_profile:
                print()
                print("PROFILE")
                for r in extra:
                    print(f"  wrk at {r.connections} connections without Accept-Encoding (no compression): "
                          f"{r.rps:.0f} req/s, p50 {r.p50:.1f} ms, p95 {r.p95:.1f} ms, p99 {r.p99:.1f} ms, "
                          f"all 200: {'yes' if r.all_ok else 'no ' + str(r.statuses)}")
                print("  " + prof.replace("\n", "\n  ").rstrip())
            return 0 if ok else 1
        finally:
            h.flush_ratelimit_store()


def bare_fragment() -> str:
    from bare_app import FRAGMENT

    return FRAGMENT


if __name__ == "__main__":
    sys.exit(main())
