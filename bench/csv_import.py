"""CSV import of a supporter corporation's experts (issue #5, "Done when"): the preview of a 500-row CP932
file with 10 bad rows, and the confirmation that creates the 500 invitations.

    .venv/bin/python bench/csv_import.py            # fresh SQLite database in a temporary directory
    .venv/bin/python bench/csv_import.py --pg       # fresh PostgreSQL database dxapp_bench_csv on 127.0.0.1

What it does, in one run:
1. creates the database (SQLite file, or PostgreSQL ``dxapp_bench_csv``, dropped first if left over),
   runs ``flask db upgrade`` and ``flask seed-demo`` (production config; the demo supporter corporation
   supporter@demo.example is approved and has ~20 experts);
2. builds the app in-process with the same settings and logs in as supporter@demo.example through the
   real login form with the Flask test client (CSRF on, production config, no rate-limit store needed);
3. writes a 500-row CSV in CP932 (as Japanese Excel saves it) with a header and 10 bad rows: bad
   e-mail addresses, duplicates within the file, experts already affiliated with the corporation (an
   account elsewhere is not an error: it is never revealed), furigana in Latin letters, a missing name;
4. times the preview: the multipart POST of the upload (decode, parse, check every cell, one query for
   the known addresses, the preview stored server-side) plus the GET of the first preview page (errors
   first, 100 rows); checks the page shows the 10 errors and no confirm button, and that nothing was
   created;
5. uploads the corrected file (500 good rows) and times the confirmation: 500 expert accounts,
   affiliations, preset drafts, outbox e-mails and audit events in one transaction; checks the counts,
   then confirms again and checks nothing more is created;
6. prints the numbers and whether the target holds (preview <= 3 s), and drops the database.

Exit code: 0 target met, 1 target missed or a check failed.
"""

from __future__ import annotations

import argparse
import gzip
import io
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import _harness as h  # noqa: E402

PREVIEW_TARGET_S = 3.0
ROWS = 500
BAD = 10
EMAIL = "supporter@demo.example"


def roster_lines(bad: bool) -> list[str]:
    lines = ["氏名,フリガナ,メールアドレス"]
    for i in range(ROWS):
        lines.append(f"ベンチ 専門家{i:03d},ベンチ センモンカ,bench-expert{i:03d}@example.jp")
    if bad:
        broken = [
            "ベンチ 誤り1,ベンチ アヤマリ,not-an-address",
            "ベンチ 誤り2,ベンチ アヤマリ,missing-dot@example",
            "ベンチ 誤り3,ベンチ アヤマリ,",
            "ベンチ 重複1,ベンチ ジュウフク,bench-expert000@example.jp",
            "ベンチ 重複2,ベンチ ジュウフク,BENCH-EXPERT001@example.jp",
            "ベンチ 既存1,ベンチ キソン,supporter-expert01@demo.example",
            "ベンチ 既存2,ベンチ キソン,supporter-expert02@demo.example",
            "ベンチ 英字1,Bench Expert,bench-latin1@example.jp",
            "ベンチ 英字2,bench,bench-latin2@example.jp",
            ",ベンチ ナナシ,bench-noname@example.jp",
        ]
        for n, line in enumerate(broken):  # spread over the file
            lines[1 + n * 50 + 7] = line
    return lines


def csv_cp932(lines: list[str]) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("cp932")


def csrf_of(html: str) -> str:
    return h.Page(html).value("csrf_token")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", action="store_true", help="use PostgreSQL on 127.0.0.1:5432 instead of SQLite")
    args = parser.parse_args()

    with h.workdir("dxapp-csv-") as work:
        if args.pg:
            with h.bench_database("dxapp_bench_csv") as url:
                return run(url, work, "PostgreSQL")
        return run(f"sqlite:///{work / 'bench.sqlite3'}", work, "SQLite")


