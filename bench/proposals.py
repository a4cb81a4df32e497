"""The proposal pages under volume (issue 12, "the proposals table: p95 <= 100 ms, every page <= 14 KB").

    .venv/bin/python bench/proposals.py     [--cases 2000] [--per-case 10] [--repeat 30]

What it does, in one run:
1. creates the PostgreSQL database ``dxapp_bench_proposals`` (bench/_harness.py; dropped first if left
   over), runs ``flask db upgrade`` and ``flask seed-demo`` (the demo SME and expert approved, their
   proposals at every status: dxapp/demo.py ``seed_proposals``);
2. bulk-inserts ``--cases`` published cases of the six review-queue SMEs with ``--per-case`` proposals
   each from the 30 directory experts (one open proposal per expert and case, the rest withdrawn or
   declined), and on the demo SME's first case 30 open and 200 decided proposals (a busy case: 23 pages
   of the comparison table); then ``ANALYZE``;
3. starts ``gunicorn -c gunicorn.conf.py wsgi:app`` (2 workers, production config) and logs in as
   sme@demo.example and expert@demo.example through the real form;
4. over real HTTP (keep-alive, ``Accept-Encoding: gzip``) fetches ``--repeat`` times: the SME's My Page,
   the comparison table (first page, a deep page), the accept confirmation page, the expert's list of
   proposals, the proposal form and the stateless quote panel; every answer must be a 200;
5. prints p50/p95/max and the largest compressed page, and whether p95 <= 100 ms and every page <= 14 KB;
6. stops the server and drops the database (also on errors).

Exit code: 0 targets met, 1 a target missed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h  # noqa: E402

DB_NAME = "dxapp_bench_proposals"
TARGET_P95_MS = 100.0
PAGE_BUDGET = 14 * 1024
BUSY_OPEN, BUSY_DECIDED = 30, 200


def seed(cases: int, per_case: int) -> None:
    """Runs inside ``python bench/proposals.py --seed`` with the app's environment."""
    import random
    from datetime import timedelta

    from sqlalchemy import insert, select, text

    from dxapp import clock, create_app
    from dxapp.extensions import db
    from dxapp.models import ConsultationCase, ConsultationCaseArea, ExpertProfile, Proposal, User
    from dxapp.rules import cases as case_rules

    rng = random.Random(12)  # noqa: S311  (test data, not security)
    app = create_app()
    with app.app_context():
        experts = list(db.session.scalars(select(ExpertProfile.user_id).order_by(ExpertProfile.id)))
        owners = db.session.execute(select(User.id, User.organisation_id).where(
            User.email.like("review-sme%@demo.example")).order_by(User.id)).all()
        busy = db.session.scalar(select(ConsultationCase).where(ConsultationCase.title == "ネットショップを開設したい"))
        if not experts or not owners or busy is None:
            raise SystemExit("the demo data is missing (flask seed-demo)")
        now = clock.wall_now()
        start = (db.session.scalar(select(ConsultationCase.id).order_by(ConsultationCase.id.desc()).limit(1)) or 0) + 1
        case_rows = []
        for n in range(cases):
            user_id, org_id = owners[n % len(owners)]
            case_rows.append({"reference": case_rules.format_reference(start + n), "organisation_id": org_id,
                              "application_id": None, "created_by_id": user_id, "status": "published",
                              "hidden": False, "kind": "proposals_wanted", "title": f"業務のデジタル化の相談 {n}",
                              "goals": "受発注と在庫の管理をクラウドに移したい。", "situation": "紙と電話で管理している。",
                              "half_hours": 20, "period_months": 3, "mode": "either", "prefecture": "東京都",
                              "place": None, "deadline": busy.deadline, "industry": "retail", "size_band": "6-20",
                              "version": 2, "created_at": now, "published_at": now, "updated_at": now})
        case_ids = list(db.session.scalars(insert(ConsultationCase).returning(
            ConsultationCase.id, sort_by_parameter_order=True), case_rows))
        db.session.execute(insert(ConsultationCaseArea), [{"case_id": c, "area": "ec_sites"} for c in case_ids])

        def proposal(case_id, expert_id, status, n):
            return {"case_id": case_id, "expert_user_id": expert_id, "status": status,
                    "message": f"同じ規模の事業者の支援を多数行ってきました。提案 {n}。" * 8,
                    "plan_outline": "1. 現状の聞き取り\n2. ツールの選定と導入\n3. 研修", "half_hours": rng.choice((10, 20, 30)),
                    "hourly_rate_yen": rng.choice((3_600, 4_000, 4_500, 5_000)), "version": 1,
                    "created_at": now - timedelta(minutes=n), "updated_at": now,
                    "decided_at": None if status == "sent" else now}

        rows = []
        for case_id in case_ids:
            for k, expert_id in enumerate(rng.sample(experts, min(per_case, len(experts)))):
                rows.append(proposal(case_id, expert_id, "sent" if k % 3 else rng.choice(("withdrawn", "declined")),
                                     len(rows)))
        taken = set(db.session.scalars(select(Proposal.expert_user_id).where(Proposal.case_id == busy.id,
                                                                             Proposal.status == "sent")))
        for expert_id in [e for e in experts if e not in taken][:BUSY_OPEN]:
            rows.append(proposal(busy.id, expert_id, "sent", len(rows)))
        for n in range(BUSY_DECIDED):
            rows.append(proposal(busy.id, experts[n % len(experts)], ("withdrawn", "declined")[n % 2], len(rows)))
        db.session.execute(insert(Proposal), rows)
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        print(f"seeded {len(case_ids)} cases and {len(rows)} proposals", flush=True)


