"""The message pages (issue 12 "Messages"): the list with unread counts, the thread (escaped, line breaks
kept, URLs never links), send (POST -> 303 -> GET; htmx: a fragment appended), mark read, report,
block, the refusals as pages (429 with when to send again; blocked), a foreign thread 404; the
secretariat's queue, handle and block; unread counts on both My Pages."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from dxapp.extensions import db
from dxapp.models import MessageReport, OutboxMessage
from dxapp.rules.matching import MESSAGE_MAX_CHARS, MESSAGES_PER_HOUR
from dxapp.services import messages
from tests.fixtures import factories
from tests.fixtures.pages import inspect, text_of

HX = {"HX-Request": "true", "HX-Request-Type": "partial"}


@pytest.fixture
def pair(app, users, login):
    """(sme, sme client, expert, expert client, thread) on a published case."""
    sme, expert, thread = factories.case_thread(users)
    sme_client, expert_client = app.test_client(), app.test_client()
    login(sme_client, sme)
    login(expert_client, expert)
    return sme, sme_client, expert, expert_client, thread


def _send(client, side, thread, body, **kwargs):
    url = f"/{side}/messages/{thread.id}"
    return client.submit(f"{url}/send", {"body": body}, page=url, **kwargs)


def test_send_then_the_other_side_sees_it_escaped_with_line_breaks_and_no_links(pair):
    sme, sme_client, expert, expert_client, thread = pair
    body = "<b>太字</b> & <script>alert(1)</script>\n二行目 https://evil.example/x <a href=\"https://x.example\">x</a>"
    r = _send(expert_client, "expert", thread, body)
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/expert/messages/{thread.id}#latest")
    page = sme_client.get(f"/sme/messages/{thread.id}").get_data(as_text=True)
    assert "&lt;b&gt;太字&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;\n二行目" in page
    assert "<script>alert" not in page and "<b>太字" not in page
    assert 'href="https://evil.example' not in page and 'href="https://x.example' not in page
    assert "https://evil.example/x" in page  # shown, as text
    assert 'class="message-body"' in page
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == sme.email,
                                                          OutboxMessage.kind == "message-new")).one()
    assert "太字" not in mail.body and "二行目" not in mail.body and f"/sme/messages/{thread.id}" in mail.body


def test_list_and_my_pages_show_unread_counts_and_reading_needs_a_post(pair):
    sme, sme_client, expert, expert_client, thread = pair
    _send(expert_client, "expert", thread, "一通目")
    _send(expert_client, "expert", thread, "二通目")
    my_page = text_of(sme_client.get("/sme/"))
    assert "未読のメッセージ: 2" in my_page
    assert 'href="/sme/messages/"' in sme_client.get("/sme/").get_data(as_text=True)
    listing = text_of(sme_client.get("/sme/messages/"))
    assert "ネットショップを始めたい" in listing and "未読 2" in listing and expert.name in listing
    page = sme_client.get(f"/sme/messages/{thread.id}").get_data(as_text=True)
    assert "新しいメッセージを確認" in page and 'data-hx-trigger="load"' in page
    assert "未読 2" in text_of(sme_client.get("/sme/messages/"))  # a GET read nothing
    r = sme_client.submit(f"/sme/messages/{thread.id}/read", page=f"/sme/messages/{thread.id}")
    assert r.status_code == 303
    assert "未読のメッセージはありません" in text_of(sme_client.get("/sme/"))
    assert "未読のメッセージはありません" in text_of(expert_client.get("/expert/"))


def test_the_expert_sees_no_sme_name_before_a_match(pair):
    sme, sme_client, expert, expert_client, thread = pair
    _send(sme_client, "sme", thread, "ご提案ください")
    name = sme.organisation.name
    assert name and name not in text_of(expert_client.get("/expert/messages/"))
    assert name not in text_of(expert_client.get(f"/expert/messages/{thread.id}"))
    assert "相談者" in text_of(expert_client.get(f"/expert/messages/{thread.id}"))


def test_htmx_send_answers_a_fragment_with_the_new_message_and_a_fresh_form(pair):
    sme, sme_client, expert, expert_client, thread = pair
    url = f"/expert/messages/{thread.id}"
    token = inspect(expert_client.get(url).get_data(as_text=True)).csrf_values[0]
    r = expert_client.post(f"{url}/send", data={"body": "htmxから\n送信", "csrf_token": token}, headers=HX)
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert not html.lstrip().lower().startswith("<!doctype")
    assert html.lstrip().startswith("<article id=\"message-") and "htmxから\n送信" in html
    assert 'id="send-form"' in html and 'data-hx-swap-oob="true"' in html
    assert len(messages.messages_of(thread)) == 1
    # an error answered to htmx: the whole page, htmx told to swap <main>
    r = expert_client.post(f"{url}/send", data={"body": "  ", "csrf_token": token}, headers=HX)
    assert r.status_code == 422 and r.headers["HX-Retarget"] == "main" and r.headers["HX-Reselect"] == "main"


@pytest.mark.parametrize("body, message", [("", "メッセージを入力してください"),
                                           ("あ" * (MESSAGE_MAX_CHARS + 1), "2,000文字以内で入力してください")])
def test_empty_or_too_long_is_a_422_with_the_text_kept(pair, body, message):
    _sme, _c, _expert, expert_client, thread = pair
    r = _send(expert_client, "expert", thread, body)
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert message in page and "エラー: " in page
    if body:
        assert body in page
    assert messages.messages_of(thread) == []


def test_the_longest_message_is_sent(pair):
    _sme, _c, _expert, expert_client, thread = pair
    body = "い" * (MESSAGE_MAX_CHARS - 2) + "\r\nう"  # 2,000 characters once CRLF is one line break
    assert _send(expert_client, "expert", thread, body).status_code == 303


def test_the_rate_limit_is_a_429_page_saying_when(pair):
    _sme, _c, expert, expert_client, thread = pair
    for n in range(MESSAGES_PER_HOUR):
        messages.post(thread, expert, f"連絡{n}")
    db.session.commit()
    r = _send(expert_client, "expert", thread, "31通目です")
    assert r.status_code == 429
    text = text_of(r)
    assert "1時間に30件まで" in text and "から、もう一度送信できます" in text and "31通目です" in text
    assert len(messages.messages_of(thread)) == MESSAGES_PER_HOUR


def test_blocking_stops_both_sides_with_a_page_that_says_why(pair):
    sme, sme_client, expert, expert_client, thread = pair
    _send(expert_client, "expert", thread, "こんにちは")
    url = f"/sme/messages/{thread.id}"
    assert "相手をブロックする" in text_of(sme_client.get(f"{url}/block"))
    r = sme_client.submit(f"{url}/block", page=f"{url}/block")
    assert r.status_code == 303
    page = text_of(sme_client.get(url))
    assert "このやりとりではメッセージを送れません" in page and 'id="body"' not in sme_client.get(url).get_data(as_text=True)
    r = _send(expert_client, "expert", thread, "まだ送れますか")
    # the expert's page has no form any more; a POST anyway is refused with a page
    assert r.status_code == 403 and "ブロック" in text_of(r)


def test_report_a_message_then_the_secretariat_handles_it_and_blocks(pair, desk):
    sme, sme_client, expert, expert_client, thread = pair
    _send(expert_client, "expert", thread, "手数料を私の口座に振り込んでください")
    message = messages.messages_of(thread)[0]
    url = f"/sme/messages/{thread.id}/report/{message.id}"
    assert sme_client.submit(url, {"reason": ""}).status_code == 422
    r = sme_client.submit(url, {"reason": "事業外の支払いを求められました"})
    assert r.status_code == 303
    report = db.session.scalar(select(MessageReport))
    assert report.reporter_id == sme.id and report.status == "open"
    assert expert_client.get(f"/expert/messages/{thread.id}/report/{message.id}").status_code == 404  # own message
    clerk, c = desk
    dashboard = c.get("/secretariat/").get_data(as_text=True)
    assert 'href="/secretariat/messages/"' in dashboard
    queue = text_of(c.get("/secretariat/messages/"))
    assert "ネットショップを始めたい" in queue
    page = f"/secretariat/messages/{thread.id}"
    text = text_of(c.get(page))
    assert "事業外の支払いを求められました" in text and "手数料を私の口座に振り込んでください" in text
    handle = f"/secretariat/messages/{thread.id}/reports/{report.id}/handle"
    assert c.submit(handle, {f"r{report.id}-note": ""}, page=page).status_code == 422
    assert c.submit(handle, {f"r{report.id}-note": "専門家に電話で注意しました"}, page=page).status_code == 303
    db.session.refresh(report)
    assert report.status == "handled" and report.handled_by_id == clerk.id
    assert "通報されたメッセージはありません" in text_of(c.get("/secretariat/messages/"))
    assert "専門家に電話で注意しました" in text_of(c.get(page))
    assert c.submit(f"/secretariat/messages/{thread.id}/block", page=page).status_code == 303
    assert messages.is_blocked(thread)
    assert _send(expert_client, "expert", thread, "送れますか").status_code == 403


def test_foreign_threads_and_messages_are_404(pair, app, users, login):
    sme, sme_client, expert, expert_client, thread = pair
    other_sme, other_expert, foreign = factories.case_thread(users)
    own_case_other_expert = factories.case_thread(users, sme=sme, expert=other_expert)[2]
    factories.message(foreign, other_expert, "他社宛て")
    foreign_message = messages.messages_of(foreign)[0]
    for client, side, t in ((sme_client, "sme", foreign), (expert_client, "expert", foreign),
                            (expert_client, "expert", own_case_other_expert)):
        base = f"/{side}/messages/{t.id}"
        assert client.get(base).status_code == 404
        assert client.get(f"{base}/block").status_code == 404
        assert client.get(f"{base}/report/{foreign_message.id}").status_code == 404
        token = inspect(client.get(f"/{side}/messages/{thread.id}").get_data(as_text=True)).csrf_values[0]
        for action in ("send", "read", "block"):
            assert client.post(f"{base}/{action}", data={"csrf_token": token, "body": "x"}).status_code == 404
    # a message of another thread through my own thread's URL
    assert sme_client.get(f"/sme/messages/{thread.id}/report/{foreign_message.id}").status_code == 404
    assert "他社宛て" not in text_of(sme_client.get("/sme/messages/"))
    assert sme_client.get("/expert/messages/").status_code == 403
    assert expert_client.get(f"/sme/messages/{thread.id}").status_code == 403
    assert sme_client.get(f"/secretariat/messages/{thread.id}").status_code == 403


def test_the_check_for_new_messages_link_is_a_plain_link(pair):
    _sme, sme_client, _expert, _c, thread = pair
    page = sme_client.get(f"/sme/messages/{thread.id}").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)"[^>]*>新しいメッセージを確認</a>', page)
    assert link and link.group(1) == f"/sme/messages/{thread.id}"  # no fragment: always a new page
    assert "every" not in page  # no polling trigger


def test_demo_threads_are_reachable_from_the_my_pages_and_the_dashboard(app, login):
    from dxapp.demo import DEMO_PASSWORD, seed
    from dxapp.services import accounts

    seed()
    seed()  # idempotent
    for email, side, unread in (("sme@demo.example", "sme", 2), ("expert@demo.example", "expert", 1)):
        client = app.test_client()
        login(client, accounts.find_by_email(email), password=DEMO_PASSWORD)
        my_page = client.get(f"/{side}/").get_data(as_text=True)
        assert f'href="/{side}/messages/"' in my_page
        count = re.search(r"未読のメッセージ: (\d+)件", text_of(client.get(f"/{side}/")))
        assert count and int(count.group(1)) >= unread  # other demo seeds (proposals) write messages too
        listing = client.get(f"/{side}/messages/").get_data(as_text=True)
        links = re.findall(rf'href="(/{side}/messages/\d+)"', listing)
        assert len(links) >= (3 if side == "sme" else 2)  # proposals and introductions open threads too
        texts = []
        for link in links:
            response = client.get(link)
            assert response.status_code == 200
            texts.append(text_of(response))
    assert any("https://example.com/portfolio" in text for text in texts)
    clerk = accounts.find_by_email("desk@demo.example")
    desk_client = app.test_client()
    login(desk_client, clerk, password=DEMO_PASSWORD)
    assert 'href="/secretariat/messages/"' in desk_client.get("/secretariat/").get_data(as_text=True)
    queue = desk_client.get("/secretariat/messages/").get_data(as_text=True)
    thread_link = re.search(r'href="(/secretariat/messages/\d+)"', queue).group(1)
    assert "個人口座へ3万円" in text_of(desk_client.get(thread_link))


def test_a_long_thread_shows_the_latest_page_and_earlier_ones_by_link(pair):
    import gzip

    sme, sme_client, expert, _c, thread = pair
    for n in range(messages.PAGE_SIZE + 5):
        messages.post(thread, expert if n % 2 else sme, f"メッセージ{n:02d} " + "長めの本文です。" * 20)
    db.session.commit()
    r = sme_client.get(f"/sme/messages/{thread.id}")
    page = r.get_data(as_text=True)
    assert "メッセージ24" in page and "メッセージ04" not in page and 'id="send-form"' in page
    assert len(gzip.compress(r.get_data())) <= 14 * 1024
    earlier = re.search(r'href="(/sme/messages/\d+\?before=\d+)"', page).group(1)
    older = sme_client.get(earlier.replace("&amp;", "&")).get_data(as_text=True)
    assert "メッセージ00" in older and "メッセージ04" in older and "メッセージ05" not in older
    assert 'id="send-form"' not in older and "最新のメッセージを見て返信する" in older
    assert sme_client.get(f"/sme/messages/{thread.id}?before=x").status_code == 200


def test_reading_the_message_pages_changes_nothing(pair, desk):
    from tests.fixtures.security import snapshot

    sme, sme_client, expert, expert_client, thread = pair
    factories.message(thread, expert, "未読のまま")
    message = messages.messages_of(thread)[0]
    messages.report(message, sme, "確認してください")
    db.session.commit()
    before = snapshot()
    for client, side in ((sme_client, "sme"), (expert_client, "expert")):
        for url in (f"/{side}/", f"/{side}/messages/", f"/{side}/messages/{thread.id}",
                    f"/{side}/messages/{thread.id}/block", f"/{side}/messages/{thread.id}/report/{message.id}"):
            assert client.get(url).status_code in (200, 404), url
    for url in ("/secretariat/", "/secretariat/messages/", f"/secretariat/messages/{thread.id}"):
        assert desk[1].get(url).status_code == 200
    assert snapshot() == before
    assert messages.unread_total(sme) == 1
