"""Posting a consultation case in a real browser, with JavaScript on and off (issue 12): an approved SME
goes from My Page through the case wizard (every step, check your answers, publish), sees the case page
as experts will see it, changes the case, closes it to proposals and finds it in its list; an SME not
yet approved writes a case and is told why it cannot be published.  The tab fixture runs axe on every
page and collects it for the Nu HTML Checker (conftest.py); the case page is photographed at 390 px."""

from __future__ import annotations

import re

from tests.fixtures.browser import log_in, new_account

NEW = "/sme/cases/new"
PHONE = {"width": 390, "height": 844}


def approved_sme(live_server, email: str) -> str:
    def approve(user):
        from tests.fixtures import factories

        factories.approved_sme(None, user=user)

    return new_account(live_server, email, "sme", "山田 太郎", then=approve)


def next_button(tab):
    return tab.page.locator("main form[data-hx-boost] .actions button.button-primary[type=submit]")


def continue_to(tab, slug: str | None, *, status: int = 200) -> None:
    response = tab.submit(next_button(tab), status=status)
    expected = f"{NEW}/{slug}" if slug else f"{NEW}/check-answers"
    assert tab.path == expected, (tab.path, expected)
    if tab.js and status == 200:  # one round trip: the boosted POST is answered with the next page
        assert response.request.method == "POST"


def fits_the_phone(tab) -> None:
    wide = tab.page.evaluate("document.documentElement.scrollWidth")
    assert wide <= PHONE["width"], f"{tab.path} scrolls sideways on a {PHONE['width']} px phone ({wide} px)"


def shot(tab, name: str) -> None:
    fits_the_phone(tab)
    out = tab.screenshot(f"cases-{tab.mode}-{name}")
    assert out.stat().st_size > 5_000, f"{out} looks empty"


def write_case(tab) -> None:
    """From the task list through every step to check your answers."""
    page = tab.page
    tab.click(page.locator("main .task-list a").first)
    assert tab.path == f"{NEW}/theme"
    page.locator("#title").fill("ネットショップを始めたい")
    continue_to(tab, "goals")
    page.locator("#goals").fill("店頭だけの売上を\n通販でも伸ばしたい。")
    page.locator("#situation").fill("注文は電話とFAXで受けています。")
    continue_to(tab, "areas")
    page.locator("input[name=areas][value=ec_sites]").check()
    page.locator("input[name=areas][value=cashless]").check()
    continue_to(tab, "kind")
    assert page.locator("main .choice-hint").count() == 3  # each kind explained
    shot(tab, "kind")
    page.locator("input[name=kind][value=proposals_wanted]").check()
    continue_to(tab, "hours")
    page.locator("#hours").fill("１０．５")
    page.locator("#period_months").select_option("3")
    continue_to(tab, "mode")
    page.locator("input[name=mode][value=onsite]").check()
    continue_to(tab, "mode", status=422)  # on site needs the prefecture
    assert page.locator("main .error-summary").count() == 1
    page.locator("#prefecture").select_option("東京都")
    page.locator("#place").fill("台東区")
    continue_to(tab, "deadline")
    page.locator("#deadline-year").fill("2021")
    page.locator("#deadline-month").fill("5")
    page.locator("#deadline-day").fill("31")
    continue_to(tab, "deadline", status=422)  # a day in the past
    assert "提案期限が過ぎた日付です" in page.locator("main").inner_text()
    page.locator("#deadline-month").fill("6")
    page.locator("#deadline-day").fill("30")
    continue_to(tab, "budget")
    assert "300,000円" in page.locator("main").inner_text()
    continue_to(tab, None)


