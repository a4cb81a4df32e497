"""The SME registration wizard in a real browser, with JavaScript on and off (issue "SME registration
wizard", Tests): the whole wizard from My Page to the confirmation page, with the live eligibility
panel and the postal code lookup (htmx, or their no-JS buttons); the error states; save and come back
later.  The tab fixture runs axe on every page and collects it for the Nu HTML Checker (conftest.py).

Each test uses an SME account of its own (created in the database, verified and consented), logged
in through the real login form.  The whole wizard runs on a phone-sized viewport and leaves
screenshots in test-artifacts/screenshots/sme-*.png for people to look at."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.fixtures.browser import live_panel, log_in, new_sme, upload_certificate  # noqa: F401

BASE = "/sme/register"
PHONE = {"width": 390, "height": 844}
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
LIVE_TIMEOUT = 5_000  # ms: htmx debounces 300-600 ms, then one GET to the local server

SME = "中小企業に該当します"
SMALL = "小規模事業者にも該当します"
INELIGIBLE = "対象外です"


# ------------------------------------------------------------------------------------------- helpers

def log_out(tab) -> None:
    tab.submit(tab.page.locator("header form[action='/account/logout'] button[type=submit]"))
    assert tab.path == "/"


def check_button(tab):
    """The no-JS button of the live panel: a POST of the form to the step's .../check URL (issue 11 item 18)."""
    return tab.page.locator("main .no-js-check button[type=submit]")


def next_button(tab):
    return tab.page.locator("main form[data-hx-boost] .actions button.button-primary[type=submit]")


def save_for_later_button(tab):
    return tab.page.locator("main form .actions button[name=action][value=save]")


def continue_to(tab, slug: str | None, *, status: int = 200) -> None:
    """「次へ進む」; the next page is ``slug`` (None: check your answers)."""
    response = tab.submit(next_button(tab), status=status)
    expected = f"{BASE}/{slug}" if slug else f"{BASE}/check-answers"
    assert tab.path == expected, (tab.path, expected)
    if tab.js and status == 200:  # one round trip: the boosted POST is answered with the next page
        assert response.request.method == "POST"
        assert response.headers.get("hx-push-url") == expected


def answers_shown(tab) -> dict[str, str]:
    """Check your answers: {label: value shown}."""
    return tab.page.locator("main dl.summary .summary-row").evaluate_all(
        "rows => Object.fromEntries(rows.map(r => [r.querySelector('dt').innerText.trim(),"
        " r.querySelector('dd').innerText.trim()]))")


def fits_the_phone(tab) -> None:
    wide = tab.page.evaluate("document.documentElement.scrollWidth")
    assert wide <= PHONE["width"], f"{tab.path} scrolls sideways on a {PHONE['width']} px phone ({wide} px)"


def shot(tab, name: str, *, both_modes: bool = False) -> None:
    """A phone-sized screenshot; without JavaScript only of the pages that differ (the no-JS buttons)."""
    fits_the_phone(tab)
    if tab.js or both_modes:
        out = tab.screenshot(f"sme-{tab.mode}-{name}")
        assert out.stat().st_size > 5_000, f"{out} looks empty"


def answer_business_type(tab) -> None:
    assert tab.path == f"{BASE}/business-type"
    tab.page.locator("input[name=legal_form][value=company]").check()
    tab.page.locator("input[name=industry][value=retail]").check()
    if tab.js:  # the panel follows the answers without a button: now it knows the limits of retail
        expect(live_panel(tab)).to_contain_text("④小売業は50人以下", timeout=LIVE_TIMEOUT)
        assert "先に組織形態と主たる業種を選択してください" not in live_panel(tab).inner_text()
        assert tab.path == f"{BASE}/business-type"
        tab.check()  # axe on the page as htmx changed it


