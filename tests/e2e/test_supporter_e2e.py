"""The CSV import of a supporter corporation's experts in a real browser, JavaScript on and off (issue
#5, Tests): template download link, a CP932 file with errors -> the preview with the error in each
cell, nothing created; the corrected file -> confirm -> the experts listed as invited.  Every page is
checked with axe and collected for the Nu HTML Checker (conftest.py)."""

from __future__ import annotations

from tests.fixtures.app import PASSWORD
from tests.fixtures.browser import new_account

HEADER = "氏名,フリガナ,メールアドレス"


def new_supporter(live_server, tab, *, approved: bool = True, prefix: str = "csv") -> str:
    """An administrator of a supporter corporation whose registration is approved (inviting needs it),
    or only sent."""

    def registration(user):
        from dxapp.extensions import db
        from dxapp.services import applications

        application = applications.submit(user=user, kind="supporter", answers={"steps": {}},
                                          decision={"outcome": "submitted"}, organisation_id=user.organisation_id)
        db.session.commit()
        if approved:
            applications.move(application, "under_review", version=application.version, actor_id=None)
            applications.move(application, "approved", version=application.version, actor_id=None)

    return new_account(live_server, f"{prefix}.{tab.mode}@supporter.example.jp", "supporter_admin", "鈴木 次郎",
                       then=registration)


def csv_file(lines, mode: str) -> bytes:
    return ("\r\n".join([HEADER, *lines]) + "\r\n").replace("@", f".{mode}@").encode("cp932")


def upload(tab, data: bytes, name: str) -> None:
    tab.page.locator("#file").set_input_files({"name": name, "mimeType": "text/csv", "buffer": data})
    tab.submit(tab.page.locator("main form[action='/supporter/experts/import'] button[type=submit]"))


def test_csv_import_preview_fix_and_confirm(tab, live_server):
    email = new_supporter(live_server, tab)
    tab.goto("/account/login")
    tab.page.locator("#email").fill(email)
    tab.page.locator("#password").fill(PASSWORD)
    tab.submit(tab.primary_button())
    assert tab.path == "/supporter/"
    page = tab.page

    tab.click(page.locator("main a[href='/supporter/experts/import']").first)
    assert tab.path == "/supporter/experts/import"
    assert page.locator("main a[href='/supporter/experts/template.csv']").count() == 1

    # A file with two bad rows: the preview lists them first, with the error in the cell.
    bad = ["山田 太郎,ヤマダ タロウ,yamada@example.jp", "佐藤 花子,Sato,sato@example.jp",
           "田中 一郎,タナカ イチロウ,tanaka-at-example.jp"]
    upload(tab, csv_file(bad, tab.mode), "専門家一覧.csv")
    assert tab.path.startswith("/supporter/experts/import/")
    rows = page.locator("main table.roster tbody tr")
    assert rows.count() == 3
    assert rows.nth(0).locator("th").inner_text() == "3" and rows.nth(1).locator("th").inner_text() == "4"
    assert rows.nth(0).locator(".field-error").count() == 1 and rows.nth(2).locator(".field-error").count() == 0
    assert page.locator("main .error-summary").count() == 1
    assert page.locator("main form[action$='/confirm']").count() == 0
    tab.screenshot(f"supporter-csv-preview-errors-{tab.mode}")

    def experts():
        from sqlalchemy import func, select

        from dxapp.extensions import db
        from dxapp.models import User
        return db.session.scalar(select(func.count()).select_from(User)
                                 .where(User.role == "expert", User.email.like(f"%.{tab.mode}@example.jp")))

    assert live_server.query(experts) == 0

    # The corrected file, uploaded from the preview page itself.
    good = ["山田 太郎,ヤマダ タロウ,yamada@example.jp", "佐藤 花子,さとう はなこ,sato@example.jp",
            "田中 一郎,タナカ イチロウ,tanaka@example.jp"]
    upload(tab, csv_file(good, tab.mode), "専門家一覧（修正）.csv")
    assert page.locator("main .error-summary").count() == 0
    confirm = page.locator("main form[action$='/confirm'] button[type=submit]")
    tab.submit(confirm)
    assert tab.path == "/supporter/experts"
    assert page.locator("main .notice-success").count() == 1
    assert page.locator("main table.roster tbody tr").count() == 3
    assert page.locator("main .tag-aff-invited").count() == 3
    assert live_server.query(experts) == 3
    tab.screenshot(f"supporter-experts-{tab.mode}")
    assert len(live_server.outbox(f"yamada.{tab.mode}@example.jp", "supporter-expert-invitation")) == 1


def test_inviting_waits_for_the_approval(tab, live_server):
    email = new_supporter(live_server, tab, approved=False, prefix="wait")
    tab.goto("/account/login")
    tab.page.locator("#email").fill(email)
    tab.page.locator("#password").fill(PASSWORD)
    tab.submit(tab.primary_button())
    assert tab.path == "/supporter/"
    tab.goto("/supporter/experts")
    assert tab.page.locator("main a[href='/supporter/experts/add']").count() == 0
    tab.goto("/supporter/experts/add")
    assert tab.page.locator("main h1").count() == 1
    assert tab.page.locator("main a[href='/supporter/']").count() == 1
    assert tab.page.locator("main form").count() == 0  # no invitation form: the page says what to do
