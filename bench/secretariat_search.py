"""Secretariat review queues and search under a realistic volume (issue 6, "Benchmark").

    .venv/bin/python bench/secretariat_search.py     [--count 20000] [--repeat 30]

What it does, in one run:
1. creates the PostgreSQL database ``dxapp_bench_review`` on 127.0.0.1:5432 (dropped first if left
   over), runs ``flask db upgrade`` (migration 0008 creates pg_trgm and the trigram indexes) and
   ``flask seed-demo`` on it (DATABASE_URL set, production config);
2. bulk-inserts ``--count`` applications of every kind (55 % SME, 30 % IT experts, 10 % supporter
   corporations, 5 % change requests of approved registrations) with their accounts and organisations:
   Japanese names and furigana, valid corporate numbers (check digit), phone numbers, addresses in the
   47 prefectures, bank accounts, submission dates from 2021-05-24 to 2021-10-31 and the statuses spread
   as in a busy review period; the searchable columns are filled by the same extractors the app uses
   (dxapp/rules/review.py), then ``ANALYZE``;
3. starts ``gunicorn -c gunicorn.conf.py wsgi:app`` (2 workers, production config, Redis database 14 for
   the rate limiter) and logs in as desk@demo.example through the real forms, password then TOTP;
4. over real HTTP (one keep-alive connection, requests one after another, as a clerk works), fetches each
   page ``--repeat`` times with varying values: the dashboard, the SME queue (first page, a status, a
   status and a prefecture, a deep page), the expert queue by date range, the change requests, and
   searches by name (kanji), furigana (hiragana), partial corporate number, e-mail and reference number,
   plus the detail page with its fraud signals; every answer must be a 200 that lists what was searched;
5. prints p50/p95 per page and whether the target holds (p95 <= 300 ms for every page);
6. stops the server and drops the database (also on errors).

Exit code: 0 target met, 1 target missed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h  # noqa: E402

from dxapp.rules.review import PREFECTURES  # noqa: E402  (the 47 prefectures)

DB_NAME = "dxapp_bench_review"
TARGET_P95_MS = 300.0
DEMO_TOTP_SECRET = "DXAPPDEMOTOTPSECRETKEYFORSTAFFAA"  # published demo secret (README)  # noqa: S105  # nosec B105

SURNAMES = (("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"), ("伊藤", "イトウ"),
            ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"), ("小林", "コバヤシ"), ("加藤", "カトウ"),
            ("吉田", "ヨシダ"), ("山田", "ヤマダ"), ("佐々木", "ササキ"), ("山口", "ヤマグチ"), ("松本", "マツモト"),
            ("井上", "イノウエ"), ("木村", "キムラ"), ("林", "ハヤシ"), ("斎藤", "サイトウ"), ("清水", "シミズ"),
            ("山崎", "ヤマザキ"), ("森", "モリ"), ("池田", "イケダ"), ("橋本", "ハシモト"), ("阿部", "アベ"),
            ("石川", "イシカワ"), ("山下", "ヤマシタ"), ("中島", "ナカジマ"), ("石井", "イシイ"), ("小川", "オガワ"))
GIVEN = (("一郎", "イチロウ"), ("健", "ケン"), ("誠", "マコト"), ("大輔", "ダイスケ"), ("翔太", "ショウタ"),
         ("花子", "ハナコ"), ("陽子", "ヨウコ"), ("美咲", "ミサキ"), ("由美", "ユミ"), ("恵", "メグミ"),
         ("浩", "ヒロシ"), ("直樹", "ナオキ"), ("里美", "サトミ"), ("拓也", "タクヤ"), ("優子", "ユウコ"))
TRADES = (("商店", "ショウテン"), ("製作所", "セイサクショ"), ("工務店", "コウムテン"), ("物流", "ブツリュウ"),
          ("食品", "ショクヒン"), ("印刷", "インサツ"), ("建設", "ケンセツ"), ("電機", "デンキ"), ("旅館", "リョカン"),
          ("デザイン", "デザイン"), ("システム", "システム"), ("不動産", "フドウサン"))
FORMS = (("株式会社", "カブシキガイシャ"), ("有限会社", "ユウゲンガイシャ"), ("合同会社", "ゴウドウガイシャ"))
STATUSES = (("submitted", 30), ("under_review", 15), ("returned", 8), ("resubmitted", 7), ("approved", 30),
            ("rejected", 5), ("withdrawn", 5))
KIND_SHARE = (("sme", 55), ("expert", 30), ("supporter", 10), ("change", 5))


# ------------------------------------------------------------------------------------------- seeding

def corporate_number(rng: random.Random) -> str:
    from dxapp.rules.normalize import corporate_number_check_digit

    base = f"{rng.randrange(10**12):012d}"
    return f"{corporate_number_check_digit(base)}{base}"


def _steps(**slugs) -> dict:
    return {"steps": {slug.replace("_", "-"): {"raw": {k: [str(v)] for k, v in data.items()}, "data": data}
                      for slug, data in slugs.items()}}


def _person(rng):
    (sur, sur_kana), (giv, giv_kana) = rng.choice(SURNAMES), rng.choice(GIVEN)
    return f"{sur} {giv}", f"{sur_kana} {giv_kana}"


def _address(rng):
    return {"postal_code": f"{rng.randrange(10**7):07d}", "prefecture": rng.choice(PREFECTURES),
            "city": f"{rng.choice(SURNAMES)[0]}市", "street": f"本町{rng.randint(1, 9)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}",
            "building": ""}


def _phone(rng) -> str:
    return f"+81{rng.choice('3456789')}{rng.randrange(10**8):08d}"


def _bank(rng) -> dict:
    return {"bank_code": f"{rng.randrange(1, 2000):04d}", "branch_code": f"{rng.randrange(1, 999):03d}",
            "account_type": "ordinary", "account_number": f"{rng.randrange(10**7):07d}", "account_owner": "personal"}


def answers_for(kind: str, rng: random.Random, n: int) -> dict:
    if kind == "sme":
        (form, form_kana), (sur, sur_kana), (trade, trade_kana) = rng.choice(FORMS), rng.choice(SURNAMES), rng.choice(TRADES)
        person, _kana = _person(rng)
        return _steps(
            business_type={"legal_form": "company", "industry": "retail"},
            business_details={"name": f"{form}{sur}{trade}{n}", "name_kana": f"{form_kana}{sur_kana}{trade_kana}",
                              "corporate_number": corporate_number(rng), "representative_name": person,
                              "representative_kana": _kana, "representative_title": "代表取締役"},
            address={**_address(rng), "phone": _phone(rng), "contact_email": f"sme{n}@example.jp"})
    if kind == "expert":
        name, kana = _person(rng)
        born = f"{rng.randint(1950, 1999)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        return _steps(participation={"participation": "freelance"},
                      person={"name": name, "name_kana": kana, "birth_date": born, **_address(rng),
                              "phone": _phone(rng), "email": f"expert{n}@example.jp"},
                      bank=_bank(rng))
    (sur, sur_kana), (trade, trade_kana) = rng.choice(SURNAMES), rng.choice(TRADES)
    person, _kana = _person(rng)
    return _steps(corporation={"corporate_number": corporate_number(rng), "name": f"株式会社{sur}{trade}サポート{n}",
                               "name_kana": f"カブシキガイシャ{sur_kana}{trade_kana}サポート",
                               "representative_name": person, **_address(rng), "phone": _phone(rng)},
                  bank=_bank(rng))


def seed(count: int) -> None:
    """Runs inside ``python bench/secretariat_search.py --seed N`` with the app's environment."""
    import secrets as _secrets
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import insert, select, text

    from dxapp import clock, create_app
    from dxapp.extensions import db
    from dxapp.models import Application, ApplicationEvent, Organisation, User
    from dxapp.rules import review

    rng = random.Random(20210524)  # noqa: S311  (test data, not security)
    app = create_app()
    start = datetime(2021, 5, 24, 1, 0, tzinfo=UTC)
    span = (datetime(2021, 10, 31, 14, 0, tzinfo=UTC) - start).total_seconds()
    statuses = [s for s, w in STATUSES for _ in range(w)]
    kinds = [k for k, w in KIND_SHARE for _ in range(w)]
    with app.app_context():
        clerk_id = db.session.scalar(select(User.id).where(User.email == "desk@demo.example"))
        taken = set(db.session.scalars(select(Application.reference)))
        now = clock.wall_now()
        plan = [rng.choice(kinds) for _ in range(count)]
        owners = [("supporter" if k == "supporter" else "sme" if k in ("sme", "change") else "expert") for k in plan]
        org_rows = [{"kind": o, "name": None, "created_at": now} for o in owners if o != "expert"]
        org_ids = list(db.session.scalars(insert(Organisation).returning(Organisation.id, sort_by_parameter_order=True), org_rows))
        org_iter = iter(org_ids)
        user_rows, user_orgs = [], []
        for n, owner in enumerate(owners):
            org = None if owner == "expert" else next(org_iter)
            user_orgs.append(org)
            user_rows.append({"email": f"bench{n}@example.jp", "name": f"利用者{n}",
                              "role": {"sme": "sme", "expert": "expert", "supporter": "supporter_admin"}[owner],
                              "password_hash": "x", "organisation_id": org, "session_token": _secrets.token_hex(16),
                              "totp_last_counter": 0, "active": True, "created_at": now,
                              "email_verified_at": now})
        user_ids = list(db.session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), user_rows))
        rows, approved_smes = [], []
        for n, kind in enumerate(plan):
            real = "sme" if kind == "change" else kind
            answers = answers_for(real, rng, n)
            status = rng.choice(statuses)
            if kind != "change" and real == "sme" and status == "approved":
                approved_smes.append(n)
            submitted = start + timedelta(seconds=rng.random() * span)
            fields = review.fields_for(real, answers, fallback_email=f"bench{n}@example.jp").as_dict()
            reference = f"{'CES'['sme expert supporter'.split().index(real)]}{80000000 + n}"
            if reference in taken:
                raise SystemExit(f"reference {reference} exists already: run again")
            rows.append({"kind": real, "reference": reference,
                         "user_id": user_ids[n], "organisation_id": user_orgs[n], "status": status, "answers": answers,
                         "decision": {"outcome": "eligible", "reasons": []}, "flags": {}, "version": 1,
                         "change_of_id": None, "created_at": submitted, "submitted_at": submitted,
                         "updated_at": submitted, "holder_id": clerk_id if status == "under_review" else None,
                         **fields})
        # Change requests point at an approved SME registration of another row (same shape of data).
        change_rows = [i for i, k in enumerate(plan) if k == "change"]
        ids = list(db.session.scalars(insert(Application).returning(Application.id, sort_by_parameter_order=True),
                                      [r for i, r in enumerate(rows) if plan[i] != "change"]))
        by_row = dict(zip([i for i, k in enumerate(plan) if k != "change"], ids, strict=True))
        for i in change_rows:
            target = rng.choice(approved_smes) if approved_smes else None
            rows[i]["change_of_id"] = by_row.get(target)
        if change_rows:
            ids += list(db.session.scalars(insert(Application).returning(Application.id, sort_by_parameter_order=True), [rows[i] for i in change_rows]))
        order = [i for i, k in enumerate(plan) if k != "change"] + change_rows
        db.session.execute(insert(ApplicationEvent), [
            {"application_id": app_id, "at": rows[i]["submitted_at"], "from_status": "draft", "to_status": "submitted",
             "actor_id": None} for app_id, i in zip(ids, order, strict=True)])
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        print(f"seeded {len(ids)} applications", flush=True)


