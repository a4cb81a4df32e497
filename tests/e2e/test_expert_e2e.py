"""The IT expert registration wizard in a real browser, with JavaScript on and off (issue 5, Tests):
from My Page through the seven steps to the confirmation page, with the live panels (who may take
part, the postal code, the honorarium per hour) and the bank and branch search (htmx, or the plain
「検索」 button without JavaScript), the uploads, check your answers and the e-mail.  The tab fixture
runs axe on every page and collects every page for the Nu HTML Checker (conftest.py)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.fixtures.app import PASSWORD
from tests.fixtures.browser import log_in as sme_log_in
from tests.fixtures.browser import new_account
from tests.fixtures.expert_answers import PDF, PNG

BASE = "/expert/register"
LIVE_TIMEOUT = 5_000
PHONE = {"width": 390, "height": 844}


def shot(tab, name: str) -> None:
    """A phone-sized screenshot (test-artifacts/screenshots/expert-*.png); the page must not scroll sideways."""
    wide = tab.page.evaluate("document.documentElement.scrollWidth")
    assert wide <= PHONE["width"], f"{tab.path} scrolls sideways on a phone ({wide} px)"
    out = tab.screenshot(f"expert-{tab.mode}-{name}")
    assert out.stat().st_size > 5_000, f"{out} looks empty"


def new_expert(live_server, tab, test: str) -> str:
    return new_account(live_server, f"{test}.{tab.mode}@expert.example.jp", "expert", "佐藤 一郎")


def log_in(tab, email: str) -> None:
    """The expert logs in and lands on My Page."""
    sme_log_in(tab, email, home="/expert/", h1=None)


def panel(tab):
    return tab.page.locator("#live-panel")


def next_button(tab):
    return tab.page.locator("main form[data-hx-boost] .actions button.button-primary[type=submit]").last


def continue_to(tab, slug: str | None) -> None:
    tab.submit(next_button(tab))
    expected = f"{BASE}/{slug}" if slug else f"{BASE}/check-answers"
    assert tab.path == expected, (tab.path, expected)


def live_check(tab, text: str) -> None:
    """The panel says ``text``: live with JavaScript, after the no-JS check button without."""
    if tab.js:
        expect(panel(tab)).to_contain_text(text, timeout=LIVE_TIMEOUT)
        tab.check()
    else:
        tab.submit(tab.page.locator("main .no-js-check button").first)
        assert text in panel(tab).inner_text()


def upload(tab, slug: str, purpose: str, name: str, content: bytes, mime: str) -> None:
    page = tab.page
    page.locator(f"input[name=purpose][value={purpose}]").check()
    page.locator("#file").set_input_files({"name": name, "mimeType": mime, "buffer": content})
    tab.submit(page.locator(f"main form[action='{BASE}/{slug}/upload'] button[type=submit]"))
    assert tab.path == f"{BASE}/{slug}", tab.path
    assert name in page.locator("main table").inner_text()


def choose_candidate(tab, name: str, value: str, query_id: str, query: str, *, text: str) -> None:
    """Search by name and press the match: live with htmx, or with the 「検索」 button without JS."""
    page = tab.page
    if tab.js:
        page.locator(f"#{query_id}").press_sequentially(query)
        expect(panel(tab)).to_contain_text(text, timeout=LIVE_TIMEOUT)
        tab.check()
    else:
        page.locator(f"#{query_id}").fill(query)
        tab.submit(page.locator("main .no-js-check button").first)
        assert tab.path.startswith(f"{BASE}/bank/search"), tab.path
    tab.submit(page.locator(f"#live-panel button[name={name}][value='{value}']"))
    if tab.js:
        assert tab.path == f"{BASE}/bank", tab.path  # HX-Push-Url: reloading shows the step


def test_expert_wizard_from_my_page_to_confirmation(tab, live_server):
    tab.page.set_viewport_size(PHONE)
    email = new_expert(live_server, tab, "expert-whole")
    log_in(tab, email)
    page = tab.page
    tab.click(page.locator(f"main a.button[href='{BASE}/']"))
    assert tab.path == f"{BASE}/"
    tab.click(page.locator("main .task-list a").first)

    # 1. How you take part: the rules' panel says what a freelance needs at the program's date.
    assert tab.path == f"{BASE}/participation"
    page.locator("input[name=participation][value=freelance]").check()
    live_check(tab, "2021年10月18日までは資格がなくても登録できます")
    shot(tab, "01-participation")
    continue_to(tab, "person")

    # 2. Person: furigana in hiragana, era date, postal lookup (the SME's), never overwriting the street.
    page.locator("#name").fill("佐藤 一郎")
    page.locator("#name_kana").press_sequentially("さとう いちろう")
    page.locator("#birth_date-era").select_option("showa")
    page.locator("#birth_date-year").fill("55")
    page.locator("#birth_date-month").fill("4")
    page.locator("#birth_date-day").fill("1")
    page.locator("#street").fill("千代田1-1")
    if tab.js:
        page.locator("#postal_code").press_sequentially("100-0001")
        expect(page.locator("#city")).to_have_value("千代田区", timeout=LIVE_TIMEOUT)
        tab.check()
    else:
        page.locator("#postal_code").fill("100-0001")
        tab.submit(page.locator("main .no-js-check button[type=submit]"))
        assert page.locator("#city").input_value() == "千代田区"
    assert page.locator("#street").input_value() == "千代田1-1"
    page.locator("#phone").fill("090-1234-5678")
    page.locator("#email").fill(email)
    continue_to(tab, "identity")

    # 3. Identity: the kind, then the uploads (identity document and face photo).
    page.locator("input[name=identity_kind][value=driving_licence]").check()
    continue_to(tab, "identity-documents")
    upload(tab, "identity-documents", "identity_document", "運転免許証.pdf", PDF, "application/pdf")
    upload(tab, "identity-documents", "face_photo", "顔写真.png", PNG, "image/png")
    continue_to(tab, "qualifications")

    # 4. Qualifications with the certificate number, then the certificate.
    page.locator("input[name=qualifications][value=it_coordinator]").check()
    page.locator("#it_coordinator_number").fill("ITC-12345")
    shot(tab, "04-qualifications")
    continue_to(tab, "certificates")
    upload(tab, "certificates", "qualification_certificate", "ITC認定証.pdf", PDF, "application/pdf")
    continue_to(tab, "profile")

    # 5. Profile: the honorarium and the SME's share per hour follow the rate.
    page.locator("input[name=support_areas][value=telework]").check()
    page.locator("input[name=support_areas][value=security]").check()
    page.locator("#career").fill("中小企業のテレワーク導入を10年支援しています。")
    page.locator("input[name=delivery][value=both]").check()
    page.locator("input[name=prefectures][value=東京都]").check()
    page.locator("input[name=accepts_introductions][value=yes]").check()
    page.locator("#hourly_rate").fill("4,000円")
    live_check(tab, "3,500円")
    shot(tab, "05-profile")
    assert page.locator("#hourly_rate").input_value() == "4,000円"
    continue_to(tab, "bank")

    # 6. Bank account: bank and branch found by name, the account typed as people type it.
    page.locator("#account_number").fill("１２３４５６７")
    choose_candidate(tab, "bank_choice", "0001", "bank_query", "みずほ", text="みずほ銀行（0001）")
    assert page.locator("#bank_code").input_value() == "0001"
    assert page.locator("#account_number").input_value() == "１２３４５６７"  # nothing typed is lost
    page.locator("#branch_query").fill("")
    if tab.js:
        page.locator("#branch_query").press_sequentially("とうきょう")
        expect(panel(tab)).to_contain_text("東京営業部（001）", timeout=LIVE_TIMEOUT)
        shot(tab, "06-bank-branch-search")
        page.locator("#branch_query").fill("")
    choose_candidate(tab, "branch_choice", "001", "branch_query", "とうきょう", text="東京営業部（001）")
    assert page.locator("#branch_code").input_value() == "001"
    page.locator("input[name=account_type][value=ordinary]").check()
    page.locator("#account_holder").fill("さとう いちろう")
    page.locator("input[name=account_owner][value=personal]").check()
    shot(tab, "06-bank")
    continue_to(tab, "declaration")

    # 7. Declaration, check your answers, send.
    page.locator("#agree_terms").check()
    page.locator("#no_antisocial_ties").check()
    continue_to(tab, None)
    main = page.locator("main").inner_text()
    for shown in ("佐藤 一郎", "1980年4月1日（昭和55年）", "みずほ銀行（0001）", "東京営業部（001）", "4,000円", "運転免許証.pdf"):
        assert shown in main, shown
    tab.submit(page.locator(f"main form[action='{BASE}/submit'] button[type=submit]"))
    assert re.fullmatch(rf"{BASE}/sent/E\d{{8}}", tab.path), tab.path  # the application's own reference
    reference = page.locator("main .confirmation strong").inner_text().strip()
    assert re.fullmatch(r"E\d{8}", reference), reference
    assert live_server.outbox(email, "expert-application-received"), "no confirmation e-mail in the outbox"
    tab.click(page.locator("main a[href='/expert/']"))
    assert reference in page.locator("main").inner_text()
    shot(tab, "09-my-page")
    assert page.locator("main ol.timeline li").count() == 1


def test_expert_errors_are_announced(tab, live_server):
    email = new_expert(live_server, tab, "expert-errors")
    log_in(tab, email)
    tab.goto(f"{BASE}/participation")
    tab.submit(next_button(tab), status=422)
    assert tab.title().startswith("エラー: ")
    summary = tab.page.locator("main .error-summary")
    assert tab.focused_is(summary)
    assert summary.locator("a[href='#participation-0']").count() == 1


def test_directory_filters_pages_and_profile(tab, live_server):
    """An SME browses the demo directory (seed-demo publishes 30 experts): filters, next page, a profile."""
    from tests.fixtures.browser import new_sme

    email = new_sme(live_server, tab, "directory")
    tab.goto("/account/login")
    tab.page.locator("#email").fill(email)
    tab.page.locator("#password").fill(PASSWORD)
    tab.submit(tab.primary_button())
    tab.goto("/expert/directory")
    page = tab.page
    first = page.locator("main .expert-list li").count()
    assert first == 10
    tab.click(page.locator("main .pagination a[rel=next]"))
    assert "page=2" in tab.path
    page.locator("#area").select_option("security")
    page.locator("#rate_max").fill("9,000円")
    tab.submit(page.locator("main form.expert-filters button[type=submit]"))
    assert "area=security" in tab.path, tab.path
    assert page.locator("main .expert-list li").count() >= 1
    tab.click(page.locator("main .expert-list li h3 a").first)
    assert re.fullmatch(r"/expert/directory/\d+", tab.path), tab.path
    main = page.locator("main").inner_text()
    assert "@" not in main and "〒" not in main