def answer_business_details(tab) -> None:
    assert tab.path == f"{BASE}/business-details"
    page = tab.page
    page.locator("#name").fill("株式会社やまだ商店")
    page.locator("#name_kana").press_sequentially("かぶしきがいしゃやまだしょうてん")
    page.locator("#corporate_number").fill("７００００１２０５０００２")  # full-width, as a phone keyboard types it
    page.locator("#established-era").select_option("heisei")
    page.locator("#established-year").fill("元")
    page.locator("#established-month").fill("4")
    page.locator("#established-day").fill("1")
    page.locator("#representative_name").fill("山田 太郎")
    page.locator("#representative_kana").press_sequentially("やまだ たろう")
    page.locator("#representative_title").fill("代表取締役")


def answer_address(tab, *, screenshots: bool = False) -> None:
    """The postal code fills prefecture and city (htmx out-of-band, or the 「住所を検索する」 button),
    never overwriting the street that was typed first."""
    assert tab.path == f"{BASE}/address"
    page = tab.page
    page.locator("#street").fill("千代田1-1")
    if tab.js:
        page.locator("#postal_code").press_sequentially("100-0001")
        expect(page.locator("#prefecture")).to_have_value("東京都", timeout=LIVE_TIMEOUT)
        expect(page.locator("#city")).to_have_value("千代田区", timeout=LIVE_TIMEOUT)
        expect(live_panel(tab)).to_contain_text("東京都 千代田区 千代田")
        assert tab.path == f"{BASE}/address"  # no page load: a fragment and out-of-band inputs
        tab.check()
    else:
        page.locator("#postal_code").fill("100-0001")
        button = check_button(tab)
        assert button.inner_text().strip() == "住所を検索する"
        tab.submit(button)
        assert tab.path == f"{BASE}/address/check", tab.path  # a POST: no typed value in the URL
        assert page.locator("#prefecture").input_value() == "東京都"
        assert page.locator("#city").input_value() == "千代田区"
        assert page.locator("#postal_code").input_value() == "100-0001"
    assert page.locator("#street").input_value() == "千代田1-1"  # what was typed is kept
    if screenshots:
        shot(tab, "03-address-lookup", both_modes=True)
    page.locator("#phone").fill("03-1234-5678")
    page.locator("#contact_email").fill("yamada@example.jp")


def size_panel_says(tab, capital: str, employees: str, *, expected: str, absent: str | None = None) -> None:
    """Type the size and see the panel's verdict: live with JavaScript, after the check button without."""
    page = tab.page
    page.locator("#capital").fill(capital)
    page.locator("#employees").fill(employees)
    if tab.js:
        expect(live_panel(tab)).to_contain_text(expected, timeout=LIVE_TIMEOUT)
        if absent:
            expect(live_panel(tab)).not_to_contain_text(absent, timeout=LIVE_TIMEOUT)
        assert tab.path == f"{BASE}/size"  # nothing pressed, no page load
        tab.check()
    else:
        tab.submit(check_button(tab))
        assert tab.path == f"{BASE}/size/check", tab.path  # a POST: no typed value in the URL
        assert page.locator("#capital").input_value() == capital  # typed values come back as typed
        assert page.locator("#employees").input_value() == employees
        assert expected in live_panel(tab).inner_text()
        if absent:
            assert absent not in live_panel(tab).inner_text()


def answer_exclusions(tab) -> None:
    assert tab.path == f"{BASE}/exclusions"
    page = tab.page
    for name, value in (("shares_total", "1000"), ("shares_largest_large_company", "0"),
                        ("shares_all_large_companies", "0"), ("officers_total", "3"),
                        ("officers_from_large_companies", "0")):
        page.locator(f"#{name}").fill(value)
    page.locator("input[name=owned_by_deemed_large][value=no]").check()
    page.locator("input[name=officers_all_from_deemed_large][value=no]").check()
    page.locator("#no_antisocial_ties").check()


