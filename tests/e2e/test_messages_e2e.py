"""Messages in a real browser, with JavaScript on and off (issue 12 "Messages"): the demo SME opens a
conversation from My Page, sends a message (with JavaScript it is appended without a reload, through the
htmx fragment; without, POST -> 303 -> the thread), checks for new messages with the link (no polling);
the expert sees it on their My Page as unread, escaped, the URL as text.  The secretariat's queue of
reported messages is reached from the dashboard.  Every page is checked with axe and collected for the
Nu HTML Checker (conftest.py)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.fixtures.app import PASSWORD
from tests.fixtures.browser import new_account

DEMO_SME = "sme@demo.example"


def thread_with_a_new_expert(live_server, email: str) -> int:
    """A thread between the demo SME's first demo case and a fresh expert account, with a first message
    from the expert: the thread's id."""
    found = {}

    def start(user):
        from sqlalchemy import select

        from dxapp.extensions import db
        from dxapp.models import ConsultationCase
        from dxapp.services import accounts, messages

        sme = accounts.find_by_email(DEMO_SME)
        case = db.session.scalar(
            select(ConsultationCase).where(ConsultationCase.organisation_id == sme.organisation_id)
            .order_by(ConsultationCase.id).limit(1))
        thread = messages.thread_for_case(case, user.id)
        messages.post(thread, user, "はじめまして。ご相談の件、詳しくお聞かせください。")
        found["id"] = thread.id

    new_account(live_server, email, "expert", "鈴木 健", then=start)
    return found["id"]


def log_in(tab, email: str, password: str, home: str) -> None:
    tab.goto("/account/login")
    tab.page.locator("#email").fill(email)
    tab.page.locator("#password").fill(password)
    tab.submit(tab.primary_button())
    assert tab.path == home, tab.path


def follow(tab, link) -> None:
    with tab.page.expect_navigation(wait_until="load"):
        link.click()
    tab.check()


def test_sme_and_expert_exchange_messages(open_tab, js, live_server):
    from dxapp.demo import DEMO_PASSWORD

    mode = "js-on" if js else "js-off"
    expert_email = f"messages.{mode}@expert.example.jp"
    thread_id = thread_with_a_new_expert(live_server, expert_email)
    url = f"/sme/messages/{thread_id}"

    sme = open_tab(js=js)
    log_in(sme, DEMO_SME, DEMO_PASSWORD, "/sme/")
    follow(sme, sme.page.get_by_role("link", name="メッセージを見る"))
    assert sme.path == "/sme/messages/" and sme.h1() == "メッセージ"
    follow(sme, sme.page.locator(f'a[href="{url}"]'))
    assert sme.path == url
    expect(sme.page.locator("#thread-messages")).to_contain_text("はじめまして。ご相談の件")

    body = "ありがとうございます。<b>太字</b>\n資料はこちら: https://example.com/shiryo"
    sme.page.locator("#body").fill(body)
    if js:
        sme.page.evaluate("window.__notReloaded = true")
        sme.page.locator("#send-form button[type=submit]").click()
        expect(sme.page.locator("#thread-messages > article")).to_have_count(2)
        expect(sme.page.locator("#send-form .notice-success")).to_be_visible()
        assert sme.page.evaluate("window.__notReloaded === true"), "the page was reloaded"
        assert sme.path == url
        expect(sme.page.locator("#body")).to_have_value("")
        sme.check()
    else:
        sme.submit(sme.page.locator("#send-form button[type=submit]"))
        assert sme.path == url and sme.page.url.endswith("#latest")
    last = sme.page.locator("#thread-messages > article").last.locator(".message-body")
    assert last.inner_text() == body  # escaped: the tag is shown as typed, the line break kept
    assert sme.page.locator('#thread-messages a[href^="https://example.com"]').count() == 0

    # The expert: an unread message on My Page, the thread, a reply.
    expert = open_tab(js=js)
    log_in(expert, expert_email, PASSWORD, "/expert/")
    expect(expert.page.locator("main")).to_contain_text("未読のメッセージ: 1件")
    follow(expert, expert.page.get_by_role("link", name="メッセージを見る"))
    follow(expert, expert.page.locator(f'a[href="/expert/messages/{thread_id}"]'))
    expect(expert.page.locator("#thread-messages")).to_contain_text("<b>太字</b>")
    assert expert.page.locator("#thread-messages b").count() == 0
    assert "相談者" in expert.page.locator("main").inner_text()  # no SME name before a match
    expert.page.locator("#body").fill("承知しました。")
    if js:
        expert.page.locator("#send-form button[type=submit]").click()
        expect(expert.page.locator("#thread-messages > article")).to_have_count(3)
        expert.check()
    else:
        expert.submit(expert.page.locator("#send-form button[type=submit]"))

    # Back to the SME: 「新しいメッセージを確認」 brings the reply (with JavaScript, without a reload).
    check = sme.page.get_by_role("link", name="新しいメッセージを確認")
    if js:
        check.click()
        expect(sme.page.locator("#thread-messages > article")).to_have_count(3)
        assert sme.page.evaluate("window.__notReloaded === true")
        sme.check()
    else:
        follow(sme, check)
    expect(sme.page.locator("#thread-messages")).to_contain_text("承知しました。")
    if js:  # the form that came with the fragment is live: a second message is appended too
        sme.page.locator("#body").fill("よろしくお願いします。")
        sme.page.locator("#send-form button[type=submit]").click()
        expect(sme.page.locator("#thread-messages > article")).to_have_count(4)
        assert sme.page.evaluate("window.__notReloaded === true")
        sme.check()