def test_an_approved_sme_posts_changes_and_closes_a_case(tab, live_server):
    tab.page.set_viewport_size(PHONE)
    email = approved_sme(live_server, f"post.{tab.mode}@cases.example.jp")
    log_in(tab, email)
    page = tab.page
    tab.click(page.locator(f"main a.button[href='{NEW}/']"))
    assert tab.path == f"{NEW}/"
    write_case(tab)
    main = page.locator("main").inner_text()
    for shown in ("ネットショップを始めたい", "10.5時間", "3か月", "訪問", "東京都", "2021年6月30日", "300,000円"):
        assert shown in main, shown
    shot(tab, "check-answers")
    publish = page.locator(f"main form[action='{NEW}/submit'] button[type=submit]")
    assert publish.inner_text().strip() == "この内容で案件を公開する"
    tab.submit(publish)
    assert re.fullmatch(rf"{NEW}/sent/W-\d{{4}}-\d{{6}}", tab.path), tab.path
    reference = page.locator("main .confirmation strong").inner_text().strip()
    assert re.fullmatch(r"K\d{8}", reference), reference

    # The case page: status, what experts see, the actions.
    tab.click(page.locator("main a.button", has_text="案件を見る"))
    assert re.fullmatch(r"/sme/cases/\d+", tab.path), tab.path
    case_path = tab.path
    main = page.locator("main").inner_text()
    assert "公開中" in main and reference in main and "ECサイト" in main and "山田 太郎" not in main
    shot(tab, "case-page")

    # Change it.
    tab.click(page.locator("main a", has_text="案件の内容を変更する"))
    assert tab.path == f"{case_path}/edit"
    page.locator("#title").fill("ネットショップを始めたい（写真の撮り方も）")
    tab.submit(page.locator("main form button.button-primary[type=submit]"))
    assert tab.path == case_path
    assert "ネットショップを始めたい（写真の撮り方も）" in tab.h1()

    # Close it to proposals (a confirmation page, then the case page again).
    tab.click(page.locator("main a", has_text="提案の受付を今すぐ終了する"))
    assert tab.path == f"{case_path}/close"
    tab.submit(page.locator("main form button[type=submit]"))
    assert tab.path == case_path
    assert "締切" in page.locator("main").inner_text()
    assert page.locator("main a", has_text="案件の内容を変更する").count() == 0

    # The list of cases, from the back link.
    tab.click(page.locator("a.back-link"))
    assert tab.path == "/sme/cases"
    assert reference in page.locator("main table").inner_text()
    shot(tab, "list")


def test_an_sme_not_approved_writes_a_case_but_is_told_why_it_cannot_publish(tab, live_server):
    tab.page.set_viewport_size(PHONE)
    email = new_account(live_server, f"waiting.{tab.mode}@cases.example.jp", "sme", "佐藤 花子")
    log_in(tab, email)
    page = tab.page
    tab.click(page.locator("main a[href='/sme/cases']"))
    assert "まだ承認されていません" in page.locator("main").inner_text()
    tab.click(page.locator(f"main a.button[href='{NEW}/']"))
    write_case(tab)
    tab.submit(page.locator(f"main form[action='{NEW}/submit'] button[type=submit]"), status=403)
    assert tab.h1() == "案件はまだ公開できません"
    shot(tab, "not-approved")
    tab.click(page.locator("main a", has_text="相談案件の一覧へ"))
    assert "作成中の案件" in page.locator("main").inner_text()


def test_the_demo_smes_cases_at_every_status(open_tab, live_server):
    """The demo SME (README) finds a case at every status from its My Page; each page passes axe and Nu."""
    from dxapp.demo import DEMO_PASSWORD

    tab = open_tab(js=False, viewport=PHONE)
    tab.goto("/account/login")
    tab.page.locator("#email").fill("sme@demo.example")
    tab.page.locator("#password").fill(DEMO_PASSWORD)
    tab.submit(tab.primary_button())
    tab.click(tab.page.locator("main a[href='/sme/cases']"))
    text = tab.page.locator("main").inner_text()
    for label in ("公開中", "締切", "マッチング済み", "取下げ", "作成中の案件"):
        assert label in text, label
    links = tab.page.locator("main table a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert len(links) >= 7  # the other areas (proposals, packages) add demo cases of their own
    for href in links:
        tab.goto(href)
        fits_the_phone(tab)
