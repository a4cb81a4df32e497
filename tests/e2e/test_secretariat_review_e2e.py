"""Review queues in a real browser, with JavaScript on and off (issue 6): a clerk finds an application
from the dashboard by its furigana, opens it, picks it up and approves it.  With JavaScript the search
is answered by htmx with the results region only (and the URL is pushed); without it, the same form
is a plain GET.  Every page is checked with axe and collected for the Nu HTML Checker (conftest.py)."""

from __future__ import annotations

import re

import pyotp
from playwright.sync_api import expect

from tests.fixtures.app import PASSWORD

QUEUE = "/secretariat/review/sme"


def seed_application(live_server, mode: str) -> str:
    """A submitted SME application with realistic answers; its reference number."""
    from dxapp import demo
    from dxapp.extensions import db
    from dxapp.services import accounts, passwords, terms

    suffix = "イチ" if mode == "js-on" else "ニ"
    row = (f"review-e2e.{mode}@sme.example.jp", "森 花子", f"株式会社森山{suffix}商店", f"モリヤマ{suffix}ショウテン",
           "7000012050002", "森 花子", "長野県", "長野市", "大字南長野1-1", "026-111-2222")

    def create():
        user = accounts.sign_up(role="sme", name=row[1], email=row[0],
                                password_hash=passwords.hash_password(PASSWORD),
                                consented_version_ids=[v.id for v in terms.current_versions()])
        db.session.flush()
        application = demo.submit_review_sme(user, row)
        db.session.commit()
        return application.reference

    return live_server.query(create)


def new_clerk(live_server, mode: str) -> tuple[str, str]:
    from dxapp.extensions import db
    from dxapp.services import accounts

    email, secret = f"review-clerk.{mode}@desk.example.jp", pyotp.random_base32()

    def create():
        accounts.create_staff(email=email, name="審査 三郎", role="desk", actor=None, password=PASSWORD,
                              totp_secret=secret)
        db.session.commit()

    live_server.query(create)
    return email, secret


def status_of(live_server, reference: str) -> tuple[str, int | None]:
    from sqlalchemy import select

    from dxapp.extensions import db
    from dxapp.models import Application

    return live_server.query(lambda: tuple(db.session.execute(
        select(Application.status, Application.holder_id).where(Application.reference == reference)).one()))


def test_clerk_finds_an_application_and_approves_it(tab, live_server):
    reference = seed_application(live_server, tab.mode)
    email, secret = new_clerk(live_server, tab.mode)
    page = tab.page
    # Log in: password, then the TOTP code.
    tab.goto("/account/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    tab.submit(tab.primary_button())
    page.locator("#code").fill(live_server.totp(secret))
    tab.submit(tab.primary_button())
    assert tab.path == "/secretariat/"
    # The dashboard counts link to the filtered queue.
    tab.click(page.locator(f"main a[href='{QUEUE}?status=submitted']"))
    assert tab.path == f"{QUEUE}?status=submitted"
    # Search by furigana typed in hiragana.
    typed = "もりやまいち" if tab.js else "もりやまに"
    page.locator("#q").fill(typed)
    search = page.locator("form.review-filters button[type=submit]")
    if tab.js:
        with page.expect_response(lambda r: QUEUE in r.url and r.request.resource_type in ("fetch", "xhr")) as answer:
            search.click()
        assert answer.value.status == 200
        expect(page.locator("#results")).to_contain_text(reference)
        expect(page).to_have_url(re.compile(r"[?&]q="))
        tab.check()
    else:
        tab.submit(search)
        assert "q=" in tab.path
    results = page.locator("#results tbody tr")
    expect(results).to_have_count(1)
    # Open it, pick it up, approve it.
    tab.click(page.locator(f"#results a:text-is('{reference}')"))
    assert tab.h1().endswith(reference)
    tab.submit(page.locator("main form[action$='/pick-up'] button[type=submit]"))
    expect(page.locator("main .notice-success")).to_contain_text(reference)
    assert status_of(live_server, reference)[0] == "under_review"
    expect(page.locator("main dl.summary").first).to_contain_text("審査 三郎")
    page.locator("#note").fill("ご登録ありがとうございます。")
    # Other SMEs of the live server give the same corporate number: a signal, which the clerk acknowledges
    # before approving (issue 11 item 20).
    acknowledge = page.locator("#acknowledge_signals")
    if acknowledge.count():
        acknowledge.check()
    tab.submit(page.locator("main form[action$='/approve'] button[type=submit]"))
    assert status_of(live_server, reference)[0] == "approved"
    expect(page.locator("main .tag-approved").first).to_be_visible()
    assert any("ご登録ありがとうございます。" in body for body in live_server.outbox(
        f"review-e2e.{tab.mode}@sme.example.jp", "review-approved"))


def move(live_server, reference: str, target: str) -> None:
    from sqlalchemy import select

    from dxapp.extensions import db
    from dxapp.models import Application
    from dxapp.services import applications

    def run():
        application = db.session.scalars(select(Application).where(Application.reference == reference)).one()
        applications.move(application, target, version=application.version, actor_id=None)

    live_server.query(run)


def test_return_reject_and_conflict_pages(open_tab, live_server):
    """The other review pages, with errors shown, checked by axe and the Nu checker (JavaScript off)."""
    from dxapp.extensions import db
    from dxapp.services import accounts

    tab = open_tab(js=False)
    first = seed_application(live_server, "pages-1")
    second = seed_application(live_server, "pages-2")
    email, secret = "review-admin.pages@desk.example.jp", pyotp.random_base32()

    def create():
        accounts.create_staff(email=email, name="管理 花子", role="admin", actor=None, password=PASSWORD,
                              totp_secret=secret)
        db.session.commit()

    live_server.query(create)
    page = tab.page
    tab.goto("/account/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    tab.submit(tab.primary_button())
    page.locator("#code").fill(live_server.totp(secret))
    tab.submit(tab.primary_button())
    # Someone else picks up the first application while this page is open: 409, nothing changed.
    tab.goto(f"{QUEUE}?q={first}")  # the live server is shared by the e2e tests: search, not page 1
    tab.click(page.locator(f"#results a:text-is('{first}')"))
    move(live_server, first, "under_review")
    tab.submit(page.locator("main form[action$='/pick-up'] button[type=submit]"), status=409)
    tab.click(page.locator("main a.button-primary"))
    # Return for correction: nothing written is an error; then one note.
    tab.click(page.locator("main a[href$='/return']"))
    tab.submit(tab.primary_button(), status=422)
    expect(page.locator(".error-summary")).to_be_visible()
    assert tab.title().startswith("エラー: ")
    page.locator("#flag_1").fill("代表者の氏名を確認してください。")
    tab.submit(tab.primary_button())
    assert status_of(live_server, first)[0] == "returned"
    expect(page.locator("main .panel-warning")).to_contain_text("代表者の氏名を確認してください。")
    # Reject (administrators): a reason is required.
    tab.goto(f"{QUEUE}?q={second}")
    tab.click(page.locator(f"#results a:text-is('{second}')"))
    tab.submit(page.locator("main form[action$='/pick-up'] button[type=submit]"))
    tab.click(page.locator("main a[href$='/reject']"))
    tab.submit(page.locator("main form button[type=submit]"), status=422)
    page.locator("#reason").fill("みなし大企業に該当するため、本事業の対象外です。")
    tab.submit(page.locator("main form button[type=submit]"))
    assert status_of(live_server, second)[0] == "rejected"
