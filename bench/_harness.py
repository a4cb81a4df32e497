"""Shared by bench/check_load.py and bench/slow_network.py: a throw-away PostgreSQL database migrated and
seeded with the demo data, gunicorn started as in production (``gunicorn -c gunicorn.conf.py wsgi:app``),
and a tiny cookie-keeping HTTP client that logs in through the real form.

Nothing here installs anything; every process it starts is ended by its own id (and its process group,
which it created) when the ``with`` block ends, and the database is dropped.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
DEMO_PASSWORD = "demo-pass-2021!"  # published demo password (README)  # noqa: S105  # nosec B105
PROGRAM_NOW = "2021-06-01T10:00:00+09:00"
RATELIMIT_URI = "redis://127.0.0.1:6379/14"
SESSION_COOKIE = "dxapp_session"


def say(*args) -> None:
    print(*args, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------------------------------- database

@contextlib.contextmanager
def bench_database(name: str) -> Iterator[str]:
    """A fresh database ``name`` (dropped first if a previous run left it); dropped again at the end."""
    import psycopg

    def admin(sql: str) -> None:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(sql)

    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{name}"')
    try:
        yield PG_URL.format(name=name)
    finally:
        try:
            admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except Exception as exc:  # noqa: BLE001  (report, keep cleaning up)
            say(f"could not drop database {name}: {exc}")


def flush_ratelimit_store() -> None:
    """The bench's own Redis database (14): no counters from an earlier run may refuse a login."""
    import redis

    redis.Redis.from_url(RATELIMIT_URI).flushdb()


# ------------------------------------------------------------------------------------------- the app