def to_size_step(tab) -> None:
    """From My Page through steps 1-3 (the tests of the error states and the drafts start here)."""
    tab.click(tab.page.locator(f"main a[href='{BASE}/']"))
    tab.click(tab.page.locator("main .task-list a").first)
    answer_business_type(tab)
    continue_to(tab, "business-details")
    answer_business_details(tab)
    continue_to(tab, "address")
    answer_address(tab)
    continue_to(tab, "size")


# ------------------------------------------------------------------------------------------- tests

def test_whole_wizard_from_my_page_to_confirmation(tab, live_server):
    tab.page.set_viewport_size(PHONE)
    email = new_sme(live_server, tab, "whole")
    log_in(tab, email)
    page = tab.page

    # My Page -> the task list -> step 1.
    start = page.locator(f"main a.button[href='{BASE}/']")
    assert start.inner_text().strip() == "登録申請を始める"
    tab.click(start)
    assert tab.path == f"{BASE}/"
    shot(tab, "00-tasks")
    tab.click(page.locator("main .task-list a").first)

    # 1. Legal form and industry (radio buttons).  The question for other organisations is hidden
    # for a company (CSS :has, with or without JavaScript).
    assert page.locator(".field-carries_on_business").is_visible()
    answer_business_type(tab)
    assert not page.locator(".field-carries_on_business").is_visible()
    shot(tab, "01-business-type")
    continue_to(tab, "business-details")

    # 2. Business details: full-width digits, furigana in hiragana.
    answer_business_details(tab)
    shot(tab, "02-business-details")
    continue_to(tab, "address")

    # 3. Address: postal code lookup.
    answer_address(tab, screenshots=True)
    continue_to(tab, "size")

    # 4. Size: the live panel (or its button) says SME, and small business with 5 employees in retail.
    size_panel_says(tab, "５千万円", "１２人", expected=SME, absent=SMALL)
    shot(tab, "04-size-sme", both_modes=True)
    size_panel_says(tab, "５千万円", "5", expected=SMALL)
    assert SME in live_panel(tab).inner_text()
    shot(tab, "04-size-small", both_modes=True)
    size_panel_says(tab, "５千万円", "１２人", expected=SME, absent=SMALL)
    continue_to(tab, "exclusions")

    # 5. Exclusions.
    answer_exclusions(tab)
    if tab.js:
        expect(live_panel(tab)).to_contain_text(SME, timeout=LIVE_TIMEOUT)
    shot(tab, "05-exclusions")
    continue_to(tab, "documents")

    # 6. Documents: upload, listed back, continue.
    shot(tab, "06-documents")
    upload_certificate(tab)
    shot(tab, "06-documents-uploaded")
    continue_to(tab, "declaration")

    # 7. Declaration.
    page.locator("#agree_terms").check()
    shot(tab, "07-declaration")
    continue_to(tab, None)

    # Check your answers: the amounts as numbers; a change link comes back here.
    shown = answers_shown(tab)
    for label, value in (("事業者名", "株式会社やまだ商店"), ("設立年月日（個人事業主の方は開業年月日）", "1989年4月1日（平成元年）"),
                         ("都道府県", "東京都"), ("市区町村", "千代田区"), ("町名・番地", "千代田1-1"),
                         ("資本金の額（出資の総額）", "50,000,000円"), ("常時使用する従業員の数", "12"),
                         ("アップロード済みの書類", "登記事項証明書.pdf（履歴事項全部証明書）")):
        assert shown.get(label) == value, (label, shown.get(label), shown)
    shot(tab, "08-check-answers")
    change = page.locator(f"main dl.summary a[href^='{BASE}/size?return=check']").first
    tab.click(change)
    assert tab.path == f"{BASE}/size?return=check"
    assert page.locator("#capital").input_value() == "５千万円"  # as typed
    assert page.locator("a.back-link").get_attribute("href") == f"{BASE}/check-answers"
    page.locator("#employees").fill("１３人")
    continue_to(tab, None)
    assert answers_shown(tab)["常時使用する従業員の数"] == "13"

    # Send: the confirmation page with the reference number.
    send = page.locator(f"main form[action='{BASE}/submit'] button[type=submit]")
    assert send.inner_text().strip() == "この内容で申請する"
    tab.submit(send)
    found = re.fullmatch(rf"{BASE}/sent/(C\d{{8}})", tab.path)
    assert found, tab.path
    assert tab.h1() == "申請を受け付けました"
    reference = page.locator("main .confirmation strong").inner_text().strip()
    assert re.fullmatch(r"[A-Z]\d{8}", reference), reference
    shot(tab, "09-sent")
    assert live_server.outbox(email, "sme-application-received"), "no confirmation e-mail in the outbox"
    # Back in the browser: the application sent and its status, never an empty new one (issue 11 item 9).
    page.go_back(wait_until="load")
    expect(page.locator("h1")).to_have_text("申請を受け付けました")
    expect(page.locator("#application-status")).to_have_text("申請済み")
    assert reference in page.locator("main").inner_text()

    # My Page: 申請済み, with the timeline.
    tab.click(page.locator("main a[href='/sme/']"))
    assert tab.path == "/sme/"
    main = page.locator("main").inner_text()
    assert reference in main and "申請済み" in main
    timeline = page.locator("main ol.timeline li")
    assert timeline.count() == 1 and "申請済み" in timeline.inner_text()
    assert page.locator("main ol.timeline time[datetime]").count() == 1
    shot(tab, "10-my-page")


