"""Desk-assisted entry in a real browser, with JavaScript on and off (issue 6, Tests): a clerk helps a
caller end to end without ever holding their password.

* A new caller on the phone: the clerk creates the account, enters the answers with them and sends the
  set-password e-mail; the applicant sets a password, accepts the terms, sees what the desk entered,
  makes the declarations, uploads the document and sends the application themselves.
* An applicant stuck in the wizard: they show a support code on My Page, the clerk opens the draft with
  it and goes on where they stopped; My Page lists what the desk changed.
* The inquiry inbox: a question from the public form is answered.

Every page is checked with axe and collected for the Nu HTML Checker (conftest.py)."""

from __future__ import annotations

import re

import pyotp
from playwright.sync_api import expect

from tests.fixtures.app import PASSWORD
from tests.fixtures.browser import live_panel, log_in, new_sme, new_staff, upload_certificate

DESK = "/secretariat/desk"
SME = "/sme/register"
LIVE_TIMEOUT = 5_000


def new_clerk(live_server, tab, test: str) -> tuple[str, str]:
    return new_staff(live_server, f"{test}.{tab.mode}@desk.example.jp", "desk", "窓口 一郎", pyotp.random_base32())


def clerk_logs_in(tab, live_server, email: str, secret: str) -> None:
    tab.goto("/account/login")
    tab.page.locator("#email").fill(email)
    tab.page.locator("#password").fill(PASSWORD)
    tab.submit(tab.primary_button())
    assert tab.path == "/account/login/code"
    tab.page.locator("#code").fill(live_server.totp(secret))
    tab.submit(tab.primary_button())
    assert tab.path == "/secretariat/", tab.path


def shot(tab, name: str) -> None:
    """A screenshot for people to look at (test-artifacts/screenshots/desk-*.png), with JavaScript on."""
    if tab.js:
        out = tab.screenshot(f"desk-{name}")
        assert out.stat().st_size > 5_000, f"{out} looks empty"


def settle(tab) -> None:
    """With JavaScript, let the live panel's debounced request finish before pressing a button."""
    if tab.js:
        tab.page.wait_for_timeout(800)
        tab.page.wait_for_load_state("networkidle")


def next_button(tab):
    return tab.page.locator("main form .actions button.button-primary[type=submit]").first


def save_step(tab, expected_path: str) -> None:
    settle(tab)
    tab.submit(next_button(tab), status=None)
    assert tab.path == expected_path, (tab.path, expected_path)


def clerk_enters_answers(tab, base: str, *, from_step: str = "business-type") -> None:
    """The clerk types what the caller says, step by step, in the same forms as the applicant's."""
    page = tab.page
    if from_step == "business-type":
        assert tab.path == f"{base}/business-type"
        page.locator("input[name=legal_form][value=company]").check()
        page.locator("input[name=industry][value=retail]").check()
        if tab.js:
            expect(live_panel(tab)).to_contain_text("④小売業は50人以下", timeout=LIVE_TIMEOUT)
        save_step(tab, f"{base}/business-details")
    assert tab.path == f"{base}/business-details"
    assert "desk-banner" in page.locator("main").inner_html()
    page.locator("#name").fill("株式会社やまだ商店")
    page.locator("#name_kana").fill("かぶしきがいしゃやまだしょうてん")
    page.locator("#corporate_number").fill("7000012050002")
    page.locator("#representative_name").fill("山田 太郎")
    page.locator("#representative_kana").fill("やまだ たろう")
    page.locator("#representative_title").fill("代表取締役")
    save_step(tab, f"{base}/address")
    for name, value in (("prefecture", "東京都"), ("city", "千代田区"), ("street", "千代田1-1"),
                        ("phone", "03-1234-5678"), ("contact_email", "yamada@example.jp"),
                        ("postal_code", "100-0001")):
        page.locator(f"#{name}").fill(value)
    if tab.js:
        expect(live_panel(tab)).to_contain_text("千代田", timeout=LIVE_TIMEOUT)
    save_step(tab, f"{base}/size")
    page.locator("#capital").fill("５千万円")
    page.locator("#employees").fill("１２人")
    save_step(tab, f"{base}/exclusions")
    # The anti-social-forces declaration is the applicant's: the clerk does not even see the box.
    assert page.locator("#no_antisocial_ties").count() == 0
    assert page.locator("main .panel-info").count() >= 1
    for name, value in (("shares_total", "1000"), ("shares_largest_large_company", "0"),
                        ("shares_all_large_companies", "0"), ("officers_total", "3"),
                        ("officers_from_large_companies", "0")):
        page.locator(f"#{name}").fill(value)
    page.locator("input[name=owned_by_deemed_large][value=no]").check()
    page.locator("input[name=officers_all_from_deemed_large][value=no]").check()
    save_step(tab, f"{base}/")
    assert page.locator("main .notice-success").count() == 1


