"""Race-free proof of the contract conclusion (issue 13, "Race-free proof"): many second conclusions at
once over real HTTP never reserve more than a limit allows.

    .venv/bin/python bench/conclusion_race.py            [--plans 200] [--fit 50] [--workers 4] [--threads 4]
    .venv/bin/python bench/conclusion_race.py --sqlite   # a SQLite file instead of PostgreSQL

PostgreSQL is the benches' own (bench/_harness.py: postgres@127.0.0.1:5432, or the server named by
``BENCH_PG_ADMIN_URL``, a libpq URL of a database to connect to for CREATE/DROP DATABASE); database
``dxapp_bench_race``.  Redis database 14 holds the rate limiter's counters (flushed first), as in the other
benches.

What it does, in one run:
1. creates the database (dropped first if left over; with ``--sqlite`` a file in a temporary folder),
   runs ``flask db upgrade`` and ``flask seed-demo`` (production config);
2. prepares, with the services directly (not over HTTP), approved plans already concluded by the SME and
   waiting for the expert's conclusion (the second one, which reserves):
   round "budget": ``--plans`` plans of as many different SMEs and experts, 35,000 yen each;
   round "sme cap": 20 plans of one SME with 20 experts, 100,000 yen each (40 hours at 3,000 yen), so
   the SME's 300,000 yen cap fits exactly 3;
   round "expert cap": 20 plans of one expert with 20 SMEs, 100,000 yen each, the expert carrying
   1,100,000 yen of Phase I honoraria (ExpertCarryOver), so the remaining 400,000 yen fit exactly 4;
3. serves ``gunicorn -c gunicorn.conf.py wsgi:app`` (production config, ``--workers`` gthread workers of
   ``--threads`` threads) and logs every expert in through the real login form (each client from its
   own loopback address, 127.0.x.y, as different people are: the login limit per client stays on);
4. per round: sets the program budget (round "budget": what is used plus exactly ``--fit`` plans; the
   other rounds: the full budget, so only the cap limits), opens each plan's conclusion page in its own
   client, then releases all clients at once with a barrier: each POSTs ``/expert/plans/<id>/conclude``
   with its CSRF token and the declaration ``agree=y`` on a new connection (gunicorn closes a keep-alive
   connection idle for 5 s, longer than the wait at the barrier can be); the time measured is the POST's;
5. classifies every answer: 303 concluded; 409 with the limit page's text (「契約を締結できませんでした」);
   409 with the budget-exhausted page (once the budget is used up exactly, intake closes, and a request
   that arrives after that is refused before it tries to reserve: also a correct refusal); any other 409
   or 4xx; 5xx errors.  Then reads, in a separate process, the counters against the recomputed sums
   (``dxapp.services.budget.verify()``) and against the limits;
6. prints per round attempts, concluded, refusals, errors, the counters, p50/p95 of the conclusion
   request, and one closing line
   ``conclusion race: budget 50/200, sme cap 3/20, expert cap 4/20, overshoot 0 yen, errors 0``.

Exit code: 1 on any overshoot, any 5xx, any verify difference, or a round that concluded another number
of plans than fit (fewer is a false refusal); 0 otherwise.
"""

from __future__ import annotations

import argparse
import gettext
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h  # noqa: E402

DB_NAME = "dxapp_bench_race"
PASSWORD = "race-bench-pass-2021!"  # bench accounts only  # noqa: S105  # nosec B105
PLAN_YEN = 35_000          # factories.plan_fields: 10 hours at 5,000 yen -> 3,500 yen an hour
HUNDRED_THOUSAND = 100_000  # 40 hours at 3,000 yen -> 2,500 yen an hour
CAP_ROUND_PLANS = 20
CARRY_OVER_YEN = 1_100_000

if os.environ.get("BENCH_PG_ADMIN_URL"):
    h.PG_ADMIN = os.environ["BENCH_PG_ADMIN_URL"]
    h.PG_URL = h.PG_ADMIN.replace("postgresql://", "postgresql+psycopg://", 1).rsplit("/", 1)[0] + "/{name}"


# ------------------------------------------------------------------------------------ in the app's process

def _app():
    from dxapp import create_app

    return create_app()


