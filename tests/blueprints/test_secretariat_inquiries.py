"""The inquiry inbox (issue 6): list with search, status filter and pages; detail with the thread;
assign, reply through the outbox, close and reopen, each with a version check and an audit row; only
desk clerks and administrators."""

from __future__ import annotations

from sqlalchemy import func, select

from dxapp.extensions import db
from dxapp.models import AuditEvent, Inquiry, InquiryMessage, OutboxMessage
from tests.fixtures.pages import inspect, text_of

BASE = "/secretariat/inquiries"


def ask(client, name="山田 太郎", email="yamada@example.jp", body="登録の方法を教えてください。", category="registration"):
    r = client.submit("/inquiry", {"name": name, "email": email, "category": category, "body": body})
    assert r.status_code == 303
    return db.session.scalars(select(Inquiry).order_by(Inquiry.id.desc())).first()


def test_list_search_and_filter(app, client, clerk):
    ask(client, name="山田 太郎", email="yamada@example.jp", body="登録の方法")
    ask(client, name="佐藤 花子", email="sato@example.jp", body="報酬の請求について")
    second = ask(client, name="鈴木 一郎", email="suzuki@example.jp", body="Matching with an EXPERT")
    second.status = "closed"
    db.session.commit()
    c = clerk[1]
    page = text_of(c.get(f"{BASE}/"))
    assert "山田 太郎" in page and "佐藤 花子" in page and "鈴木 一郎" in page
    page = text_of(c.get(f"{BASE}/", query_string={"q": "報酬"}))
    assert "佐藤 花子" in page and "山田 太郎" not in page
    page = text_of(c.get(f"{BASE}/", query_string={"q": "SATO@"}))
    assert "佐藤 花子" in page and "鈴木 一郎" not in page
    page = text_of(c.get(f"{BASE}/", query_string={"q": "expert"}))  # case-insensitive body search
    assert "鈴木 一郎" in page and "佐藤 花子" not in page
    page = text_of(c.get(f"{BASE}/", query_string={"status": "closed"}))
    assert "鈴木 一郎" in page and "山田 太郎" not in page
    page = text_of(c.get(f"{BASE}/", query_string={"q": "100%_"}))  # LIKE wildcards are literal
    assert "山田 太郎" not in page


def test_pagination(app, clerk):
    from dxapp.services import inquiries

    with app.test_request_context("/"):
        for n in range(inquiries.PAGE_SIZE + 3):
            inquiries.receive(name=f"利用者{n:02d}", email=f"u{n}@example.jp", phone=None, category="other",
                              body=f"質問 {n}")
    c = clerk[1]
    first = c.get(f"{BASE}/").get_data(as_text=True)
    assert first.count('href="/secretariat/inquiries/') >= inquiries.PAGE_SIZE
    assert 'rel="next"' in first and "利用者22" in first and "利用者00" not in first
    second = c.get(f"{BASE}/", query_string={"page": 2}).get_data(as_text=True)
    assert "利用者00" in second and 'rel="prev"' in second
    assert c.get(f"{BASE}/", query_string={"page": "x"}).status_code == 200


def test_reply_sends_mail_and_keeps_the_thread(app, client, clerk):
    item = ask(client)
    c = clerk[1]
    url = f"{BASE}/{item.id}"
    r = c.submit(f"{url}/reply", {"body": "マイページの「登録を始める」からお進みください。"}, page=url)
    assert r.status_code == 303
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "inquiry-reply")).one()
    assert mail.recipient == "yamada@example.jp" and "登録を始める" in mail.body and item.reference in mail.subject
    message = db.session.scalars(select(InquiryMessage)).one()
    assert message.outbox_message_id == mail.id and message.author_id == clerk[0].id
    fresh = db.session.get(Inquiry, item.id)
    db.session.refresh(fresh)
    assert fresh.status == "assigned" and fresh.assigned_to_id == clerk[0].id and fresh.version == 2
    db.session.rollback()
    r = c.submit(f"{url}/reply", {"body": "追加のご案内です。"}, page=url)
    page = text_of(c.get(url))
    assert "登録の方法を教えてください。" in page and "登録を始める" in page and "追加のご案内です。" in page
    assert db.session.scalar(select(func.count()).select_from(InquiryMessage)) == 2
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "inquiry.replied")).all()
    assert len(events) == 2 and all(e.actor_id == clerk[0].id for e in events)
    # An empty reply: 422 with the message beside the field, nothing sent.
    r = c.submit(f"{url}/reply", {"body": ""}, page=url)
    assert r.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.kind == "inquiry-reply")) == 2