def test_size_errors_and_ineligible_result(tab, live_server):
    tab.page.set_viewport_size(PHONE)
    email = new_sme(live_server, tab, "errors")
    log_in(tab, email)
    to_size_step(tab)

    # Empty: 422, 「エラー: 」 title, the error summary has focus and leads to the field.
    response = tab.submit(next_button(tab), status=422)
    assert response.request.method == "POST"
    assert tab.title().startswith("エラー: "), tab.title()
    error_summary = tab.page.locator("main .error-summary")
    assert tab.focused_is(error_summary), "the error summary does not have focus"
    for field_id in ("capital", "employees"):
        assert error_summary.locator(f"a[href='#{field_id}']").count() == 1, field_id
        field = tab.page.locator(f"#{field_id}")
        assert field.get_attribute("aria-invalid") == "true"
        assert f"{field_id}-error" in (field.get_attribute("aria-describedby") or "").split()
    shot(tab, "11-size-errors", both_modes=True)

    # Over both limits for retail: the panel says so, and saving leads to the result page.
    size_panel_says(tab, "50,000,001", "51", expected=INELIGIBLE)
    tab.submit(next_button(tab), status=None)
    assert tab.path == f"{BASE}/result", tab.path
    assert INELIGIBLE in tab.h1()
    reasons = tab.page.locator("main ul.reasons li")
    assert reasons.count() >= 1
    why = "\n".join(reasons.all_inner_texts())
    assert "資本金50,000,001円" in why and "上限50,000,000円" in why and "51人" in why, why
    shot(tab, "12-not-eligible", both_modes=True)
    # The way back leads to the step whose answers decided it (issue 11 item 4), not round the task list.
    back = tab.page.locator(f"main li a[href='{BASE}/size']")
    assert back.inner_text().strip() == "入力画面に戻る"
    assert tab.page.locator(f"main a#change-deciding[href='{BASE}/size']").count() == 1
    tab.click(back)
    assert tab.path == f"{BASE}/size"
    # The answers are kept as typed, ready to be corrected.
    assert tab.page.locator("#capital").input_value() == "50,000,001"
    assert tab.page.locator("#employees").input_value() == "51"


