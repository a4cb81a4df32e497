"""Support plans in a real browser, with JavaScript on and off (issue 13): from a match the expert writes
the plan through every step (a content row added and another removed; on the rate step the quote panel
is live with htmx and comes after the 「金額を計算する」 button without JavaScript), is told what is missing
when sending too early, sends it; the SME reads it and agrees; the clerk finds it in the queue, picks it
up and approves it; both conclude with the declaration (the second party first hits the limit page while
the program budget is set too low, then concludes once it is raised again); the contract page shows both
conclusion times.  The tab fixture runs axe on every page and collects every page for the Nu HTML
Checker; the phone-sized screenshots (390 px) land in test-artifacts/screenshots/plans-*."""

from __future__ import annotations

import gzip

import pyotp
from playwright.sync_api import expect

from tests.fixtures.app import PASSWORD
from tests.fixtures.browser import log_in, new_account, new_staff

LIVE_TIMEOUT = 5_000
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 800}


def on_phone(tab, name: str) -> None:
    """A plan page as a shop owner's phone shows it (390 px): within 14 KB compressed, no sideways
    scrolling, axe at that width too; the screenshot is test-artifacts/screenshots/plans-MODE-NAME-phone.png."""
    weight = len(gzip.compress(tab.page.content().encode("utf-8")))
    assert weight <= 14 * 1024, f"{tab.path} weighs {weight} bytes compressed"
    tab.page.set_viewport_size(PHONE)
    assert tab.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], f"{tab.path} scrolls sideways"
    tab.check()
    tab.screenshot(f"plans-{tab.mode}-{name}-phone")
    tab.page.set_viewport_size(DESK)


def _world(live_server, mode: str) -> dict:
    """A fresh approved SME with a published case, a fresh approved expert matched on it, a clerk."""
    made = {"sme": f"plans.{mode}@sme.example.jp", "expert": f"plans.{mode}@expert.example.jp"}

    def sme(user):
        from tests.fixtures import factories

        factories.approved_sme(None, user=user)
        made["case"] = factories.published_case(user, title=f"ネットショップを始めたい（{mode}）").id

    def expert(user):
        from dxapp.extensions import db
        from dxapp.models import ConsultationCase
        from tests.fixtures import factories

        factories.approved_expert(None, user=user)
        factories.matched(db.session.get(ConsultationCase, made["case"]), user)

    new_account(live_server, made["sme"], "sme", "山田 花子", then=sme)
    new_account(live_server, made["expert"], "expert", "佐藤 一郎", then=expert)
    made["clerk"], made["secret"] = new_staff(live_server, f"plans-clerk.{mode}@desk.example.jp", "desk",
                                              "審査 三郎", pyotp.random_base32())
    return made


def _plan(live_server, reference: str):
    from sqlalchemy import select

    from dxapp.extensions import db
    from dxapp.models import SupportPlan

    return live_server.query(lambda: db.session.execute(
        select(SupportPlan.id, SupportPlan.status, SupportPlan.reserved_yen)
        .where(SupportPlan.reference == reference)).one())


def _items(live_server, plan_id: int) -> int:
    from sqlalchemy import func, select

    from dxapp.extensions import db
    from dxapp.models import SupportPlanItem

    return live_server.query(lambda: db.session.scalar(
        select(func.count()).select_from(SupportPlanItem).where(SupportPlanItem.plan_id == plan_id)))


def _set_budget_headroom(live_server, clerk_email: str, headroom_yen: int | None, total: list) -> None:
    """Leave only ``headroom_yen`` in the program budget (None: put back the total kept in ``total``)."""

    def run():
        from dxapp.services import accounts, budget

        row = budget.program()
        if headroom_yen is None:
            budget.set_total(total.pop(), actor=accounts.find_by_email(clerk_email))
            return
        total.append(row.total_yen)
        used = row.committed_yen + row.claimed_yen + row.paid_yen
        budget.set_total(used + headroom_yen, actor=accounts.find_by_email(clerk_email))

    live_server.query(run)