def clerk_enters_sections(tab, base: str) -> None:
    page = tab.page
    assert tab.path == f"{base}/section/business"
    assert page.locator("input[name='business-type--legal_form'][value=company]").is_checked()  # the applicant's
    for name, value in (("name", "株式会社やまだ商店"), ("name_kana", "かぶしきがいしゃやまだしょうてん"),
                        ("corporate_number", "7000012050002"), ("representative_name", "山田 太郎"),
                        ("representative_kana", "ヤマダ タロウ")):
        page.locator(f"#business-details--{name}").fill(value)
    # One answer missing: the page comes back with the error summary, everything typed kept.
    tab.submit(page.locator("main form .actions button[type=submit]"), status=422)
    assert tab.title().startswith("エラー: ")
    shot(tab, "02-section-error")
    assert page.locator("main .error-summary a[href='#business-details--representative_title']").count() == 1
    assert page.locator("#business-details--name").input_value() == "株式会社やまだ商店"
    page.locator("#business-details--representative_title").fill("代表取締役")
    tab.submit(page.locator("main form .actions button[type=submit]"), status=None)
    assert tab.path == f"{base}/section/contact", tab.path
    for name, value in (("postal_code", "100-0001"), ("prefecture", "東京都"), ("city", "千代田区"),
                        ("street", "千代田1-1"), ("phone", "03-1234-5678"), ("contact_email", "yamada@example.jp")):
        page.locator(f"#address--{name}").fill(value)
    tab.submit(page.locator("main form .actions button[type=submit]"), status=None)
    assert tab.path == f"{base}/section/eligibility", tab.path
    page.locator("#size--capital").fill("５千万円")
    page.locator("#size--employees").fill("１２人")
    assert page.locator("#exclusions--no_antisocial_ties").count() == 0
    for name, value in (("shares_total", "1000"), ("shares_largest_large_company", "0"),
                        ("shares_all_large_companies", "0"), ("officers_total", "3"),
                        ("officers_from_large_companies", "0")):
        page.locator(f"#exclusions--{name}").fill(value)
    page.locator("input[name='exclusions--owned_by_deemed_large'][value=no]").check()
    page.locator("input[name='exclusions--officers_all_from_deemed_large'][value=no]").check()
    tab.submit(page.locator("main form .actions button[type=submit]"), status=None)
    assert tab.path == f"{base}/", tab.path
    assert page.locator("main .notice-success").count() == 1


def applicant_finishes(tab, live_server, email: str) -> None:
    """From My Page: the desk's changes are listed; the applicant declares, uploads and sends."""
    page = tab.page
    assert tab.path == "/sme/"
    changes = page.locator("main ul.desk-edits li")
    assert changes.count() >= 3, page.locator("main").inner_text()
    assert "株式会社やまだ商店" in page.locator("main").inner_text()
    tab.goto(f"{SME}/exclusions")
    assert page.locator("#shares_total").input_value() == "1000"  # what the clerk entered
    page.locator("#no_antisocial_ties").check()
    save_step(tab, f"{SME}/documents")
    upload_certificate(tab)  # as the SME wizard's own e2e test uploads it
    save_step(tab, f"{SME}/declaration")
    page.locator("#agree_terms").check()
    save_step(tab, f"{SME}/check-answers")
    tab.submit(page.locator(f"main form[action='{SME}/submit'] button[type=submit]"))
    assert re.fullmatch(rf"{SME}/sent/C\d{{8}}", tab.path), tab.path
    assert live_server.outbox(email, "sme-application-received")


def test_clerk_registers_a_new_caller_who_submits_themselves(open_tab, js, live_server):
    clerk = open_tab(js=js)
    email, secret = new_clerk(live_server, clerk, "newcaller")
    clerk_logs_in(clerk, live_server, email, secret)
    clerk.click(clerk.page.locator(f"main a[href='{DESK}/']"))
    caller = f"caller.{clerk.mode}@example.jp"
    page = clerk.page
    page.locator("input[name='new-role'][value=sme]").check()
    page.locator("#new-name").fill("山田 花子")
    page.locator("#new-organisation_name").fill("やまだ商店")
    page.locator("#new-email").fill(caller)
    clerk.submit(page.locator(f"main form[action='{DESK}/new'] button[type=submit]"))
    base = re.fullmatch(rf"({DESK}/sme/\d+)/", clerk.path).group(1)
    clerk.click(page.locator("main .task-list a").first)
    clerk_enters_answers(clerk, base)
    # The declaration page is read-only for the clerk, and there is no send button anywhere.
    clerk.goto(f"{base}/declaration")
    assert page.locator("#agree_terms").count() == 0
    clerk.goto(f"{base}/check-answers")
    assert "株式会社やまだ商店" in page.locator("main").inner_text()
    assert page.locator("main form[action$='/submit']").count() == 0
    clerk.goto(f"{base}/")
    clerk.submit(page.locator("main form[action$='/invite'] button[type=submit]"))
    assert page.locator("main .notice-success").count() == 1

    # The applicant: the e-mailed link, a password of their own, the terms, My Page.
    applicant = open_tab(js=js)
    link = live_server.link_in_mail(caller, "desk-invitation", r"/account/password-reset/\S+")
    applicant.goto(link.replace(live_server.url, ""))
    password = "my own long password for the shop"
    applicant.page.locator("#password").fill(password)
    applicant.page.locator("#password_confirm").fill(password)
    applicant.submit(applicant.primary_button())
    assert applicant.path == "/account/login"
    applicant.page.locator("#email").fill(caller)
    applicant.page.locator("#password").fill(password)
    applicant.submit(applicant.primary_button())
    assert applicant.path.startswith("/account/consent"), applicant.path
    applicant.page.locator("#agree_terms").check()
    applicant.page.locator("#agree_privacy").check()
    applicant.submit(applicant.primary_button())
    assert applicant.path == "/sme/", applicant.path
    applicant_finishes(applicant, live_server, caller)


