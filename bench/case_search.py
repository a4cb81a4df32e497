"""The experts' case search under a realistic volume (issue 12, "Demo data, tests, numbers").

    .venv/bin/python bench/case_search.py     [--cases 20000] [--experts 5000] [--repeat 30]

The PostgreSQL server is the benches' own (bench/_harness.py: postgres@127.0.0.1:5432); set
``BENCH_PG_ADMIN_URL`` (a libpq URL of a database to connect to for CREATE/DROP DATABASE, e.g.
``postgresql://postgres@127.0.0.1:5432/postgres``) to use another one.

What it does, in one run:
1. creates the database ``dxapp_bench_cases`` (dropped first if left over), runs ``flask db upgrade``
   (migration 0014 adds the cases' search key and its trigram index) and ``flask seed-demo`` on it
   (production config; the demo expert is approved and has saved searches);
2. bulk-inserts ``--experts`` approved IT experts (accounts, approved registrations, listed profiles with
   areas) and ``--cases`` published consultation cases from 2,000 approved SMEs (Japanese themes,
   goals and situations, 1-3 support areas, every kind and mode, the 47 prefectures, proposal deadlines
   from today to the end of the contract window), plus 10 % more in other states (hidden, withdrawn,
   closed early, matched, past their deadline) that the search must leave out; the search key is the
   app's own (dxapp.rules.case_search.search_key); then ``ANALYZE``;
3. starts ``gunicorn -c gunicorn.conf.py wsgi:app`` (2 workers, production config) and logs in as
   expert@demo.example through the real form;
4. over real HTTP (one keep-alive connection, ``Accept-Encoding: gzip``), fetches each search
   ``--repeat`` times with varying values: no filter, each filter alone (area, prefecture, mode, kind,
   deadline passed too, newest first), all filters combined, free text (kanji, hiragana for katakana
   words, two words, text with filters), page 50, the htmx results fragment and the case detail; every
   answer must be a 200;
5. prints p50/p95/max and the largest compressed page per search, and whether the targets hold: p95 <=
   100 ms and every page <= 14 KB compressed;
6. stops the server and drops the database (also on errors).

Exit code: 0 targets met, 1 a target missed.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h  # noqa: E402

DB_NAME = "dxapp_bench_cases"
TARGET_P95_MS = 100.0
PAGE_BUDGET = 14 * 1024
SMES = 2000

if os.environ.get("BENCH_PG_ADMIN_URL"):
    h.PG_ADMIN = os.environ["BENCH_PG_ADMIN_URL"]
    h.PG_URL = h.PG_ADMIN.replace("postgresql://", "postgresql+psycopg://", 1).rsplit("/", 1)[0] + "/{name}"

PREFECTURES = ("北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県",
               "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県",
               "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県",
               "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県",
               "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県")
AREAS = ("telework", "web_meetings", "ec_sites", "cashless", "security", "rpa", "cloud_accounting",
         "online_events", "crowdfunding", "it_subsidy", "other")
KINDS = ("support_wanted", "proposals_wanted", "no_proposals")
MODES = ("online", "onsite", "either")
# (theme, goal, situation) fragments, combined at random: Japanese as SMEs write it, with katakana words
# that the expert may type in hiragana.
THEMES = ("ネットショップを始めたい", "在庫管理をクラウド化したい", "キャッシュレス決済を導入したい", "テレワーク環境を整えたい",
          "ホームページを作り直したい", "受発注をRPAで自動化したい", "セキュリティ対策を見直したい", "会計ソフトを導入したい",
          "オンライン商談を始めたい", "予約システムを入れたい", "顧客管理を一元化したい", "勤怠管理を電子化したい")
GOALS = ("売上を伸ばしたい", "事務作業の時間を半分にしたい", "若い顧客を増やしたい", "遠方の取引先と商談したい",
         "紙の帳簿をやめたい", "情報漏えいを防ぎたい", "従業員が自宅でも働けるようにしたい", "補助金を活用したい")
SITUATIONS = ("現在は手書きの台帳で管理しています。", "エクセルと紙が混在しています。", "パソコンは2台だけです。",
              "ホームページはありますが更新していません。", "電話とFAXで受注しています。", "現金のみの支払いです。",
              "従業員は10名で、ITに詳しい人はいません。", "POSレジは導入済みです。")
PLACES = ("本店", "工場", "事務所", "店舗")
INDUSTRIES = ("retail", "manufacturing", "construction", "food_service", "services", "wholesale")
SIZE_BANDS = ("1-5", "6-20", "21-50", "51-100", "101-300")


# ------------------------------------------------------------------------------------------- seeding

def seed(cases: int, experts: int) -> None:
    """Runs inside ``python bench/case_search.py --seed-cases N --seed-experts M`` with the app's environment."""
    import secrets as _secrets
    from datetime import UTC, date, datetime, timedelta

    from sqlalchemy import insert, text

    from dxapp import clock, create_app
    from dxapp.extensions import db
    from dxapp.models import (
        Application,
        ConsultationCase,
        ConsultationCaseArea,
        ExpertProfile,
        ExpertProfileArea,
        Organisation,
        User,
    )
    from dxapp.rules import case_search, references
    from dxapp.rules import cases as case_rules

    rng = random.Random(20210601)  # noqa: S311  (test data, not security)
    app = create_app()
    with app.app_context():
        now = clock.wall_now()
        today = clock.program_today()
        last = date(2021, 11, 30)
        # 5,000 approved IT experts with listed profiles.
        expert_ids = list(db.session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), [
            {"email": f"bench-expert{n}@example.jp", "name": f"専門家{n}", "role": "expert", "password_hash": "x",
             "organisation_id": None, "session_token": _secrets.token_hex(16), "totp_last_counter": 0, "active": True,
             "created_at": now, "email_verified_at": now} for n in range(experts)]))
        app_ids = list(db.session.scalars(insert(Application).returning(Application.id, sort_by_parameter_order=True), [
            {"kind": "expert", "reference": references.mint("expert_application", 70000000 + n), "user_id": uid,
             "organisation_id": None, "status": "approved", "answers": {}, "decision": {"outcome": "eligible"},
             "flags": {}, "version": 3, "created_at": now, "submitted_at": now, "updated_at": now}
            for n, uid in enumerate(expert_ids)]))
        profile_ids = list(db.session.scalars(insert(ExpertProfile).returning(ExpertProfile.id, sort_by_parameter_order=True), [
            {"user_id": uid, "application_id": aid, "name": f"専門家{n}", "participation": "freelance",
             "delivery": rng.choice(("online", "onsite", "both")), "hourly_rate": 3000 + 500 * rng.randrange(15),
             "career": "中小企業のIT化を支援しています。", "qualifications": [], "listed": True, "published_at": now,
             "updated_at": now} for n, (uid, aid) in enumerate(zip(expert_ids, app_ids, strict=True))]))
        db.session.execute(insert(ExpertProfileArea), [
            {"profile_id": pid, "area": a} for pid in profile_ids for a in rng.sample(AREAS, rng.randint(1, 3))])
        # 2,000 approved SMEs.
        org_ids = list(db.session.scalars(insert(Organisation).returning(Organisation.id, sort_by_parameter_order=True),
                                          [{"kind": "sme", "name": f"株式会社ベンチ{n}", "created_at": now}
                                           for n in range(SMES)]))
        sme_ids = list(db.session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), [
            {"email": f"bench-sme{n}@example.jp", "name": f"中小企業{n}", "role": "sme", "password_hash": "x",
             "organisation_id": org, "session_token": _secrets.token_hex(16), "totp_last_counter": 0, "active": True,
             "created_at": now, "email_verified_at": now} for n, org in enumerate(org_ids)]))
        # The cases: ``cases`` open ones and 10 % more that the search must leave out.
        extra = cases // 10
        start = datetime(2021, 5, 24, 1, 0, tzinfo=UTC)
        rows, areas_of = [], []
        for n in range(cases + extra):
            theme, goal, situation = rng.choice(THEMES), rng.choice(GOALS), rng.choice(SITUATIONS)
            goals, situations = f"{goal}。{rng.choice(GOALS)}。", f"{situation}{rng.choice(SITUATIONS)}"
            mode = rng.choice(MODES)
            status, hidden = "published", False
            deadline = today + timedelta(days=rng.randrange((last - today).days + 1))
            if n >= cases:  # the ones never found by default
                status, hidden, deadline = rng.choice((
                    ("published", True, deadline), ("withdrawn", False, deadline), ("closed", False, deadline),
                    ("matched", False, deadline), ("published", False, today - timedelta(days=rng.randint(1, 20)))))
            owner = rng.randrange(SMES)
            rows.append({"reference": case_rules.format_reference(1_000_001 + n), "organisation_id": org_ids[owner],
                         "application_id": None, "created_by_id": sme_ids[owner], "status": status, "hidden": hidden,
                         "kind": rng.choice(KINDS), "title": f"{theme}（{rng.choice(PLACES)}）", "goals": goals,
                         "situation": situations, "half_hours": rng.randint(2, 60), "period_months": rng.randint(1, 6),
                         "mode": mode, "prefecture": rng.choice(PREFECTURES) if mode != "online" or rng.random() < 0.5 else None,
                         "place": None, "deadline": deadline, "industry": rng.choice(INDUSTRIES),
                         "size_band": rng.choice(SIZE_BANDS), "version": 2, "created_at": now,
                         "published_at": start + timedelta(seconds=rng.randrange(86400 * 7)), "updated_at": now,
                         "search_text": case_search.search_key(" ".join((f"{theme}（x）", goals, situations)))})
            areas_of.append(rng.sample(AREAS, rng.randint(1, 3)))
        case_ids = []
        for chunk in range(0, len(rows), 5000):
            case_ids += list(db.session.scalars(insert(ConsultationCase).returning(ConsultationCase.id,
                                                                                   sort_by_parameter_order=True),
                                                rows[chunk:chunk + 5000]))
        db.session.execute(insert(ConsultationCaseArea), [
            {"case_id": cid, "area": a} for cid, areas in zip(case_ids, areas_of, strict=True) for a in areas])
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        print(f"seeded {experts} experts, {len(case_ids)} cases ({cases} open)", flush=True)