def seed(plans_count: int) -> None:
    """``--seed N``: the three rounds' plans, each waiting for the expert's conclusion; prints JSON."""
    from datetime import date

    from dxapp import clock
    from dxapp.extensions import db
    from dxapp.models import ExpertCarryOver
    from dxapp.services import accounts, matches, passwords, plans, terms

    app = _app()
    with app.app_context():
        password_hash = passwords.hash_password(PASSWORD)  # one hash for all (each login verifies it)
        consents = [v.id for v in terms.current_versions()]
        clerk = accounts.find_by_email("desk@demo.example")
        if clerk is None:
            raise SystemExit("the demo data is missing (flask seed-demo)")
        counter = iter(range(1, 10**6))

        def account(role: str):
            n = next(counter)
            user = accounts.sign_up(role=role, name=f"{'中小企業' if role == 'sme' else '専門家'}{n}",
                                    email=f"race-{role}{n}@example.jp", password_hash=password_hash,
                                    consented_version_ids=consents)
            user.email_verified_at = clock.wall_now()
            db.session.flush()
            return user

        def fields(yen: int) -> plans.PlanFields:
            if yen == PLAN_YEN:
                items, rate = (plans.Item("出店先の比較と選定の助言", 10, "online"),
                               plans.Item("商品登録の操作指導", 10, "onsite")), 5000
            else:
                items, rate = (plans.Item("業務の棚卸しと改善の助言", 80, "online"),), 3000
            return plans.PlanFields(purpose="ネットショップの立ち上げを支援する", issue="店頭販売のみで売上が伸びない",
                                    items=items, start_date=date(2021, 6, 15), end_date=date(2021, 9, 30),
                                    hourly_rate_yen=rate, scope_declared=True)

        def waiting_plan(sme, expert, yen: int) -> dict:
            match = matches.form(matches.Sides(sme.organisation_id, sme.id, expert.id), origin="self_match",
                                 actor=sme)
            plan = plans.start(match, fields(yen), actor=expert)
            plans.send_to_sme(plan, version=plan.version, actor=expert)
            plans.sme_agree(plan, version=plan.version, actor=sme)
            plans.REVIEW.pick_up(plan, version=plan.version, actor=clerk)
            plans.REVIEW.approve(plan, version=plan.version, actor=clerk)
            if plans.conclude(plan, actor=sme) != "concluding":
                raise SystemExit(f"plan {plan.reference}: the SME's conclusion did not wait for the expert")
            db.session.commit()
            return {"plan_id": plan.id, "expert": expert.email, "expert_id": expert.id, "sme_id": sme.id}

        rounds = {"budget": [], "sme cap": [], "expert cap": []}
        for _ in range(plans_count):
            rounds["budget"].append(waiting_plan(account("sme"), account("expert"), PLAN_YEN))
        one_sme = account("sme")
        for _ in range(CAP_ROUND_PLANS):
            rounds["sme cap"].append(waiting_plan(one_sme, account("expert"), HUNDRED_THOUSAND))
        one_expert = account("expert")
        db.session.add(ExpertCarryOver(user_id=one_expert.id, phase1_honorarium_yen=CARRY_OVER_YEN,
                                       created_at=clock.wall_now()))
        db.session.commit()
        for _ in range(CAP_ROUND_PLANS):
            rounds["expert cap"].append(waiting_plan(account("sme"), one_expert, HUNDRED_THOUSAND))
        print(json.dumps(rounds), flush=True)


def set_total(fit: int, yen: int) -> None:
    """``--set-total FIT YEN``: the program budget = what is used + FIT plans of YEN (FIT 0: the full
    budget of rules/budget.py); prints JSON of the budget before the round."""
    from dxapp.extensions import db
    from dxapp.rules import budget as budget_rules
    from dxapp.services import accounts, budget

    app = _app()
    with app.app_context():
        admin = accounts.find_by_email("admin@demo.example")
        used = budget.standing().used_yen
        total = used + fit * yen if fit else budget_rules.PROGRAM_BUDGET_YEN
        budget.set_total(total, actor=admin)
        db.session.commit()
        print(json.dumps({"total_yen": total, "used_before_yen": used}), flush=True)