def test_support_code_lets_the_clerk_continue_a_stuck_draft(open_tab, js, live_server):
    applicant = open_tab(js=js)
    email = new_sme(live_server, applicant, "desk-code")
    log_in(applicant, email)
    page = applicant.page
    # The applicant answered the first step and is stuck at the second.
    applicant.goto(f"{SME}/business-type")
    page.locator("input[name=legal_form][value=company]").check()
    page.locator("input[name=industry][value=retail]").check()
    save_step(applicant, f"{SME}/business-details")
    applicant.goto("/sme/")
    applicant.submit(page.locator("main form[action='/sme/support-code'] button[type=submit]"))
    code = page.locator("main .support-code").inner_text().strip()
    shot(applicant, "00-support-code")
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code), code

    clerk = open_tab(js=js)
    clerk_email, secret = new_clerk(live_server, clerk, "code")
    clerk_logs_in(clerk, live_server, clerk_email, secret)
    clerk.goto(f"{DESK}/")
    # A mistyped code: a clear message beside the field.
    clerk.page.locator("#email").fill(email)
    clerk.page.locator("#code").fill("AAAA-2222")
    clerk.submit(clerk.page.locator(f"main form[action='{DESK}/code'] button[type=submit]"), status=422)
    assert clerk.page.locator("#code").get_attribute("aria-invalid") == "true"
    assert clerk.title().startswith("エラー: ")
    clerk.page.locator("#code").fill(code.lower())
    clerk.submit(clerk.page.locator(f"main form[action='{DESK}/code'] button[type=submit]"))
    base = re.fullmatch(rf"({DESK}/sme/\d+)/", clerk.path).group(1)
    assert clerk.page.locator(f"main dl.summary a[href='{base}/business-details']").count() == 1  # where they stopped
    shot(clerk, "01-tasks")
    # On the phone, the denser page: every question of a section at once, with the same checks.
    clerk.click(clerk.page.locator(f"main a[href='{base}/section/business']"))
    clerk_enters_sections(clerk, base)

    applicant.goto("/sme/")
    assert page.locator("main .support-code").count() == 0  # used: no longer shown
    shot(applicant, "03-my-page-desk-changes")
    applicant_finishes(applicant, live_server, email)


def test_inquiry_inbox_reply(open_tab, js, live_server):
    visitor = open_tab(js=js)
    visitor.goto("/inquiry")
    page = visitor.page
    page.locator("#name").fill("問合 太郎")
    page.locator("#email").fill(f"asker.{visitor.mode}@example.jp")
    page.locator("input[name=category][value=registration]").check()
    page.locator("#body").fill(f"登録方法を教えてください（{visitor.mode}）。")
    visitor.submit(visitor.primary_button())

    clerk = open_tab(js=js)
    email, secret = new_clerk(live_server, clerk, "inbox")
    clerk_logs_in(clerk, live_server, email, secret)
    clerk.goto("/secretariat/inquiries/?q=" + f"asker.{visitor.mode}")
    rows = clerk.page.locator("main table tbody tr")
    assert rows.count() == 1
    clerk.click(rows.first.locator("a"))
    clerk.page.locator("#body").fill("マイページの「登録申請を始める」からお進みください。")
    clerk.submit(clerk.page.locator("main form[action$='/reply'] button[type=submit]"))
    assert "登録申請を始める" in clerk.page.locator("main ol.thread").inner_text()
    assert live_server.outbox(f"asker.{visitor.mode}@example.jp", "inquiry-reply")
    clerk.submit(clerk.page.locator("main form[action$='/close'] button[type=submit]"))
    assert clerk.page.locator("main input[name=reopen]").count() == 1