def _write_the_plan(expert, live_server, js: bool) -> str:
    page = expert.page
    expert.goto("/expert/plans")
    on_phone(expert, "list")
    expert.submit(page.locator("main form[action$='/plan'] button[type=submit]").first)
    assert expert.path.endswith("/purpose"), expert.path
    plan_page = expert.path.rsplit("/", 1)[0]
    reference = next(word for word in page.locator("main .caption").inner_text().replace("：", " ").split()
                     if word.startswith("S") and word[1:].isdigit())
    # Sending too early: the refusal page lists what is missing, with links to those steps.
    expert.goto(plan_page)
    expert.submit(page.locator("main form[action$='/send'] button[type=submit]"), status=409)
    assert page.locator(f"main a[href='{plan_page}/rate']").count() == 1
    on_phone(expert, "refused")
    expert.click(page.locator(f"main a[href='{plan_page}/purpose']"))
    # 1. purpose and issue
    page.locator("#purpose").fill("ネットショップを開き、店頭以外でも売れるようにする")
    page.locator("#issue").fill("店頭販売のみで、売上が伸びない")
    on_phone(expert, "step-purpose")
    expert.submit(expert.primary_button())
    assert expert.path == f"{plan_page}/content", expert.path
    # 2. content: add a row, fill it, add another, remove it again
    page.locator("#items-0-what").fill("出店先の比較と選定の助言")
    page.locator("#items-0-hours").fill("2")
    expert.submit(page.locator("main button[name=add]"))
    expect(page.locator("#items-1-what")).to_be_visible()
    assert page.locator("#items-0-what").input_value() == "出店先の比較と選定の助言"  # nothing typed is lost
    page.locator("#items-1-what").fill("商品登録の操作指導")
    page.locator("#items-1-hours").fill("1時間30分")
    page.locator("#items-1-mode-1").check()  # on site
    expert.submit(page.locator("main button[name=add]"))
    page.locator("#items-2-what").fill("消す行")
    expert.submit(page.locator("main button[name=remove][value='2']"))
    expect(page.locator("#items-2-what")).to_have_count(0)
    assert page.locator("#items-1-what").input_value() == "商品登録の操作指導"
    assert page.locator("#items-1-mode-1").is_checked()
    on_phone(expert, "step-content")
    # Enter in a field saves and goes on (the form's first submit button is not 「1回目を削除する」)
    page.locator("#items-1-what").press("Enter")
    page.wait_for_url(f"**{plan_page}/period")
    assert expert.path == f"{plan_page}/period", expert.path
    assert _items(live_server, int(plan_page.rsplit("/", 1)[1])) == 2, "pressing Enter removed a session"
    # 3. period
    page.locator("#start").fill("2021年6月15日")
    page.locator("#end").fill("2021-09-30")
    on_phone(expert, "step-period")
    expert.submit(expert.primary_button())
    assert expert.path == f"{plan_page}/rate", expert.path
    # 4. rate: the quote panel (3.5 hours x 3,500 yen = 12,250 yen honorarium; the SME 1,500 yen an hour)
    panel = page.locator("#quote-panel")
    page.locator("#hourly_rate").fill("5000")
    if js:
        expect(panel).to_contain_text("12,250円", timeout=LIVE_TIMEOUT)
        page.wait_for_function("!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
        expert.check()
    else:
        expert.submit(page.locator("main button[name=calculate]"))
        assert expert.path == f"{plan_page}/rate"
        assert "12,250円" in panel.inner_text()
        assert page.locator("#hourly_rate").input_value() == "5,000"  # the rate was saved and is shown
    assert "5,250円" in panel.inner_text()  # the SME's share: 1,500 x 3.5
    on_phone(expert, "step-rate")
    expert.submit(expert.primary_button())
    assert expert.path == f"{plan_page}/scope", expert.path
    # 5. scope declaration
    expert.submit(expert.primary_button(), status=422)  # not ticked: explained
    assert page.locator("main .error-summary li").count() == 1
    page.locator("#declared").check()
    on_phone(expert, "step-scope")
    expert.submit(expert.primary_button())
    assert expert.path == plan_page, expert.path
    on_phone(expert, "plan-draft")
    expert.submit(page.locator("main form[action$='/send'] button[type=submit]"))
    assert expert.path == plan_page
    expect(page.locator("main .notice-success")).to_be_visible()
    assert _plan(live_server, reference).status == "sme_review"
    return reference


def _log_in_clerk(tab, live_server, email: str, secret: str) -> None:
    tab.goto("/account/login")
    tab.page.locator("#email").fill(email)
    tab.page.locator("#password").fill(PASSWORD)
    tab.submit(tab.primary_button())
    tab.page.locator("#code").fill(live_server.totp(secret))
    tab.submit(tab.primary_button())
    assert tab.path == "/secretariat/"


def _conclude(tab, side: str, plan_id: int, *, status: int = 200):
    page = tab.page
    tab.goto(f"/{side}/plans/{plan_id}")
    tab.click(page.locator(f"main a[href='/{side}/plans/{plan_id}/conclude']"))
    if status == 200:
        tab.submit(tab.primary_button(), status=422)  # the declaration not ticked: explained
        assert page.locator("main .error-summary li").count() == 1
    page.locator("#agree").check()
    tab.submit(tab.primary_button(), status=status)


def test_from_match_to_concluded_contract(open_tab, js, live_server):
    mode = "js-on" if js else "js-off"
    world = _world(live_server, mode)

    expert = open_tab(js=js)
    log_in(expert, world["expert"], home="/expert/", h1=None)
    reference = _write_the_plan(expert, live_server, js)
    plan_id = _plan(live_server, reference).id

    # The SME reads the plan and agrees.
    sme = open_tab(js=js)
    log_in(sme, world["sme"])
    sme.goto("/sme/plans")
    sme.click(sme.page.locator(f"main a[href='/sme/plans/{plan_id}']"))
    text = sme.page.locator("main").inner_text()
    assert "出店先の比較と選定の助言" in text and "12,250円" in text and "5,250円" in text
    on_phone(sme, "sme-plan")
    sme.submit(sme.page.locator("main form[action$='/agree'] button[type=submit]"))
    expect(sme.page.locator("main .notice-success")).to_be_visible()
    assert _plan(live_server, reference).status == "submitted"

    # The clerk finds it in the queue, picks it up and approves it.
    clerk = open_tab(js=js)
    _log_in_clerk(clerk, live_server, world["clerk"], world["secret"])
    clerk.goto("/secretariat/plans")
    clerk.page.locator("#q").fill(reference)
    clerk.submit(clerk.page.locator("main form.filters button[type=submit]"))
    on_phone(clerk, "queue")
    clerk.click(clerk.page.locator(f"main a:text-is('{reference}')"))
    assert clerk.h1().endswith(reference)
    clerk.submit(clerk.page.locator("main form[action$='/pick-up'] button[type=submit]"))
    expect(clerk.page.locator("main .notice-success")).to_contain_text(reference)
    on_phone(clerk, "detail")
    clerk.submit(clerk.page.locator("main form[action$='/approve'] button[type=submit]"))
    expect(clerk.page.locator("main .notice-success")).to_contain_text(reference)
    assert _plan(live_server, reference).status == "approved"

    # Both conclude; the second first finds the program budget too low (the limit page), then concludes.
    _conclude(sme, "sme", plan_id)
    expect(sme.page.locator("main .notice-success")).to_be_visible()
    on_phone(sme, "sme-concluding")
    total: list = []
    _set_budget_headroom(live_server, world["clerk"], 1_000, total)
    try:
        _conclude(expert, "expert", plan_id, status=409)
        assert "1,000円" in expert.page.locator("main").inner_text()
        on_phone(expert, "limit")
        assert _plan(live_server, reference).status == "concluding"
        sme.goto(f"/sme/plans/{plan_id}")  # the SME sees it too
        expect(sme.page.locator("main .panel-warning")).to_be_visible()
    finally:
        _set_budget_headroom(live_server, world["clerk"], None, total)
    _conclude(expert, "expert", plan_id)
    expect(expert.page.locator("main .notice-success")).to_be_visible()
    assert tuple(_plan(live_server, reference))[1:] == ("running", 12_250)

    # The contract shows both conclusion times, for both parties.
    for tab, side in ((expert, "expert"), (sme, "sme")):
        tab.goto(f"/{side}/plans/{plan_id}")
        tab.click(tab.page.locator(f"main a[href='/{side}/plans/{plan_id}/contract']"))
        times = tab.page.locator("main dl.summary").first.inner_text()
        assert times.count("2021") >= 2 and "まだです" not in times, times
        assert reference in tab.page.locator("main").inner_text()
    on_phone(expert, "contract")
    clerk.goto(f"/secretariat/plans/{plan_id}")
    assert clerk.h1().endswith(reference)