def report(plan_ids: list[int], sme_ids: list[int], expert_ids: list[int]) -> None:
    """``--report``: the counters against the recomputed sums and the limits, as JSON."""
    from sqlalchemy import func, select

    from dxapp.extensions import db
    from dxapp.models import BudgetMove, SupportPlan
    from dxapp.services import budget

    app = _app()
    with app.app_context():
        differences = [vars(d) for d in budget.verify()]
        program = budget.program()
        plan_rows = db.session.execute(select(SupportPlan.status, func.count(), func.sum(SupportPlan.reserved_yen))
                                       .where(SupportPlan.id.in_(plan_ids)).group_by(SupportPlan.status)).all()
        refusals = dict(db.session.execute(select(SupportPlan.conclusion_refusal, func.count())
                                           .where(SupportPlan.id.in_(plan_ids), SupportPlan.status == "concluding")
                                           .group_by(SupportPlan.conclusion_refusal)).all())
        moves = db.session.scalar(select(func.count()).select_from(BudgetMove).where(
            BudgetMove.object_type == "support_plan", BudgetMove.object_id.in_([str(i) for i in plan_ids])))
        reserved_all = int(db.session.scalar(select(func.coalesce(func.sum(SupportPlan.reserved_yen), 0))) or 0)

        def usage(party, ids):
            out = []
            for user_id in sorted(set(ids)):
                row = budget._usage(party, user_id)
                if row is not None:
                    used = row.prior_yen + row.committed_yen + row.claimed_yen + row.paid_yen
                    out.append({"user_id": user_id, "cap_yen": row.cap_yen, "prior_yen": row.prior_yen,
                                "committed_yen": row.committed_yen, "used_yen": used,
                                "overshoot_yen": max(0, used - row.cap_yen)})
            return out

        print(json.dumps({
            "differences": differences,
            "program": {"total_yen": program.total_yen, "committed_yen": program.committed_yen,
                        "claimed_yen": program.claimed_yen, "paid_yen": program.paid_yen,
                        "reserved_by_plans_yen": reserved_all,
                        "overshoot_yen": max(0, program.committed_yen + program.claimed_yen + program.paid_yen
                                             - program.total_yen)},
            "plans": {status: {"count": count, "reserved_yen": int(total or 0)} for status, count, total in plan_rows},
            "refusals_recorded": {str(k): v for k, v in refusals.items()},
            "reserve_moves": moves,
            "sme": usage("sme", sme_ids), "expert": usage("expert", expert_ids),
        }), flush=True)


# ------------------------------------------------------------------------------------ the bench's side

def in_app(env: dict, *args: str, timeout: int = 1800) -> dict:
    r = subprocess.run([str(h.BIN / "python"), __file__, *args], cwd=h.ROOT, env=env, capture_output=True,
                       text=True, timeout=timeout, check=False)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(args[:1])} failed ({r.returncode}):\n{r.stdout[-2000:]}\n{r.stderr[-4000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def source_address(n: int) -> str:
    """A loopback address of its own for client ``n`` (127.0.1.1, 127.0.1.2, ...)."""
    return f"127.0.{1 + n // 250}.{1 + n % 250}"


class Client(h.Client):
    def __init__(self, base_url: str, source: str, cookies: dict | None = None):
        super().__init__(base_url)
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120, source_address=(source, 0))
        self.source = source
        self.cookies = dict(cookies or {})

    def reconnect(self) -> None:
        self.conn.close()
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120, source_address=(self.source, 0))


def log_in(base_url: str, email: str, source: str) -> dict:
    client = Client(base_url, source)
    try:
        h.log_in(client, email, PASSWORD)
        return dict(client.cookies)
    finally:
        client.close()


class Texts:
    """The pages' texts in the default language (ja), from the compiled catalog."""

    def __init__(self):
        ja = gettext.translation("messages", str(h.ROOT / "dxapp" / "translations"), ["ja"])
        self.limit = ja.gettext("The contract could not be concluded")
        self.intake = ja.gettext("The program's honorarium budget is used up, so no new contract can be concluded. "
                                 "The secretariat announces on the home page if this changes.")
        for text in (self.limit, self.intake):
            if text.isascii():
                raise SystemExit(f"no Japanese text for {text!r}: run `make translations`")


