"""The form fuzzer (issue 11 item 23, SECURITY.md "form fuzzing, every form: 0 responses >= 500").

A *world* of accounts is built first (an SME and an expert with a complete draft and with a sent
application, an approved supporter corporation with invitations and a CSV preview, a supporter with a
draft, a desk clerk holding an SME's and an expert's support codes, an administrator, an inquiry), then
each account's pages are crawled from its home page: every ``<form>`` found is a target, with the
fields, hidden values (CSRF token, draft and row versions, submit token) and choices the page offers.
Each target gets ``FUZZ_POSTS`` requests built from a deterministic table of hostile values (NUL,
huge and negative numbers, full-width and Arabic-Indic digits, empty and blank values, very long
strings, lists where one value is expected, missing and unknown fields, invalid UTF-8, a multipart part
without ``name=``), always with the page's valid CSRF token so the form's own validation is reached.
POST routes that no crawled page offers a form for are fuzzed on a URL with dummy ids as the role
their policy names (they answer 404 or 403, and must never answer 500 before that).
"""

from __future__ import annotations

import io
import os
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from werkzeug.datastructures import MultiDict

from tests.fixtures.pages import _Collector


class _FormCollector(_Collector):
    """The page collector plus the buttons that post their form elsewhere (``formaction``)."""

    def __init__(self):
        super().__init__()
        self.formactions: list[tuple[int | None, str, str]] = []

    def handle_starttag(self, tag, attrs):
        super().handle_starttag(tag, attrs)
        a = dict(attrs)
        if tag in ("button", "input") and a.get("formaction"):
            self.formactions.append((self._form, a["formaction"], a.get("formenctype") or ""))


def inspect(html: str) -> _FormCollector:
    c = _FormCollector()
    c.feed(html)
    return c

FUZZ_POSTS = int(os.environ.get("DXAPP_FUZZ_POSTS", "500"))
FUZZ_SEED = int(os.environ.get("DXAPP_FUZZ_SEED", "20211019"))

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
CSV = "氏名,フリガナ,メールアドレス\r\n山田 太郎,ヤマダ タロウ,fuzz-csv@example.jp\r\n".encode()

HOSTILE: list[str] = [
    "", " ", "\u3000", "\t\r\n", "\x00", "a\x00b", "\x00" * 3, "\x01\x1f\x7f", "\u202e\u200b\ufeff",
    "0", "-1", "1", "01", "+1", "1.5", "1e309", "-0", "NaN", "Infinity", "0x10", "1_000",
    "2147483647", "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808",
    "18446744073709551616", "9" * 40, "9" * 400, "9" * 5000, "-" + "9" * 30,
    "１２３４５６", "١٢٣٤٥٦", "۱۲۳۴۵۶", "१२३४५६", "①②③", "Ⅻ", "１２，０００円", "5,000,000,000,000,000,000,000円",
    "元", "令和", "令和" + "9" * 30 + "年", "明治0年", "平成-1年", "13", "32", "99999999999",
    "x" * 10_000, "あ" * 5_000, "𠮷" * 1_000, "🙂" * 300, "ｶﾞｷﾞｸﾞ", "ア" * 101,
    "<script>alert(1)</script>", "\" onmouseover=\"alert(1)", "'; DROP TABLE users; --", "%s%n%x", "{{7*7}}",
    "../../../../etc/passwd", "CON", "a@b", "@", "a" * 64 + "@" + "b" * 250 + ".jp", "x@example.jp\r\nBcc: y@z",
    "on", "y", "yes", "true", "none", "null", "[]", "{}",
]
# Values for file fields: (content, filename).
FILES = [(PDF, "a.pdf"), (PNG, "a.png"), (CSV, "a.csv"), (b"", "empty.pdf"), (b"<html>", "x.html"),
         (PDF, "\x00.pdf"), (PDF, "x" * 1000 + ".pdf"), (PDF, ""), (b"\xff\xfe" * 100, "bom.csv"),
         ("山田,ヤマダ,a@b\r\n".encode("cp932"), "sjis.csv")]


@dataclass
class Target:
    """One form to fuzz: who posts it, where, from which page, and its fields."""

    actor: str
    method: str
    action: str
    page: str
    endpoint: str
    fields: list[dict] = field(default_factory=list)
    multipart: bool = False
    crawled: bool = True

    @property
    def key(self) -> str:
        return f"{self.method} {self.action} as {self.actor}"


