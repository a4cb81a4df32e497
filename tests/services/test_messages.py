"""services/messages.py: post (only the two sides, plain text normalised, 1..2,000 characters, never
when blocked, 30 an hour per account), read markers and unread counts, threads_of, reports and the
secretariat's queue, blocks; the e-mail notice carries no text; every change audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dxapp.extensions import db
from dxapp.models import AuditEvent, Message, MessageReport, OutboxMessage, UserBlock
from dxapp.rules import messages as message_rules
from dxapp.rules.matching import MESSAGE_MAX_CHARS, MESSAGES_PER_HOUR
from dxapp.services import messages
from dxapp.services.workflow import Stale
from tests.fixtures import factories


@pytest.fixture
def sides(users):
    """(sme, expert, thread) on a published case."""
    return factories.case_thread(users)


def _actions(object_type: str) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == object_type)
                                   .order_by(AuditEvent.id)))


def _mails(recipient: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == recipient,
                                                               OutboxMessage.kind == "message-new")))


# ---------------------------------------------------------------------------------------------- rules

def test_bodies_are_normalised_and_counted_after_normalising():
    assert message_rules.normalise_body("  a\r\nb\rc\u2028d\x00\x07\te  ") == "a\nb\nc\nd\te"
    assert message_rules.body_problem("") == "empty"
    assert message_rules.body_problem(message_rules.normalise_body(" \r\n \n")) == "empty"
    assert message_rules.body_problem("あ" * MESSAGE_MAX_CHARS) is None
    assert message_rules.body_problem("あ" * (MESSAGE_MAX_CHARS + 1)) == "too_long"
    # 1,000 CRLF line breaks count as 1,000 characters, not 2,000
    assert message_rules.body_problem(message_rules.normalise_body("a\r\n" * 1000 + "b")) == "too_long"
    assert message_rules.body_problem(message_rules.normalise_body("a\r\n" * 999 + "b")) is None


def test_the_rate_limit_says_when_the_next_message_may_go():
    from datetime import UTC, datetime, timedelta

    now = datetime(2021, 6, 1, 1, 0, tzinfo=UTC)
    sent = [now - timedelta(minutes=59 - i) for i in range(MESSAGES_PER_HOUR)]
    assert message_rules.next_allowed_at(sent, now) == sent[0] + timedelta(hours=1)
    assert message_rules.next_allowed_at(sent[1:], now) is None
    assert message_rules.next_allowed_at([now - timedelta(hours=2)] * 40, now) is None


# ---------------------------------------------------------------------------------------------- post

def test_both_sides_post_and_the_other_side_is_told_without_the_text(sides):
    sme, expert, thread = sides
    first = factories.message(thread, expert, "はじめまして。\r\n提案を検討中です。")
    second = factories.message(thread, sme, "ありがとうございます。")
    assert [m.body for m in messages.messages_of(thread)] == ["はじめまして。\n提案を検討中です。", "ありがとうございます。"]
    assert thread.last_message_at is not None and first.id < second.id
    to_sme, to_expert = _mails(sme.email), _mails(expert.email)
    assert len(to_sme) == 1 and len(to_expert) == 1
    assert "はじめまして" not in to_sme[0].body and "提案" not in to_sme[0].body
    assert f"/sme/messages/{thread.id}" in to_sme[0].body
    assert f"/expert/messages/{thread.id}" in to_expert[0].body
    assert "ありがとう" not in to_expert[0].body and "ありがとう" not in to_expert[0].subject
    assert _actions("message_thread").count("message.sent") == 2


def test_only_the_two_sides_may_post(sides, users):
    _sme, _expert, thread = sides
    stranger_sme, other_expert = factories.approved_sme(users)[0], factories.approved_expert(users)[0]
    for outsider in (stranger_sme, other_expert, users("desk")):
        with pytest.raises(messages.MessageRefused) as refused:
            messages.post(thread, outsider, "こんにちは")
        assert refused.value.code == "not_party"
    assert messages.messages_of(thread) == []


def test_a_colleague_of_the_sme_shares_the_thread(sides, users):
    sme, expert, thread = sides
    colleague = users("sme")
    colleague.organisation_id = sme.organisation_id
    db.session.commit()
    factories.message(thread, colleague, "担当の者です。")
    assert messages.visible_thread(colleague, thread.id) is thread
    assert len(_mails(expert.email)) == 1


@pytest.mark.parametrize("body, code", [("", "empty"), ("  \r\n\t ", "empty"), (None, "empty"),
                                        ("あ" * (MESSAGE_MAX_CHARS + 1), "too_long")])
def test_empty_or_too_long_bodies_are_refused(sides, body, code):
    _sme, expert, thread = sides
    with pytest.raises(messages.MessageRefused) as refused:
        messages.post(thread, expert, body)
    assert refused.value.code == code
    assert messages.messages_of(thread) == []


def test_the_longest_body_is_kept_whole_and_markup_is_kept_as_text(sides):
    _sme, expert, thread = sides
    factories.message(thread, expert, "あ" * MESSAGE_MAX_CHARS)
    factories.message(thread, expert, "<script>alert(1)</script> https://example.com")
    bodies = [m.body for m in messages.messages_of(thread)]
    assert len(bodies[0]) == MESSAGE_MAX_CHARS
    assert bodies[1] == "<script>alert(1)</script> https://example.com"


def test_the_rate_limit_counts_the_accounts_messages_in_the_last_hour(sides, users, program_clock):
    sme, expert, thread = sides
    other = factories.case_thread(users, expert=expert)[2]
    for n in range(MESSAGES_PER_HOUR):
        messages.post(thread if n % 2 else other, expert, f"メッセージ{n}")  # counted over all threads
    db.session.commit()
    with pytest.raises(messages.MessageRefused) as refused:
        messages.post(thread, expert, "もう一通")
    assert refused.value.code == "rate_limited"
    first = db.session.scalar(select(Message.created_at).where(Message.sender_id == expert.id).order_by(Message.id))
    assert refused.value.retry_at == first + message_rules.RATE_WINDOW
    factories.message(thread, sme, "SME側は別に数えます")  # per account
    program_clock.advance_wall(3601)  # wall time, not program time
    factories.message(thread, expert, "一時間後")


def test_a_block_either_way_stops_both_sides(sides, users):
    sme, expert, thread = sides
    factories.message(thread, expert, "ご連絡します")
    row = messages.block_other_side(thread, sme)
    db.session.commit()
    assert (row.blocker_id, row.blocked_id) == (sme.id, expert.id)
    for sender in (sme, expert):
        with pytest.raises(messages.MessageRefused) as refused:
            messages.post(thread, sender, "まだ送れますか")
        assert refused.value.code == "blocked"
    # the block is between the accounts: another case of the same SME with the same expert too
    other = factories.case_thread(users, sme=sme, expert=expert)[2]
    with pytest.raises(messages.MessageRefused):
        messages.post(other, expert, "別の案件で")
    # a second block is the first
    assert messages.block_other_side(thread, sme).id == row.id
    assert _actions("user_block") == ["user.blocked"]


def test_the_expert_blocks_the_sme(sides):
    sme, expert, thread = sides
    row = messages.block_other_side(thread, expert)
    assert (row.blocker_id, row.blocked_id) == (expert.id, sme.id)
    assert messages.is_blocked(thread)


# ---------------------------------------------------------------------------------------------- read

def test_unread_counts_per_side_and_mark_read(sides):
    sme, expert, thread = sides
    factories.message(thread, expert, "一通目")
    factories.message(thread, expert, "二通目")
    assert messages.unread_counts(sme) == {thread.id: 2}
    assert messages.unread_total(expert) == 0  # one's own messages are read
    assert messages.mark_read(thread, sme) is True
    db.session.commit()
    assert messages.unread_total(sme) == 0
    assert messages.mark_read(thread, sme) is False  # nothing new: no change, no audit
    factories.message(thread, sme, "返信です")
    assert messages.unread_counts(expert) == {thread.id: 1}
    assert _actions("message_thread").count("message_thread.read") == 1


def test_threads_of_each_side_and_never_anothers(sides, users):
    sme, expert, thread = sides
    other_sme, other_expert, foreign = factories.case_thread(users)
    mine = factories.case_thread(users, sme=sme, expert=other_expert)[2]
    factories.message(mine, other_expert, "別の専門家から")
    assert [r.thread.id for r in messages.threads_of(sme)] == [mine.id, thread.id]
    assert [r.thread.id for r in messages.threads_of(expert)] == [thread.id]
    assert messages.threads_of(sme)[0].unread == 1
    assert messages.visible_thread(sme, foreign.id) is None
    assert messages.visible_thread(expert, mine.id) is None
    assert messages.visible_thread(other_sme, thread.id) is None
    assert messages.visible_thread(users("desk"), thread.id) is None
    assert messages.visible_thread(sme, "x") is None


def test_the_expert_does_not_learn_the_smes_name_before_a_match(sides):
    sme, expert, thread = sides
    assert messages.counterpart_name(thread, "expert") is None
    assert messages.counterpart_name(thread, "sme") == expert.name
    case = db.session.get(__import__("dxapp.models", fromlist=["ConsultationCase"]).ConsultationCase, thread.case_id)
    factories.matched(case, expert)
    assert messages.counterpart_name(thread, "expert") == sme.organisation.name


# ---------------------------------------------------------------------------------------------- reports

def test_report_puts_the_thread_in_the_queue_and_handle_takes_it_out(sides, users):
    sme, expert, thread = sides
    message = factories.message(thread, expert, "振込は私の個人口座にお願いします")
    report = messages.report(message, sme, "  事業外の支払いを求められました\r\n")
    db.session.commit()
    assert report.status == "open" and report.reason == "事業外の支払いを求められました"
    assert thread.reported_at is not None
    assert messages.reported_threads() == [(thread, 1)]
    assert messages.open_report_count() == 1
    assert messages.report(message, sme, "もう一度").id == report.id  # once per message and reporter
    clerk = users("desk")
    messages.handle(report, clerk, "専門家に注意しました")
    db.session.commit()
    assert report.status == "handled" and report.handled_by_id == clerk.id
    assert report.handled_note == "専門家に注意しました"
    assert thread.reported_at is None and messages.reported_threads() == []
    with pytest.raises(Stale):
        messages.handle(report, clerk, "二重")
    db.session.rollback()
    assert _actions("message_report") == ["message.reported", "message_report.handled"]


def test_reports_are_refused_for_own_messages_outsiders_and_empty_reasons(sides, users):
    sme, expert, thread = sides
    message = factories.message(thread, expert, "こんにちは")
    for reporter, reason, code in ((expert, "理由", "own_message"), (users("sme"), "理由", "not_party"),
                                   (sme, " ", "empty"), (sme, "あ" * 1001, "too_long")):
        with pytest.raises(messages.MessageRefused) as refused:
            messages.report(message, reporter, reason)
        assert refused.value.code == code
    assert db.session.scalar(select(MessageReport.id)) is None and thread.reported_at is None


def test_a_thread_stays_in_the_queue_while_any_report_is_open(sides, users):
    sme, expert, thread = sides
    first = messages.report(factories.message(thread, expert, "一"), sme, "不審です")
    second = messages.report(factories.message(thread, expert, "二"), sme, "これもです")
    db.session.commit()
    assert messages.reported_threads() == [(thread, 2)]
    messages.handle(first, users("desk"), "確認中")
    assert thread.reported_at is not None and messages.reported_threads() == [(thread, 1)]
    messages.handle(second, users("desk"), "対応済み")
    assert thread.reported_at is None


def test_the_secretariat_blocks_the_pair(sides, users):
    sme, expert, thread = sides
    clerk = users("desk")
    row = messages.block_pair(thread, clerk)
    db.session.commit()
    assert db.session.scalar(select(UserBlock.id)) == row.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.blocked"))
    assert event.actor_id == clerk.id
    with pytest.raises(messages.MessageRefused):
        messages.post(thread, sme, "送れますか")