def test_assign_to_other_close_and_reopen(app, client, clerk, users):
    item = ask(client)
    other = users("admin", name="管理者 花子")
    c = clerk[1]
    url = f"{BASE}/{item.id}"
    assert c.submit(f"{url}/assign", {"assignee": str(other.id)}, page=url).status_code == 303
    db.session.refresh(item)
    assert item.assigned_to_id == other.id and item.status == "assigned"
    assert "管理者 花子" in text_of(c.get(url))
    assert c.submit(f"{url}/close", page=url).status_code == 303
    db.session.refresh(item)
    assert item.status == "closed"
    assert 'name="reopen"' in c.get(url).get_data(as_text=True)
    assert c.submit(f"{url}/close", page=url).status_code == 303  # the reopen button
    db.session.refresh(item)
    assert item.status == "assigned"
    actions = [e.action for e in db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "inquiry")
                                                    .order_by(AuditEvent.id))]
    assert actions == ["inquiry.received", "inquiry.assigned", "inquiry.closed", "inquiry.reopened"]
    # Assigning to someone who is not staff is refused.
    r = c.submit(f"{url}/assign", {"assignee": "999"}, page=url)
    assert r.status_code == 422


def test_stale_version_gets_409_and_keeps_the_reply(app, client, clerk, users, login):
    item = ask(client)
    c = clerk[1]
    url = f"{BASE}/{item.id}"
    hidden = [i for i in inspect(c.get(url).get_data(as_text=True)).inputs if i.get("type") == "hidden"]
    csrf = next(i["value"] for i in hidden if i["name"] == "csrf_token")
    version = next(i["value"] for i in hidden if i["name"] == "version")
    other = app.test_client()
    login(other, users("admin"))
    assert other.submit(f"{url}/close", page=url).status_code == 303
    r = c.post(f"{url}/reply", data={"csrf_token": csrf, "version": version, "body": "失われない回答"})
    assert r.status_code == 409 and "失われない回答" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.kind == "inquiry-reply")) == 0
    r = c.post(f"{url}/close", data={"csrf_token": csrf, "version": version})
    assert r.status_code == 409
    r = c.post(f"{url}/assign", data={"csrf_token": csrf, "version": version, "assignee": str(clerk[0].id)})
    assert r.status_code == 409
    db.session.refresh(item)
    assert item.status == "closed" and item.assigned_to_id is None


def test_only_desk_and_admin(app, client, users, login):
    item = ask(client)
    for role in ("sme", "expert", "supporter_admin"):
        c = app.test_client()
        login(c, users(role))
        assert c.get(f"{BASE}/").status_code == 403, role
        assert c.get(f"{BASE}/{item.id}").status_code == 403, role
        token = c.csrf_from("/inquiry")
        assert c.post(f"{BASE}/{item.id}/close", data={"csrf_token": token, "version": "1"}).status_code == 403, role
    anonymous = app.test_client()
    assert anonymous.get(f"{BASE}/{item.id}").status_code == 302
    admin = app.test_client()
    login(admin, users("admin"))
    assert admin.get(f"{BASE}/{item.id}").status_code == 200
    assert admin.get(f"{BASE}/{item.id + 100}").status_code == 404
    assert admin.get(f"{BASE}/").status_code == 200


def test_demo_inquiries_are_seeded_once(app):
    from dxapp import demo

    demo.seed_inquiries()
    demo.seed_inquiries()
    assert db.session.scalar(select(func.count()).select_from(Inquiry)) == len(demo.DEMO_INQUIRIES)