# ------------------------------------------------------------------------------------------- measuring

def sample_references(env: dict) -> list[str]:
    code = """
import json
from sqlalchemy import select
from dxapp import create_app
from dxapp.extensions import db
from dxapp.models import ConsultationCase
app = create_app()
with app.app_context():
    refs = list(db.session.scalars(select(ConsultationCase.reference).where(
        ConsultationCase.status == "published", ConsultationCase.hidden.is_(False)).order_by(ConsultationCase.id)))
    print(json.dumps(refs[::211]))
"""
    import json

    r = subprocess.run([str(h.BIN / "python"), "-c", code], cwd=h.ROOT, env=env, capture_output=True, text=True,
                       timeout=300, check=False)
    if r.returncode != 0:
        raise SystemExit(f"could not read sample references:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def hiragana(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


HTMX = {"HX-Request": "true", "HX-Request-Type": "partial", "HX-Target": "results"}


def scenarios(refs: list[str]) -> dict:
    """name -> function(i) -> (path, headers or None)."""

    def q(**args):
        return "/expert/cases" + (f"?{urlencode(args)}" if args else "")

    def pick(seq, i):
        return seq[i % len(seq)]

    katakana_words = ("ネットショップ", "クラウド", "キャッシュレス", "テレワーク", "ホームページ", "セキュリティ", "システム")
    kanji_words = ("在庫管理", "売上", "帳簿", "商談", "勤怠管理", "補助金", "手書き")
    return {
        "no filter (deadline order)": lambda i: (q(), None),
        "area": lambda i: (q(area=pick(AREAS, i)), None),
        "prefecture": lambda i: (q(prefecture=pick(PREFECTURES, i)), None),
        "mode": lambda i: (q(mode=pick(MODES, i)), None),
        "kind": lambda i: (q(kind=pick(KINDS, i)), None),
        "deadline passed too": lambda i: (q(closed="1"), None),
        "newest first": lambda i: (q(sort="newest"), None),
        "all filters combined": lambda i: (q(area=pick(AREAS, i), prefecture=pick(PREFECTURES, i * 7),
                                             mode=pick(MODES, i), kind=pick(KINDS, i)), None),
        "free text: kanji": lambda i: (q(q=pick(kanji_words, i)), None),
        "free text: hiragana for katakana": lambda i: (q(q=hiragana(pick(katakana_words, i))), None),
        "free text: two words": lambda i: (q(q=f"{pick(kanji_words, i)} {hiragana(pick(katakana_words, i + 1))}"), None),
        "free text + area + mode": lambda i: (q(q=pick(kanji_words, i), area=pick(AREAS, i), mode=pick(MODES, i)), None),
        "page 50": lambda i: (q(page=50 + i % 3), None),
        "page 50, newest, area": lambda i: (q(page=50, sort="newest", area=pick(AREAS, i)), None),
        "htmx fragment (area + text)": lambda i: (q(area=pick(AREAS, i), q=hiragana(pick(katakana_words, i))), HTMX),
        "case detail": lambda i: (f"/expert/cases/{pick(refs, i)}", None),
    }


def measure(client: h.Client, make, repeat: int) -> tuple[list[float], int, int]:
    """(times in ms, the largest compressed body, the number of cases shown on the last page)."""
    times, largest, shown = [], 0, 0
    for i in range(repeat):
        path, headers = make(i)
        t0 = time.perf_counter()
        r = client.get(path, headers={"Accept-Encoding": "gzip", **(headers or {})})
        times.append((time.perf_counter() - t0) * 1000)
        if r.status != 200:
            raise SystemExit(f"GET {path} answered {r.status}: {r.body[:300]!r}")
        largest = max(largest, len(r.body))
        import gzip

        body = gzip.decompress(r.body) if r.headers.get("content-encoding") == "gzip" else r.body
        shown = len(re.findall(rb'href="/expert/cases/K\d{8}', body))
    return times, largest, shown


def pct(values, p) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20000)
    parser.add_argument("--experts", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seed-cases", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--seed-experts", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed_cases is not None:
        seed(args.seed_cases, args.seed_experts or 0)
        return 0
    h.check_translations()
    before = h.load_average()
    with h.workdir("dxapp-bench-cases-") as work, h.bench_database(DB_NAME) as url:
        env = h.app_env(url, work)
        h.say("migrating and seeding the demo data ...")
        h.migrate_and_seed(env)
        h.say(f"bulk-inserting {args.experts} experts and {args.cases} cases ...")
        t0 = time.perf_counter()
        r = subprocess.run([str(h.BIN / "python"), __file__, "--seed-cases", str(args.cases),
                            "--seed-experts", str(args.experts)], cwd=h.ROOT, env=env, capture_output=True,
                           text=True, timeout=1800, check=False)
        if r.returncode != 0:
            raise SystemExit(f"seeding failed:\n{r.stdout[-2000:]}\n{r.stderr[-4000:]}")
        h.say(f"{r.stdout.strip()} in {time.perf_counter() - t0:.1f} s")
        refs = sample_references(env)
        h.flush_ratelimit_store()
        with h.gunicorn("dxapp", "wsgi:app", env, work) as server:
            client = h.Client(server.url)
            h.log_in(client, "expert@demo.example")
            results = {}
            for name, make in scenarios(refs).items():
                measure(client, make, 5)  # warm-up: each worker's first request, caches
                results[name] = measure(client, make, args.repeat)
            client.close()
    print(f"Experts' case search over HTTP against gunicorn (2 workers, PostgreSQL), {args.cases} open cases "
          f"(+{args.cases // 10} not shown), {args.experts} experts, {args.repeat} requests per search, "
          "one expert's keep-alive connection, Accept-Encoding: gzip")
    print(f"{'search':36} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'max gzip B':>11} {'shown':>6}")
    failures = 0
    for name, (times, largest, shown) in results.items():
        p95 = pct(times, 95)
        miss = []
        if p95 > TARGET_P95_MS:
            miss.append("SLOW")
        if largest > PAGE_BUDGET:
            miss.append("HEAVY")
        failures += bool(miss)
        print(f"{name:36} {statistics.median(times):8.1f} {p95:8.1f} {max(times):8.1f} {largest:11,} {shown:6}"
              f"{'  ' + ' '.join(miss) if miss else ''}")
    ok = not failures
    print(f"targets p95 <= {TARGET_P95_MS:.0f} ms and every page <= {PAGE_BUDGET // 1024} KB compressed: "
          f"{'PASS' if ok else f'FAIL ({failures} searches missed)'}")
    print(h.machine_load(before))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