def test_save_and_come_back_later_keeps_the_typed_values(tab, live_server):
    email = new_sme(live_server, tab, "resume")
    log_in(tab, email)
    tab.click(tab.page.locator(f"main a[href='{BASE}/']"))
    tab.click(tab.page.locator("main .task-list a").first)
    answer_business_type(tab)
    continue_to(tab, "business-details")

    # Half the step, one answer not valid yet: saved as typed, without checking.
    page = tab.page
    page.locator("#name").fill("株式会社やまだ商店")
    page.locator("#name_kana").press_sequentially("かぶしきがいしゃ")
    page.locator("#corporate_number").fill("７０００")
    tab.submit(save_for_later_button(tab), status=None)
    assert tab.path == f"{BASE}/", tab.path
    assert "入力内容を保存しました" in page.locator("main .notice-success").inner_text()
    log_out(tab)

    log_in(tab, email)
    continue_link = page.locator(f"main a.button[href='{BASE}/']")
    assert continue_link.inner_text().strip() == "登録申請を続ける"
    tab.click(continue_link)
    assert page.locator("main .task-list .task").first.locator(".tag-in_progress").count() == 1
    tab.click(page.locator("main .task-list a").first)
    assert tab.path == f"{BASE}/business-details"
    assert page.locator("#name").input_value() == "株式会社やまだ商店"
    assert page.locator("#name_kana").input_value() == "かぶしきがいしゃ"
    assert page.locator("#corporate_number").input_value() == "７０００"
    assert page.locator("#representative_name").input_value() == ""


def test_a_chosen_file_is_uploaded_by_save_and_continue(tab, live_server):
    """The applicant picks the file and presses 「次へ進む」 without 「アップロードする」: the file goes up
    with the step (JavaScript on: one boosted multipart POST; off: POST, 303, GET)."""
    email = new_sme(live_server, tab, "chosen")
    log_in(tab, email)
    to_size_step(tab)
    tab.page.locator("#capital").fill("1000万")
    tab.page.locator("#employees").fill("5")
    continue_to(tab, "exclusions")
    answer_exclusions(tab)
    continue_to(tab, "documents")
    tab.page.locator("#file").set_input_files({"name": "履歴事項.pdf", "mimeType": "application/pdf",
                                               "buffer": PDF})
    continue_to(tab, "declaration")
    assert "履歴事項.pdf をアップロードしました" in tab.page.locator("main").inner_text()
    tab.goto(f"{BASE}/documents")
    assert "履歴事項.pdf" in tab.page.locator("main .files").inner_text()


def test_a_step_on_its_way_shows_it_and_takes_no_second_tap(open_tab, live_server):
    """Issue 11 item 2: on a slow link (1.5 s latency) a boosted 「次へ進む」 at once disables the form's
    buttons and shows the 「送信中…」 status line (htmx's request class and the stylesheet, no inline
    style: the CSP would report it as a console error, which the tab fixture fails on); when the next
    step arrives, the line is gone and the buttons of the new page are enabled."""
    tab = open_tab(js=True, viewport=PHONE)
    log_in(tab, new_sme(live_server, tab, "sending"))
    tab.goto(f"{BASE}/business-type")
    page = tab.page
    answer_business_type(tab)
    status = page.locator("#sending")
    assert status.get_attribute("role") == "status"
    expect(status.locator(".htmx-indicator")).to_be_hidden()
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions",
             {"offline": False, "latency": 1500, "downloadThroughput": 50_000, "uploadThroughput": 50_000})
    try:
        next_button(tab).click()
        expect(status.locator(".htmx-indicator")).to_be_visible(timeout=1000)
        expect(status).to_contain_text("送信中")
        expect(next_button(tab)).to_be_disabled()
        expect(save_for_later_button(tab)).to_be_disabled()
        page.wait_for_url(f"**{BASE}/business-details", timeout=15_000)
        expect(status.locator(".htmx-indicator")).to_be_hidden()
        expect(next_button(tab)).to_be_enabled()
    finally:
        cdp.send("Network.emulateNetworkConditions",
                 {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    tab.check()