def test_an_empty_message_is_an_error_on_the_same_page(open_tab, js, live_server):
    from dxapp.demo import DEMO_PASSWORD

    mode = "js-on" if js else "js-off"
    thread_id = thread_with_a_new_expert(live_server, f"messages-empty.{mode}@expert.example.jp")
    sme = open_tab(js=js)
    log_in(sme, DEMO_SME, DEMO_PASSWORD, "/sme/")
    sme.goto(f"/sme/messages/{thread_id}")
    button = sme.page.locator("#send-form button[type=submit]")
    if js:
        button.click()
        expect(sme.page.locator(".error-summary")).to_be_visible()
        sme.check()
    else:
        sme.submit(button, status=422)
    assert sme.title().startswith("エラー: ")
    expect(sme.page.locator(".field-error")).to_contain_text("メッセージを入力してください")


def test_the_secretariat_reaches_the_reported_messages_from_the_dashboard(open_tab, live_server):
    import pyotp

    from tests.fixtures.browser import new_staff

    email, secret = new_staff(live_server, "messages.desk@desk.example.jp", "desk", "窓口 三郎", pyotp.random_base32())
    desk = open_tab(js=True)
    desk.goto("/account/login")
    desk.page.locator("#email").fill(email)
    desk.page.locator("#password").fill(PASSWORD)
    desk.submit(desk.primary_button())
    desk.page.locator("#code").fill(live_server.totp(secret))
    desk.submit(desk.primary_button())
    assert desk.path == "/secretariat/"
    follow(desk, desk.page.locator('a[href="/secretariat/messages/"]'))
    follow(desk, desk.page.locator('main table a').first)
    expect(desk.page.locator("main")).to_contain_text("個人口座へ3万円")


def test_the_hourly_limit_report_and_block(open_tab, js, live_server):
    from dxapp.demo import DEMO_PASSWORD

    mode = "js-on" if js else "js-off"
    expert_email = f"messages-limit.{mode}@expert.example.jp"
    thread_id = thread_with_a_new_expert(live_server, expert_email)

    def fill_the_hour():
        from dxapp.extensions import db
        from dxapp.models import MessageThread
        from dxapp.rules.matching import MESSAGES_PER_HOUR
        from dxapp.services import accounts, messages

        thread, expert = db.session.get(MessageThread, thread_id), accounts.find_by_email(expert_email)
        for n in range(MESSAGES_PER_HOUR - 1):
            messages.post(thread, expert, f"連絡です（{n + 2}通目）")

    live_server.query(fill_the_hour)
    expert = open_tab(js=js)
    log_in(expert, expert_email, PASSWORD, "/expert/")
    expert.goto(f"/expert/messages/{thread_id}")
    expert.page.locator("#body").fill("31通目の連絡")
    button = expert.page.locator("#send-form button[type=submit]")
    if js:
        button.click()
        expect(expert.page.locator("main h1")).to_have_text("送信できるメッセージの上限に達しました")
        expert.check()
    else:
        expert.submit(button, status=429)
        assert expert.h1() == "送信できるメッセージの上限に達しました"
    main = expert.page.locator("main")
    expect(main).to_contain_text("1時間に30件まで")
    expect(main).to_contain_text("から、もう一度送信できます")
    expect(main).to_contain_text("31通目の連絡")  # what was typed is kept

    # The SME reports the first message and blocks the expert.
    sme = open_tab(js=js)
    log_in(sme, DEMO_SME, DEMO_PASSWORD, "/sme/")
    sme.goto(f"/sme/messages/{thread_id}")
    follow(sme, sme.page.get_by_role("link", name="以前のメッセージを見る"))
    follow(sme, sme.page.get_by_role("link", name="このメッセージを事務局に通報する").first)
    assert sme.h1() == "メッセージを通報する"
    sme.submit(sme.primary_button(), status=422)
    assert sme.title().startswith("エラー: ")
    sme.page.locator("#reason").fill("事業と関係のない連絡が続いています。")
    sme.submit(sme.primary_button())
    assert sme.path == f"/sme/messages/{thread_id}"
    expect(sme.page.locator(".notice-success")).to_contain_text("通報を受け付けました")
    follow(sme, sme.page.get_by_role("link", name="相手をブロックする").last)
    assert sme.h1() == "相手をブロックする"
    sme.submit(sme.primary_button())
    expect(sme.page.locator("#send-form")).to_contain_text("このやりとりではメッセージを送れません")
    assert sme.page.locator("#body").count() == 0