# ------------------------------------------------------------------------------------------- measuring

def log_in_staff(client: h.Client, email: str) -> None:
    import pyotp

    h.log_in(client, email)
    page = client.get("/account/login/code")
    token = h.Page(page.text).value("csrf_token")
    r = client.post("/account/login/code", {"csrf_token": token, "code": pyotp.TOTP(DEMO_TOTP_SECRET).now()})
    if r.status != 303:
        raise SystemExit(f"TOTP step for {email} failed: {r.status} {r.text[:500]}")


def sample_values(env: dict) -> dict:
    """Values that exist in the data: names, furigana, corporate numbers, e-mails, references, ids."""
    code = """
import json
from sqlalchemy import select
from dxapp import create_app
from dxapp.extensions import db
from dxapp.models import Application
app = create_app()
with app.app_context():
    rows = db.session.execute(select(Application.id, Application.reference, Application.corporate_number,
                                     Application.email, Application.kind).order_by(Application.id)).all()
    print(json.dumps([list(r) for r in rows[::97]]))
"""
    import json

    r = subprocess.run([str(h.BIN / "python"), "-c", code], cwd=h.ROOT, env=env, capture_output=True, text=True,
                       timeout=300, check=False)
    if r.returncode != 0:
        raise SystemExit(f"could not read sample values:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def scenarios(samples, rng) -> dict:
    """name -> function(i) -> (path, text that must be on the page or None)."""
    numbers = [s for s in samples if s[2]]
    emails = [s for s in samples if s[3]]
    hiragana = {kana: "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in kana) for _s, kana in SURNAMES}

    def q(path, **args):
        return f"{path}?{urlencode(args)}" if args else path

    def pick(seq, i):
        return seq[i % len(seq)]

    return {
        "dashboard": lambda i: ("/secretariat/", None),
        "SME queue, first page": lambda i: (q("/secretariat/review/sme"), None),
        "SME queue, one status": lambda i: (q("/secretariat/review/sme", status=pick(["submitted", "resubmitted", "under_review"], i)), None),
        "SME queue, status + prefecture": lambda i: (q("/secretariat/review/sme", status="submitted", prefecture=pick(PREFECTURES, i)), None),
        "SME queue, page 80": lambda i: (q("/secretariat/review/sme", page=80 + i % 5), None),
        "expert queue, date range": lambda i: (q("/secretariat/review/experts", **{"from": f"2021-0{6 + i % 4}-01", "to": f"2021-0{6 + i % 4}-15"}), None),
        "change requests": lambda i: (q("/secretariat/review/changes", kind="sme"), None),
        "search: name (kanji)": lambda i: (q("/secretariat/review/sme", q=pick(SURNAMES, i)[0] + pick(TRADES, i)[0]), None),
        "search: furigana (hiragana)": lambda i: (q("/secretariat/review/sme", q=hiragana[pick(SURNAMES, i)[1]]), None),
        "search: expert furigana": lambda i: (q("/secretariat/review/experts", q=pick(SURNAMES, i)[1] + pick(GIVEN, i)[1]), None),
        "search: partial corporate number": lambda i: (
            q(f"/secretariat/review/{ {'sme': 'sme', 'supporter': 'supporters'}.get(pick(numbers, i)[4], 'sme') }",
              q=pick(numbers, i)[2][3:9]), pick(numbers, i)[1]),
        "search: e-mail": lambda i: (
            q(f"/secretariat/review/{ {'sme': 'sme', 'expert': 'experts', 'supporter': 'supporters'}[pick(emails, i)[4]] }",
              q=pick(emails, i)[3].split("@")[0] + "@"), None),
        "search: reference number": lambda i: (
            q(f"/secretariat/review/{ {'sme': 'sme', 'expert': 'experts', 'supporter': 'supporters'}[pick(samples, i)[4]] }",
              q=pick(samples, i)[1]), pick(samples, i)[1]),
        "detail with fraud signals": lambda i: (f"/secretariat/review/applications/{pick(samples, i)[0]}", pick(samples, i)[1]),
    }


def decoded(r: h.Response) -> str:
    import gzip
    import zlib

    import brotli

    encoding = r.headers.get("content-encoding", "identity")
    body = {"gzip": gzip.decompress, "br": brotli.decompress, "deflate": zlib.decompress}.get(
        encoding, lambda b: b)(r.body)
    return body.decode("utf-8", errors="replace")


def measure(client: h.Client, make, repeat: int) -> list[float]:
    times = []
    for i in range(repeat):
        path, must = make(i)
        t0 = time.perf_counter()
        r = client.get(path, headers={"Accept-Encoding": "gzip, deflate, br"})  # as a browser over HTTPS
        times.append((time.perf_counter() - t0) * 1000)
        if r.status != 200:
            raise SystemExit(f"GET {path} answered {r.status}")
        if must and must not in decoded(r):
            raise SystemExit(f"GET {path}: {must} not on the page")
    return times


def pct(values, p) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed is not None:
        seed(args.seed)
        return 0
    h.check_translations()
    before = h.load_average()
    rng = random.Random(7)  # noqa: S311
    with h.workdir("dxapp-bench-review-") as work, h.bench_database(DB_NAME) as url:
        env = h.app_env(url, work)
        h.say("migrating and seeding the demo data ...")
        h.migrate_and_seed(env)
        h.say(f"bulk-inserting {args.count} applications ...")
        t0 = time.perf_counter()
        r = subprocess.run([str(h.BIN / "python"), __file__, "--seed", str(args.count)], cwd=h.ROOT, env=env,
                           capture_output=True, text=True, timeout=1800, check=False)
        if r.returncode != 0:
            raise SystemExit(f"seeding failed:\n{r.stdout[-2000:]}\n{r.stderr[-4000:]}")
        h.say(f"{r.stdout.strip()} in {time.perf_counter() - t0:.1f} s")
        samples = sample_values(env)
        h.flush_ratelimit_store()
        with h.gunicorn("dxapp", "wsgi:app", env, work) as server:
            client = h.Client(server.url)
            log_in_staff(client, "desk@demo.example")
            results = {}
            for name, make in scenarios(samples, rng).items():
                measure(client, make, 5)  # warm-up: each worker's first request, caches
                results[name] = measure(client, make, args.repeat)
            client.close()
    print(f"Secretariat review pages over HTTP against gunicorn (2 workers, PostgreSQL), {args.count} applications, "
          f"{args.repeat} requests per page, one clerk's keep-alive connection")
    print(f"{'page':36} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    worst = 0.0
    for name, times in results.items():
        p95 = pct(times, 95)
        worst = max(worst, p95)
        print(f"{name:36} {statistics.median(times):8.1f} {p95:8.1f} {max(times):8.1f}"
              f"{'  FAIL' if p95 > TARGET_P95_MS else ''}")
    ok = worst <= TARGET_P95_MS
    print(f"target p95 <= {TARGET_P95_MS:.0f} ms on every page: {'PASS' if ok else 'FAIL'} (worst p95 {worst:.1f} ms)")
    print(h.machine_load(before))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