def endpoint_of(app, method: str, url: str) -> str | None:
    try:
        endpoint, _args = app.url_map.bind("localhost").match(urlsplit(url).path, method=method)
    except Exception:  # noqa: BLE001  NotFound, MethodNotAllowed, RequestRedirect
        return None
    return endpoint


def form_key(app, target: Target) -> tuple:
    """Forms that are the same form: one endpoint, whatever the ids in its URL or who shows it; the
    steps and sections of a wizard (``slug``, ``key``) are each their own form."""
    try:
        _endpoint, args = app.url_map.bind("localhost").match(urlsplit(target.action).path, method=target.method)
    except Exception:  # noqa: BLE001
        args = {}
    return (target.method, target.endpoint, tuple(sorted((k, v) for k, v in args.items() if k in ("slug", "key"))))


def local(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


SKIP_CRAWL = re.compile(r"^/static/|/download|\.csv$|/documents/\d+$|/logout")


def crawl(app, client, actor: str, starts: list[str], *, limit: int = 120) -> tuple[list[Target], Counter]:
    """Breadth-first over the site's links from ``starts``; the forms found, deduplicated by action."""
    seen, queue, targets, statuses = set(), list(starts), {}, Counter()
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        statuses[response.status_code] += 1
        if response.status_code in (301, 302, 303):
            nxt = local(response.headers.get("Location", ""))
            if nxt and nxt not in seen:
                queue.append(nxt)
            continue
        if response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        for href in re.findall(r'<a\s[^>]*href="([^"#]+)', html):
            nxt = local(href.replace("&amp;", "&"))
            if nxt and not SKIP_CRAWL.search(nxt) and nxt not in seen and "?" not in nxt:
                queue.append(nxt)
        page = inspect(html)
        posts = [(i, form.get("action"), form.get("enctype") or "") for i, form in enumerate(page.forms)]
        posts += [(i, action, enctype) for i, action, enctype in page.formactions if i is not None]
        for index, raw_action, enctype in posts:
            form = page.forms[index]
            method = (form.get("method") or "get").upper()
            action = local((raw_action or url).replace("&amp;", "&")) or url
            action = action.split("?")[0] if method == "GET" else action
            fields = [dict(f) for f in page.inputs if f.get("_form") == index and f.get("name")]
            if method == "GET" and not any(f.get("type") not in ("hidden", "submit") for f in fields):
                continue
            endpoint = endpoint_of(app, method, action)
            if endpoint is None or endpoint == "static":
                continue
            key = (method, action)
            multipart = "multipart" in enctype or "multipart" in (form.get("enctype") or "")
            if key not in targets:
                targets[key] = Target(actor, method, action, url, endpoint, fields, multipart)
    return list(targets.values()), statuses


def defaults(target: Target, rng: random.Random | None = None) -> MultiDict:
    """The values the page would post as it stands: hidden values, typed defaults, the first (or a
    random) choice of each radio group and select, checked boxes."""
    data = MultiDict()
    radios: dict[str, list[str]] = {}
    for f in target.fields:
        name, kind, tag = f["name"], (f.get("type") or "text").lower(), f.get("_tag")
        if kind in ("submit", "button", "file") or tag == "button":
            continue
        if kind == "radio":
            radios.setdefault(name, []).append(f.get("value", "on"))
            continue
        if kind == "checkbox":
            if "checked" in f or (rng and rng.random() < 0.5):
                data.add(name, f.get("value", "y"))
            continue
        if tag == "select":
            data.add(name, "")
            continue
        data.add(name, f.get("value", "") or "")
    for name, values in radios.items():
        data.add(name, rng.choice(values) if rng else values[0])
    return data


def file_fields(target: Target) -> list[str]:
    return [f["name"] for f in target.fields if (f.get("type") or "").lower() == "file"]


def nameless_multipart(data: MultiDict, rng: random.Random) -> tuple[bytes, str]:
    """A multipart body whose parts include one without ``name=`` (a browser never sends it)."""
    boundary = "fuzzboundary" + str(rng.randrange(10**6))
    parts = []
    for key, value in data.items(multi=True):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n')
    bad = rng.choice([
        f"--{boundary}\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n",
        f'--{boundary}\r\nContent-Disposition: form-data; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF\r\n',
        f"--{boundary}\r\nContent-Type: text/plain\r\n\r\nvalue\r\n",
        f'--{boundary}\r\nContent-Disposition: form-data; name=""\r\n\r\nvalue\r\n',
    ])
    parts.insert(rng.randrange(len(parts) + 1), bad)
    body = "".join(parts) + f"--{boundary}--\r\n"
    return body.encode("utf-8", "surrogatepass"), f"multipart/form-data; boundary={boundary}"


PROTECTED = {"csrf_token"}


def mutate(target: Target, rng: random.Random, base: MultiDict) -> dict:
    """One fuzzed request: keyword arguments for ``client.open``."""
    data = MultiDict(base)
    names = [n for n in dict.fromkeys([f["name"] for f in target.fields]) if n not in PROTECTED] or ["x"]
    kind = rng.choices(["field", "all", "drop", "list", "extra", "multipart", "utf8", "token"],
                       weights=[55, 8, 8, 10, 5, 6, 5, 3])[0]
    files = file_fields(target)
    if kind in ("field", "list", "all"):
        chosen = names if kind == "all" else rng.sample(names, k=min(len(names), rng.choice([1, 1, 2, 3])))
        for name in chosen:
            if name in files:
                continue
            if kind == "list":
                data.setlist(name, [rng.choice(HOSTILE) for _ in range(rng.choice([2, 3, 50]))])
            else:
                data.setlist(name, [rng.choice(HOSTILE)])
    elif kind == "drop":
        for name in rng.sample(names, k=rng.randint(1, len(names))):
            data.poplist(name)
    elif kind == "extra":
        data.add(rng.choice(["x", "a\x00b", "steps", "version", "status", "id", "\x00", "名前", "x" * 500]),
                 rng.choice(HOSTILE))
    elif kind == "token":
        data.setlist("csrf_token", [rng.choice(["", "\x00", "トークン", "x" * 5000, data.get("csrf_token", "") + "é"])])
    method = target.method
    if method == "GET":
        return {"method": "GET", "query_string": data}
    if kind == "multipart":
        body, ctype = nameless_multipart(data, rng)
        return {"method": "POST", "data": body, "content_type": ctype}
    if kind == "utf8":
        raw = "&".join(f"{k}={v}" for k, v in [("csrf_token", data.get("csrf_token", ""))]) + "&"
        raw += rng.choice(names) + "=" + rng.choice(["%ff%fe", "%c0%80", "%ed%a0%80", "%e3%81", "%00"])
        return {"method": "POST", "data": raw.encode("ascii"), "content_type": "application/x-www-form-urlencoded"}
    if files or target.multipart:
        payload = {k: data.getlist(k) if len(data.getlist(k)) > 1 else data.get(k) for k in data}
        for name in files:
            if rng.random() < 0.85:
                content, filename = rng.choice(FILES)
                payload[name] = (io.BytesIO(content), filename)
        return {"method": "POST", "data": payload, "content_type": "multipart/form-data"}
    return {"method": "POST", "data": data}


def describe(kwargs: dict) -> str:
    data = kwargs.get("data") if kwargs.get("method") == "POST" else kwargs.get("query_string")
    if isinstance(data, bytes):
        text = data[:300].decode("utf-8", "replace")
    elif isinstance(data, MultiDict):
        text = repr({k: [v[:40] for v in data.getlist(k)] for k in data if k != "csrf_token"})
    else:
        text = repr({k: (v if not isinstance(v, str) else v[:40]) for k, v in (data or {}).items() if k != "csrf_token"})
    return text[:400]


@dataclass
class Result:
    target: Target
    statuses: Counter
    failures: list[tuple[int, str]]


def fuzz(client, target: Target, posts: int, seed: int, refresh) -> Result:
    """``posts`` fuzzed requests on one target; ``refresh()`` re-reads the page's hidden values after a
    request that changed something (a saved step moves the draft's version on)."""
    rng = random.Random(f"{seed}:{target.key}")
    base = refresh(target) or defaults(target, rng)
    statuses, failures = Counter(), []
    for _ in range(posts):
        kwargs = mutate(target, rng, base)
        try:
            response = client.open(target.action, **kwargs)
        except Exception as error:  # noqa: BLE001  raised past the error pages (e.g. inside one): a 500
            statuses[500] += 1
            failures.append((500, f"{type(error).__name__}: {error} <- {describe(kwargs)}"))
            continue
        statuses[response.status_code] += 1
        if response.status_code >= 500:
            failures.append((response.status_code, describe(kwargs)))
        if response.status_code in (302, 303) and target.method == "POST":
            base = refresh(target) or base
        response.close()
    return Result(target, statuses, failures)