def samples(env: dict) -> dict:
    code = """
import json
from sqlalchemy import select
from dxapp import create_app
from dxapp.extensions import db
from dxapp.models import ConsultationCase, Proposal, User
app = create_app()
with app.app_context():
    busy = db.session.scalar(select(ConsultationCase).where(ConsultationCase.title == "ネットショップを開設したい"))
    expert = db.session.scalar(select(User.id).where(User.email == "expert@demo.example"))
    sent = db.session.scalar(select(Proposal.id).where(Proposal.case_id == busy.id, Proposal.status == "sent"))
    other = db.session.scalar(select(ConsultationCase.reference).where(
        ConsultationCase.title.like("業務のデジタル化の相談%"), ~ConsultationCase.id.in_(
            select(Proposal.case_id).where(Proposal.expert_user_id == expert, Proposal.status == "sent"))).limit(1))
    print(json.dumps({"busy": busy.id, "proposal": sent, "open_reference": other}))
"""
    r = subprocess.run([str(h.BIN / "python"), "-c", code], cwd=h.ROOT, env=env, capture_output=True, text=True,
                       timeout=300, check=False)
    if r.returncode != 0:
        raise SystemExit(f"reading samples failed:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def measure(client: h.Client, path: str, repeat: int) -> tuple[list[float], int]:
    times, largest = [], 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = client.get(path, headers={"Accept-Encoding": "gzip"})
        times.append((time.perf_counter() - t0) * 1000)
        if r.status != 200:
            raise SystemExit(f"GET {path} answered {r.status}")
        size = len(r.body) if r.headers.get("content-encoding") == "gzip" else len(gzip.compress(r.body))
        largest = max(largest, size)
    return times, largest


def pct(values, p) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--per-case", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        seed(args.cases, args.per_case)
        return 0
    h.check_translations()
    before = h.load_average()
    with h.workdir("dxapp-bench-proposals-") as work, h.bench_database(DB_NAME) as url:
        env = h.app_env(url, work)
        h.say("migrating and seeding the demo data ...")
        h.migrate_and_seed(env)
        t0 = time.perf_counter()
        r = subprocess.run([str(h.BIN / "python"), __file__, "--seed", "--cases", str(args.cases), "--per-case",
                            str(args.per_case)], cwd=h.ROOT, env=env, capture_output=True, text=True, timeout=1800,
                           check=False)
        if r.returncode != 0:
            raise SystemExit(f"seeding failed:\n{r.stdout[-2000:]}\n{r.stderr[-4000:]}")
        h.say(f"{r.stdout.strip()} in {time.perf_counter() - t0:.1f} s")
        found = samples(env)
        h.flush_ratelimit_store()
        busy, proposal_id, reference = found["busy"], found["proposal"], found["open_reference"]
        with h.gunicorn("dxapp", "wsgi:app", env, work) as server:
            pages = {
                "sme@demo.example": {
                    "SME My Page": "/sme/",
                    "comparison, page 1": f"/sme/cases/{busy}/proposals",
                    "comparison, page 20": f"/sme/cases/{busy}/proposals?page=20",
                    "accept confirmation": f"/sme/cases/{busy}/proposals/{proposal_id}/accept"},
                "expert@demo.example": {
                    "my proposals (expert)": "/expert/proposals",
                    "proposal form": f"/expert/cases/{reference}/propose",
                    "quote panel (stateless)": "/expert/proposals/quote?hourly_rate=4000&hours=10&sme_prior=0"
                                               "&expert_prior=0"},
            }
            results = {}
            for email, paths in pages.items():  # one user at a time (an idle keep-alive connection is closed)
                client = h.Client(server.url)
                h.log_in(client, email)
                for name, path in paths.items():
                    measure(client, path, 5)  # warm-up: each worker's first request
                    results[name] = measure(client, path, args.repeat)
                client.close()
    print(f"Proposal pages over HTTP against gunicorn (2 workers, PostgreSQL): {args.cases} cases with "
          f"{args.per_case} proposals each, a busy case with {BUSY_OPEN} open and {BUSY_DECIDED} decided; "
          f"{args.repeat} requests per page")
    print(f"{'page':28} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'gzip B':>8}")
    ok = True
    for name, (times, size) in results.items():
        p95 = pct(times, 95)
        miss = p95 > TARGET_P95_MS or size > PAGE_BUDGET
        ok = ok and not miss
        print(f"{name:28} {statistics.median(times):8.1f} {p95:8.1f} {max(times):8.1f} {size:8,}"
              f"{'  FAIL' if miss else ''}")
    print(f"targets p95 <= {TARGET_P95_MS:.0f} ms and <= {PAGE_BUDGET // 1024} KB gzip on every page: "
          f"{'PASS' if ok else 'FAIL'}")
    print(h.machine_load(before))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