def run(database_url: str, work: Path, kind: str) -> int:
    env = h.app_env(database_url, work, RATELIMIT_STORAGE_URI="memory://")
    h.say(f"migrating and seeding a fresh {kind} database ...")
    h.migrate_and_seed(env)

    from sqlalchemy import func, select

    from dxapp import create_app
    from dxapp.extensions import db
    from dxapp.models import OutboxMessage, User
    from dxapp.models.supporter import Affiliation, RosterImport

    app = create_app({
        "SECRET_KEY": env["SECRET_KEY"], "SQLALCHEMY_DATABASE_URI": database_url, "DXAPP_NOW": h.PROGRAM_NOW,
        "RATELIMIT_STORAGE_URI": "memory://", "SESSION_COOKIE_SECURE": False, "MAIL_DIR": env["MAIL_DIR"],
        "UPLOAD_DIR": env["UPLOAD_DIR"],
    })
    failures: list[str] = []

    def expect(condition: bool, message: str) -> None:
        if not condition:
            failures.append(message)
            h.say("CHECK FAILED:", message)

    client = app.test_client()
    login = client.get("/account/login")
    r = client.post("/account/login", data={"csrf_token": csrf_of(login.get_data(as_text=True)),
                                            "email": EMAIL, "password": h.DEMO_PASSWORD})
    if r.status_code != 303:
        raise SystemExit(f"login as {EMAIL} failed: {r.status_code}")
    with app.app_context():
        organisation_id = db.session.scalar(select(User.organisation_id).where(User.email == EMAIL))

    def count(model, *where) -> int:
        # Each query in an app context of its own: the requests must not share one (Flask's g, which
        # caches the CSRF token, would outlive the session cleared at login).
        with app.app_context():
            return db.session.scalar(select(func.count()).select_from(model).where(*where))

    experts_before = count(User, User.role == "expert")
    mails_before = count(OutboxMessage)
    invited_before = count(Affiliation, Affiliation.organisation_id == organisation_id, Affiliation.status == "invited")

    def upload(data: bytes, name: str):
        page = client.get("/supporter/experts/import")
        if page.status_code != 200:
            raise SystemExit(f"GET /supporter/experts/import answered {page.status_code} {page.headers}")
        return client.post("/supporter/experts/import", content_type="multipart/form-data",
                           data={"csrf_token": csrf_of(page.get_data(as_text=True)),
                                 "file": (io.BytesIO(data), name)})

    # -- the preview of the file with 10 bad rows -------------------------------------------------
    bad_file = csv_cp932(roster_lines(bad=True))
    upload(csv_cp932(roster_lines(bad=False)[:3]), "warm-up.csv")  # imports, templates, connections
    preview_started = time.perf_counter()
    r = upload(bad_file, "experts-cp932.csv")
    posted = time.perf_counter()
    body = re.sub(r"<[^>]+>", " ", r.get_data(as_text=True))
    expect(r.status_code == 303, f"upload answered {r.status_code}: {' '.join(body.split())[-600:]}")
    preview_url = r.headers.get("Location", "")
    page = client.get(preview_url, headers={"Accept-Encoding": "gzip"})
    finished = time.perf_counter()
    preview_s = finished - preview_started
    html = gzip.decompress(page.data).decode() if page.headers.get("Content-Encoding") == "gzip" \
        else page.get_data(as_text=True)
    page_gzip = len(page.data) if page.headers.get("Content-Encoding") == "gzip" else len(gzip.compress(page.data))
    expect(page.status_code == 200, f"preview answered {page.status_code}")
    expect(html.count('class="field-error"') >= BAD, "the preview shows fewer than 10 cell errors")
    expect("/confirm" not in html, "a confirm button is offered despite errors")
    with app.app_context():
        record = db.session.scalars(select(RosterImport).where(RosterImport.organisation_id == organisation_id,
                                                               RosterImport.status == "preview")).one()
    expect(record.row_count == ROWS and record.error_count == BAD,
           f"rows {record.row_count}, rows with errors {record.error_count} (expected {ROWS}, {BAD})")
    expect(record.encoding == "cp932", f"encoding detected as {record.encoding}")
    expect(count(User, User.role == "expert") == experts_before, "experts were created by a preview")

    # -- the confirmation of the corrected file ---------------------------------------------------
    r = upload(csv_cp932(roster_lines(bad=False)), "experts-fixed.csv")
    preview_url = r.headers.get("Location", "")
    page = client.get(preview_url)
    token = csrf_of(page.get_data(as_text=True))
    expect(re.search(r'action="[^"]*/confirm"', page.get_data(as_text=True)) is not None,
           "no confirm button for a file without errors")
    confirm_started = time.perf_counter()
    r = client.post(f"{preview_url}/confirm", data={"csrf_token": token})
    confirm_s = time.perf_counter() - confirm_started
    expect(r.status_code == 303, f"confirm answered {r.status_code}")
    created = count(User, User.role == "expert") - experts_before
    mails = count(OutboxMessage) - mails_before
    invited = count(Affiliation, Affiliation.organisation_id == organisation_id,
                    Affiliation.status == "invited") - invited_before
    expect(created == ROWS and invited == ROWS, f"{created} expert accounts, {invited} invitations (expected {ROWS})")
    expect(mails == ROWS, f"{mails} invitation e-mails queued (expected {ROWS})")
    again = client.post(f"{preview_url}/confirm", data={"csrf_token": token})
    expect(again.status_code == 303 and count(User, User.role == "expert") - experts_before == ROWS,
           "a second confirmation created more experts")

    met = preview_s <= PREVIEW_TARGET_S
    print(f"CSV import benchmark ({kind}, in-process test client, production config)")
    print(f"  file: {ROWS} rows + header, CP932, {BAD} bad rows, {len(bad_file):,} bytes")
    print(f"  preview: POST upload (decode, parse, check, 1 query, store) {posted - preview_started:.3f} s, "
          f"GET first page {finished - posted:.3f} s, total {preview_s:.3f} s (target <= {PREVIEW_TARGET_S:.0f} s)")
    print(f"  preview page 1: {page_gzip:,} bytes gzip (budget 14,336)")
    print(f"  confirmation: {confirm_s:.3f} s for {created} accounts, {invited} invited affiliations, {mails} e-mails "
          f"({confirm_s / max(created, 1) * 1000:.1f} ms per expert)")
    for message in failures:
        print(f"  CHECK FAILED: {message}")
    ok = met and not failures and page_gzip <= 14 * 1024
    print(f"  target {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
