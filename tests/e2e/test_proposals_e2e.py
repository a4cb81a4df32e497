"""Proposals in a real browser, with JavaScript on and off (issue 12): an approved expert opens the
proposal page of a published case, types the hours and the rate and sees the quote panel (live with htmx,
after the 「中小企業等の負担を計算する」 button without JavaScript), sends the proposal and finds it on the
list; the SME opens the comparison from My Page, accepts on the confirmation page, and the case is
matched.  The tab fixture runs axe on every page and collects every page for the Nu HTML Checker."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.fixtures.browser import log_in, new_account

LIVE_TIMEOUT = 5_000
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 800}


def on_phone(tab, name: str) -> None:
    """The page on a phone: it must not scroll sideways (checked with axe at that size too)."""
    tab.page.set_viewport_size(PHONE)
    wide = tab.page.evaluate("document.documentElement.scrollWidth")
    assert wide <= PHONE["width"], f"{tab.path} scrolls sideways on a phone ({wide} px)"
    tab.check()
    tab.screenshot(f"proposals-{tab.mode}-{name}-phone")
    tab.page.set_viewport_size(DESK)


def _approved_pair(live_server, mode: str) -> tuple[str, str, str, int]:
    """A fresh approved SME with a published case and a fresh approved expert: (SME e-mail, expert
    e-mail, case reference, case id)."""
    sme_email = f"proposals.{mode}@sme.example.jp"
    expert_email = f"proposals.{mode}@expert.example.jp"
    made = {}

    def sme(user):
        from tests.fixtures import factories

        factories.approved_sme(None, user=user)
        case = factories.published_case(user, title=f"在庫管理をクラウドにしたい（{mode}）")
        made.update(reference=case.reference, id=case.id)

    def expert(user):
        from tests.fixtures import factories

        factories.approved_expert(None, user=user)

    new_account(live_server, sme_email, "sme", "山田 太郎", then=sme)
    new_account(live_server, expert_email, "expert", "佐藤 一郎", then=expert)
    return sme_email, expert_email, made["reference"], made["id"]


def test_expert_proposes_and_sme_accepts(open_tab, js, live_server):
    mode = "js-on" if js else "js-off"
    sme_email, expert_email, reference, case_id = _approved_pair(live_server, mode)

    expert = open_tab(js=js)
    log_in(expert, expert_email, home="/expert/", h1=None)
    expert.goto(f"/expert/cases/{reference}/propose")
    page = expert.page
    page.locator("#hours").fill("0.3")
    expert.submit(expert.primary_button(), status=422)  # errors announced: the summary, beside each field
    assert page.locator("main .error-summary li").count() >= 3
    assert page.title().startswith("エラー: ")
    page.locator("#message").fill("在庫管理システムの導入を多数支援してきました。")
    page.locator("#plan_outline").fill("1. 現状の確認\n2. クラウドの選定\n3. 研修")
    page.locator("#hours").fill("10")
    page.locator("#hourly_rate").fill("5000")
    panel = page.locator("#quote-panel")
    if js:
        page.locator("#hourly_rate").dispatch_event("change")
        expect(panel).to_contain_text("15,000円", timeout=LIVE_TIMEOUT)  # 5,000 - 3,500 = 1,500 x 10 h
        # The typing's own (debounced) request may still come: let it finish before the page is checked.
        page.wait_for_timeout(700)
        page.wait_for_function("!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
        expert.check()
    else:
        expert.submit(page.locator("main .no-js-check button"))
        assert "15,000円" in panel.inner_text()
        assert page.locator("#hourly_rate").input_value() == "5000"  # what was typed is kept
    expert.screenshot(f"proposals-{mode}-propose")
    on_phone(expert, "propose")
    expert.submit(expert.primary_button())
    assert expert.path == "/expert/proposals", expert.path
    assert reference in page.locator("main table").inner_text()
    assert "送信済み" in page.locator("main table").inner_text()
    on_phone(expert, "mine")
    expert.goto(f"/expert/cases/{reference}/propose", status=409)  # one open proposal: the page says why
    assert expert.h1() == "この相談案件にはすでに提案しています"

    sme = open_tab(js=js)
    log_in(sme, sme_email)
    sme.click(sme.page.locator(f"main a[href='/sme/cases/{case_id}/proposals']"))
    assert "評価なし" in sme.page.locator("main table").inner_text()
    sme.screenshot(f"proposals-{mode}-compare")
    on_phone(sme, "compare")
    sme.click(sme.page.locator("main a.button-primary", has_text="採用"))
    assert sme.path.endswith("/accept"), sme.path
    sme.screenshot(f"proposals-{mode}-accept")
    sme.submit(sme.primary_button())
    assert sme.path == f"/sme/cases/{case_id}/proposals", sme.path
    assert "マッチングが成立しました" in sme.page.locator("main .notice-success").inner_text()
    assert "採用" in sme.page.locator("main table").inner_text()
    assert live_server.outbox(expert_email, "proposal-accepted")