def app_env(database_url: str, workdir: Path, **extra: str) -> dict:
    """The environment of a production run (DXAPP_CONFIG unset = production config)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DXAPP_", "FLASK_", "GUNICORN_"))}
    env.update({
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_hex(32),
        "DXAPP_NOW": PROGRAM_NOW,
        "RATELIMIT_STORAGE_URI": RATELIMIT_URI,
        "SESSION_COOKIE_SECURE": "0",
        "MAIL_DIR": str(workdir / "mail"),
        "UPLOAD_DIR": str(workdir / "uploads"),
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    env.update(extra)
    return env


def flask(env: dict, *args: str) -> str:
    r = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env, capture_output=True,
                       text=True, timeout=300, check=False)
    if r.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return r.stdout


def migrate_and_seed(env: dict) -> None:
    flask(env, "db", "upgrade")
    flask(env, "seed-demo")


def check_translations() -> None:
    missing = [p for p in ("ja", "en") if not (ROOT / f"dxapp/translations/{p}/LC_MESSAGES/messages.mo").is_file()]
    if missing:
        raise SystemExit(f"compiled translations missing ({', '.join(missing)}): run `make translations` first")


@dataclass
class Server:
    name: str
    url: str
    proc: subprocess.Popen
    log_path: Path
    _log: object = field(repr=False, default=None)

    def log_size(self) -> int:
        return self.log_path.stat().st_size

    def statuses_since(self, offset: int) -> dict[str, int]:
        """Status codes in gunicorn's access log written after ``offset`` (the default format puts the
        status right after the quoted request line)."""
        counts: dict[str, int] = {}
        with self.log_path.open("rb") as fh:
            fh.seek(offset)
            for line in fh:
                parts = line.split(b'" ', 1)
                if len(parts) == 2 and parts[0].count(b'"') == 1:
                    code = parts[1].split(b" ", 1)[0].decode(errors="replace")
                    if code.isdigit():
                        counts[code] = counts.get(code, 0) + 1
        return counts


@contextlib.contextmanager
def gunicorn(name: str, app_spec: str, env: dict, workdir: Path, *, workers: int = 2,
             extra_args: tuple[str, ...] = ()) -> Iterator[Server]:
    """``gunicorn -c gunicorn.conf.py APP`` with GUNICORN_WORKERS and GUNICORN_BIND on a free port; its
    output (access log included, as in production) goes to a file under ``workdir``."""
    port = free_port()
    env = {**env, "GUNICORN_WORKERS": str(workers), "GUNICORN_BIND": f"127.0.0.1:{port}"}
    log_path = workdir / f"gunicorn-{name}.log"
    log = log_path.open("wb")
    proc = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", *extra_args, app_spec], cwd=ROOT,
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(name, f"http://127.0.0.1:{port}", proc, log_path, log)
    try:
        _wait_until_up(server)
        yield server
    finally:
        stop(proc)
        log.close()


def _wait_until_up(server: Server, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    host, port = urlsplit(server.url).hostname, urlsplit(server.url).port
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise SystemExit(f"gunicorn ({server.name}) exited with {server.proc.returncode}:\n"
                             + server.log_path.read_text(errors="replace")[-3000:])
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"gunicorn ({server.name}) did not start listening within {timeout} s")


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM to the gunicorn master we started (it stops its workers), then SIGKILL to the process
    group it leads (start_new_session) if anything is left."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


@contextlib.contextmanager
def workdir(prefix: str) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


# ------------------------------------------------------------------------------------------- HTTP client

class Page(HTMLParser):
    """Inputs of a page: the CSRF token, the draft version and the form actions."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.inputs: list[dict] = []
        self.forms: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "input":
            self.inputs.append(a)
        elif tag == "form":
            self.forms.append(a.get("action", ""))

    def value(self, name: str) -> str:
        for a in self.inputs:
            if a.get("name") == name:
                return a.get("value", "")
        raise KeyError(f"no input named {name!r} on the page")


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class Client:
    """One keep-alive connection; keeps cookies; never follows redirects."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)

    def request(self, method: str, path: str, data: dict | None = None, headers: dict | None = None) -> Response:
        h = {"Accept-Encoding": "identity", **(headers or {})}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data).encode()
            h["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=h)
        r = self.conn.getresponse()
        payload = r.read()
        for value in r.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(value)
            for key, morsel in jar.items():
                if morsel["max-age"] == "0" or (morsel["expires"] and "1970" in morsel["expires"]):
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = morsel.value
        return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, payload)

    def get(self, path: str, headers: dict | None = None) -> Response:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, data: dict, headers: dict | None = None) -> Response:
        return self.request("POST", path, data=data, headers=headers)

    def close(self) -> None:
        self.conn.close()


def log_in(client: Client, email: str, password: str = DEMO_PASSWORD) -> None:
    """Through the real login form: GET it, take its CSRF token, POST, expect 303."""
    page = client.get("/account/login")
    if page.status != 200:
        raise SystemExit(f"GET /account/login answered {page.status}")
    token = Page(page.text).value("csrf_token")
    r = client.post("/account/login", {"csrf_token": token, "email": email, "password": password})
    if r.status != 303:
        raise SystemExit(f"login as {email} failed: {r.status} {r.text[:500]}")


def answer_step(client: Client, slug: str, values: dict, base: str = "/sme/register") -> Response:
    """GET the step, POST it with its CSRF token and draft version (a plain form POST); expect a redirect."""
    page = client.get(f"{base}/{slug}")
    if page.status != 200:
        raise SystemExit(f"GET {base}/{slug} answered {page.status} (Location: {page.headers.get('location')})")
    p = Page(page.text)
    data = {"csrf_token": p.value("csrf_token"), "draft_version": p.value("draft_version"), **values}
    r = client.post(f"{base}/{slug}", data)
    if r.status not in (302, 303):
        raise SystemExit(f"POST {base}/{slug} answered {r.status}: {r.text[:800]}")
    return r


def fresh_sme_account(env: dict, email: str, name: str) -> None:
    """A new SME account made directly with dxapp.services.accounts (as the sign-up wizard would),
    e-mail verified and consented to the terms in force."""
    code = f"""
from dxapp import clock, create_app
from dxapp.extensions import db
from dxapp.services import accounts, passwords, terms
app = create_app()
with app.app_context():
    user = accounts.sign_up(role="sme", name={name!r}, email={email!r},
                            password_hash=passwords.hash_password({DEMO_PASSWORD!r}),
                            consented_version_ids=[v.id for v in terms.current_versions()])
    assert user is not None, "address already registered"
    user.email_verified_at = clock.wall_now()
    db.session.commit()
"""
    r = subprocess.run([str(BIN / "python"), "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                       timeout=120, check=False)
    if r.returncode != 0:
        raise SystemExit(f"could not create {email}:\n{r.stderr[-3000:]}")


# ------------------------------------------------------------------------------------------- answers
# Valid answers per step: the same data the functional tests use.
sys.path.insert(0, str(ROOT))
from tests.fixtures.sme_answers import (  # noqa: E402,F401
    ADDRESS,
    ANSWERS,
    DECLARATION,
    DETAILS,
    EXCLUSIONS,
    SIZE,
    TYPE,
)

STEPS_BEFORE_SIZE = (("business-type", TYPE), ("business-details", DETAILS), ("address", ADDRESS))


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def machine_load(before: str) -> str:
    """CPUs and the load average before and after the run: another busy process on the machine (a test
    suite, a browser) takes CPU from the server and the load generator and skews every number."""
    return f"{os.cpu_count()} CPUs; load average (1/5/15 min) {before} at the start, {load_average()} at the end"