def conclude_all(base_url: str, plans: list[dict], sessions: dict, first_source: int, texts: Texts) -> dict:
    """One client thread per plan: open the conclusion page, wait at the barrier, POST the conclusion."""
    barrier = threading.Barrier(len(plans))
    results: list[dict | None] = [None] * len(plans)

    def run(i: int, plan: dict) -> None:
        client = Client(base_url, source_address(first_source + i), sessions[plan["expert"]])
        path = f"/expert/plans/{plan['plan_id']}/conclude"
        try:
            page = client.get(path)
            if page.status != 200:
                results[i] = {"kind": "setup", "status": page.status, "ms": 0.0}
                barrier.abort()
                return
            token = h.Page(page.text).value("csrf_token")
            # gunicorn closes a keep-alive connection idle for 5 s (keepalive in gunicorn.conf.py), and the
            # last client may open its page more than 5 s after the first: the POST goes on a new connection.
            client.reconnect()
            barrier.wait(timeout=300)
            t0 = time.perf_counter()
            try:
                r = client.post(path, {"csrf_token": token, "agree": "y"})
            except (OSError, http.client.HTTPException) as exc:
                results[i] = {"kind": "connection", "status": f"{type(exc).__name__}", "ms": 0.0}
                return
            ms = (time.perf_counter() - t0) * 1000
            text = r.text
            if r.status == 303:
                kind = "concluded"
            elif r.status == 409 and texts.limit in text:
                kind = "limit"
            elif r.status == 409 and texts.intake in text:
                kind = "intake"
            elif r.status >= 500:
                kind = "error"
            else:
                kind = "other"
            results[i] = {"kind": kind, "status": r.status, "ms": ms, "body": text[:300] if kind == "other" else ""}
        except threading.BrokenBarrierError:
            results[i] = results[i] or {"kind": "setup", "status": "barrier", "ms": 0.0}
        finally:
            client.close()

    threads = [threading.Thread(target=run, args=(i, p), daemon=True) for i, p in enumerate(plans)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    done = [r or {"kind": "connection", "status": "no answer", "ms": 0.0} for r in results]
    counts = {k: sum(1 for r in done if r["kind"] == k) for k in ("concluded", "limit", "intake", "other", "error",
                                                                   "connection", "setup")}
    times = [r["ms"] for r in done if r["kind"] not in ("setup",) and r["ms"]]
    others = [f"{r['status']} {r.get('body', '')[:200]!r}" for r in done
              if r["kind"] in ("other", "error", "connection", "setup")]
    return {"counts": counts, "times": times, "others": others[:5]}


def pct(values, p) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file instead of PostgreSQL")
    parser.add_argument("--plans", type=int, default=200, help="plans of the budget round")
    parser.add_argument("--fit", type=int, default=50, help="plans that the budget round's budget fits")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--set-total", type=int, nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--report", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed is not None:
        seed(args.seed)
        return 0
    if args.set_total:
        set_total(*args.set_total)
        return 0
    if args.report:
        given = json.loads(args.report)
        report(given["plans"], given["smes"], given["experts"])
        return 0

    h.check_translations()
    texts = Texts()
    before = h.load_average()
    database = "SQLite (file)" if args.sqlite else "PostgreSQL"
    with h.workdir("dxapp-bench-race-") as work:
        if args.sqlite:
            import contextlib

            db_context = contextlib.nullcontext(f"sqlite:///{work / 'race.sqlite3'}")
        else:
            db_context = h.bench_database(DB_NAME)
        with db_context as url:
            env = h.app_env(url, work, GUNICORN_THREADS=str(args.threads))
            h.say(f"migrating and seeding the demo data ({database}) ...")
            h.migrate_and_seed(env)
            t0 = time.perf_counter()
            h.say(f"preparing {args.plans} + {CAP_ROUND_PLANS} + {CAP_ROUND_PLANS} plans waiting for the expert ...")
            rounds = in_app(env, "--seed", str(args.plans))
            h.say(f"prepared in {time.perf_counter() - t0:.1f} s")
            h.flush_ratelimit_store()
            with h.gunicorn("dxapp", "wsgi:app", env, work, workers=args.workers) as server:
                experts = sorted({p["expert"] for plans in rounds.values() for p in plans})
                t0 = time.perf_counter()
                with ThreadPoolExecutor(max_workers=8) as pool:
                    cookies = list(pool.map(lambda n_e: log_in(server.url, n_e[1], source_address(n_e[0])),
                                            enumerate(experts)))
                sessions = dict(zip(experts, cookies, strict=True))
                h.say(f"logged {len(experts)} experts in over HTTP in {time.perf_counter() - t0:.1f} s")
                plan_of = {"budget": (args.fit, PLAN_YEN), "sme cap": (0, HUNDRED_THOUSAND),
                           "expert cap": (0, HUNDRED_THOUSAND)}
                expected = {"budget": min(args.fit, args.plans), "sme cap": 3, "expert cap": 4}
                measured = {}
                for name, plans in rounds.items():
                    budget_now = in_app(env, "--set-total", *map(str, plan_of[name]))
                    offset = server.log_size()
                    h.say(f"round {name}: {len(plans)} conclusions at once ...")
                    outcome = conclude_all(server.url, plans, sessions, len(experts) + 10, texts)
                    ids = {"plans": [p["plan_id"] for p in plans], "smes": [p["sme_id"] for p in plans],
                           "experts": [p["expert_id"] for p in plans]}
                    outcome["report"] = in_app(env, "--report", json.dumps(ids))
                    outcome["budget"] = budget_now
                    outcome["log_statuses"] = server.statuses_since(offset)
                    measured[name] = outcome
    return print_report(measured, expected, rounds, args, database, before)


def print_report(measured: dict, expected: dict, rounds: dict, args, database: str, before: str) -> int:
    print(f"Second conclusions at once over HTTP: gunicorn {args.workers} workers x {args.threads} threads "
          f"(production config), {database}, one client thread per plan (its own connection and loopback address), released "
          "together by a barrier")
    failures = []
    overshoot_total = 0
    errors_total = 0
    summary = {}
    for name, m in measured.items():
        c, rep = m["counts"], m["report"]
        attempts = len(rounds[name])
        overshoot = rep["program"]["overshoot_yen"] + sum(u["overshoot_yen"] for u in rep["sme"] + rep["expert"])
        overshoot_total += overshoot
        server_5xx = sum(v for k, v in m["log_statuses"].items() if k.startswith("5"))
        errors = max(c["error"], server_5xx)
        errors_total += errors
        running = rep["plans"].get("running", {"count": 0, "reserved_yen": 0})
        print(f"\nround {name}: {attempts} attempts, budget total {m['budget']['total_yen']:,} yen "
              f"({m['budget']['used_before_yen']:,} used before)")
        print(f"  concluded (303)                    {c['concluded']:5}   expected {expected[name]}")
        print(f"  refused with the limit page (409)  {c['limit']:5}")
        print(f"  refused, budget used up (409)      {c['intake']:5}")
        print(f"  other answers                      {c['other'] + c['setup']:5}")
        print(f"  no answer (connection failed)      {c['connection']:5}")
        print(f"  errors (5xx)                       {errors:5}   (server log: {dict(sorted(m['log_statuses'].items()))})")
        print(f"  plans running {running['count']} reserving {running['reserved_yen']:,} yen; "
              f"reserve moves in the ledger {rep['reserve_moves']}; refusals recorded on the plans "
              f"{rep['refusals_recorded']}")
        p = rep["program"]
        print(f"  program: total {p['total_yen']:,}, committed {p['committed_yen']:,} (plans reserve "
              f"{p['reserved_by_plans_yen']:,}), claimed {p['claimed_yen']:,}, paid {p['paid_yen']:,}, "
              f"overshoot {p['overshoot_yen']:,} yen")
        if name != "budget":
            party = "sme" if name == "sme cap" else "expert"
            for u in rep[party]:
                if (party == "sme" and len(rep["sme"]) == 1) or (party == "expert" and len(rep["expert"]) == 1):
                    print(f"  {party} {u['user_id']}: cap {u['cap_yen']:,}, prior {u['prior_yen']:,}, committed "
                          f"{u['committed_yen']:,}, used {u['used_yen']:,}, overshoot {u['overshoot_yen']:,} yen")
        print(f"  budget.verify(): {len(rep['differences'])} differences"
              + "".join(f"\n    {d}" for d in rep["differences"][:10]))
        print(f"  conclusion request: p50 {statistics.median(m['times']) if m['times'] else 0:.0f} ms, "
              f"p95 {pct(m['times'], 95):.0f} ms, max {max(m['times'], default=0):.0f} ms")
        for other in m["others"]:
            print(f"  unexpected: {other}")
        if overshoot:
            failures.append(f"{name}: overshoot {overshoot} yen")
        if errors:
            failures.append(f"{name}: {errors} errors")
        if rep["differences"]:
            failures.append(f"{name}: verify differences")
        if c["concluded"] != expected[name] or running["count"] != expected[name]:
            failures.append(f"{name}: {c['concluded']} concluded, {expected[name]} fit")
        if c["other"] + c["setup"] + c["connection"]:
            failures.append(f"{name}: {c['other'] + c['setup'] + c['connection']} unexpected or missing answers")
        summary[name] = f"{c['concluded']}/{attempts}"
    print()
    print(h.machine_load(before))
    if failures:
        print("FAIL: " + "; ".join(failures))
    print(f"conclusion race: budget {summary['budget']}, sme cap {summary['sme cap']}, "
          f"expert cap {summary['expert cap']}, overshoot {overshoot_total} yen, errors {errors_total}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
