"""Message threads and messages between an SME and an expert (issue 12 "Messages").

One thread per (case, expert) from the first proposal or introduction on, and one per match: a match on
a case takes that case's thread, a self-match without a case gets its own.  Threads are created through
``rows.insert_once`` (the unique constraint decides between two parallel first proposals).  Nothing is
committed here.

Messages (below the threads): :func:`post`, :func:`mark_read`, :func:`threads_of` and the unread counts,
:func:`report` and the secretariat's queue (:func:`reported_threads`, :func:`handle`), :func:`block`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select

from dxapp import clock, offline
from dxapp.extensions import db
from dxapp.models import (
    ConsultationCase,
    Match,
    Message,
    MessageReport,
    MessageThread,
    Organisation,
    User,
    UserBlock,
)
from dxapp.rules import messages as message_rules
from dxapp.rules.matching import MESSAGES_PER_HOUR
from dxapp.services import audit, outbox, rows, workflow


def thread_for_case(case, expert_user_id: int) -> MessageThread:
    """The thread of this case and expert, created at the first proposal or introduction."""
    found = db.session.scalar(select(MessageThread).where(MessageThread.case_id == case.id,
                                                          MessageThread.expert_user_id == expert_user_id))
    if found is not None:
        return found
    thread = MessageThread(case_id=case.id, organisation_id=case.organisation_id, expert_user_id=expert_user_id,
                           created_at=clock.wall_now(), sme_read_message_id=0, expert_read_message_id=0)
    if rows.insert_once(thread):
        return thread
    return db.session.scalar(select(MessageThread).where(MessageThread.case_id == case.id,
                                                         MessageThread.expert_user_id == expert_user_id))


def thread_for_match(match: Match) -> MessageThread:
    """The match's thread: the case's (tied to the match), or a new one for a match without a case."""
    if match.case_id is not None:
        thread = thread_for_case(db.session.get(ConsultationCase, match.case_id), match.expert_user_id)
        if thread.match_id is None:
            thread.match_id = match.id
            db.session.flush()
        return thread
    found = db.session.scalar(select(MessageThread).where(MessageThread.match_id == match.id))
    if found is not None:
        return found
    thread = MessageThread(case_id=None, organisation_id=match.organisation_id, expert_user_id=match.expert_user_id,
                           match_id=match.id, created_at=clock.wall_now(), sme_read_message_id=0,
                           expert_read_message_id=0)
    db.session.add(thread)
    db.session.flush()
    return thread


# ---------------------------------------------------------------------------------------------- messages
# post, read, list, report, block, the secretariat's queue (issue 12 "Messages").  Who may see a thread:
# its expert, and the SME users of its organisation (an SME's contact persons share the organisation's
# threads); nobody else, except the secretariat through its queue.  Every change writes its audit event
# in the caller's transaction; the e-mail notice of a new message carries no text of it, only a link.

SIDES = ("sme", "expert")


class MessageRefused(Exception):
    """A message (or a report) that may not be written; nothing was.  ``code``:

    * ``not_party``: the user is neither side of the thread;
    * ``empty`` / ``too_long``: the normalised body is empty or longer than MESSAGE_MAX_CHARS;
    * ``blocked``: one side has blocked the other (or the secretariat blocked the pair);
    * ``rate_limited``: MESSAGES_PER_HOUR messages in the last hour; ``retry_at`` says when the next may go;
    * ``own_message``: a user reporting their own side's message."""

    def __init__(self, code: str, *, retry_at: datetime | None = None):
        super().__init__(code)
        self.code = code
        self.retry_at = retry_at


def side_of(thread: MessageThread, user) -> str | None:
    """``sme`` or ``expert`` when ``user`` takes part in ``thread``, else None."""
    if user is None or not getattr(user, "id", None):
        return None
    if user.role == "expert" and thread.expert_user_id == user.id:
        return "expert"
    if user.role == "sme" and user.organisation_id is not None and user.organisation_id == thread.organisation_id:
        return "sme"
    return None


def _scope(user):
    """The threads ``user`` may see (a query condition), or None for a user who has none."""
    if user.role == "expert":
        return MessageThread.expert_user_id == user.id
    if user.role == "sme" and user.organisation_id is not None:
        return MessageThread.organisation_id == user.organisation_id
    return None


def visible_thread(user, thread_id) -> MessageThread | None:
    """The thread if ``user`` is one of its sides, else None (the view answers 404)."""
    scope = _scope(user)
    if scope is None:
        return None
    try:
        thread_id = int(thread_id)
    except (TypeError, ValueError):
        return None
    return db.session.scalar(select(MessageThread).where(MessageThread.id == thread_id, scope))


def get_thread(thread_id) -> MessageThread | None:
    """Any thread (the secretariat's queue only)."""
    return db.session.get(MessageThread, thread_id)


def messages_of(thread: MessageThread) -> list[Message]:
    """The thread's messages, oldest first."""
    return list(db.session.scalars(select(Message).where(Message.thread_id == thread.id).order_by(Message.id)))


#: A thread page shows at most this many messages (the latest; older ones a page further back).
PAGE_SIZE = 20


def messages_page(thread: MessageThread, before: int | None = None,
                  limit: int = PAGE_SIZE) -> tuple[list[Message], bool]:
    """(up to ``limit`` messages before the message id ``before``, or the latest, oldest first; whether
    there are older ones)."""
    query = select(Message).where(Message.thread_id == thread.id)
    if before is not None:
        query = query.where(Message.id < before)
    found = list(db.session.scalars(query.order_by(Message.id.desc()).limit(limit + 1)))
    return list(reversed(found[:limit])), len(found) > limit


def message_in(thread: MessageThread, message_id) -> Message | None:
    try:
        message_id = int(message_id)
    except (TypeError, ValueError):
        return None
    return db.session.scalar(select(Message).where(Message.id == message_id, Message.thread_id == thread.id))


def _sme_members(organisation_id: int):
    return select(User.id).where(User.organisation_id == organisation_id, User.role == "sme")


def sme_user_id(thread: MessageThread) -> int | None:
    """The SME's account a block names: the match's SME, else the case's author, else any SME user of
    the organisation."""
    if thread.match_id is not None:
        match = db.session.get(Match, thread.match_id)
        if match is not None:
            return match.sme_user_id
    if thread.case_id is not None:
        case = db.session.get(ConsultationCase, thread.case_id)
        if case is not None:
            return case.created_by_id
    return db.session.scalar(_sme_members(thread.organisation_id).order_by(User.id).limit(1))


def is_blocked(thread: MessageThread) -> bool:
    """True when the expert and any SME user of the organisation have blocked each other (either way)."""
    members = _sme_members(thread.organisation_id)
    found = db.session.scalar(select(UserBlock.id).where(or_(
        and_(UserBlock.blocker_id == thread.expert_user_id, UserBlock.blocked_id.in_(members)),
        and_(UserBlock.blocked_id == thread.expert_user_id, UserBlock.blocker_id.in_(members)))).limit(1))
    return found is not None


def next_allowed_at(sender) -> datetime | None:
    """None when ``sender`` may send one more message now (wall time), else when they may."""
    now = clock.wall_now()
    recent = db.session.scalars(
        select(Message.created_at).where(Message.sender_id == sender.id,
                                         Message.created_at > now - message_rules.RATE_WINDOW)
        .order_by(Message.created_at.desc()).limit(MESSAGES_PER_HOUR)).all()
    return message_rules.next_allowed_at(recent, now)


def check_body(body: str | None) -> str:
    """The normalised body, or :class:`MessageRefused` (``empty``, ``too_long``)."""
    text = message_rules.normalise_body(body)
    problem = message_rules.body_problem(text)
    if problem:
        raise MessageRefused(problem)
    return text


def post(thread: MessageThread, sender, body: str | None) -> Message:
    """Add ``sender``'s message to ``thread`` (see :class:`MessageRefused` for the refusals, checked in
    that order before anything is written); the sender's side has read the thread up to it; the other
    side is told by e-mail, with a link and no text."""
    side = side_of(thread, sender)
    if side is None:
        raise MessageRefused("not_party")
    text = check_body(body)
    if is_blocked(thread):
        raise MessageRefused("blocked")
    retry_at = next_allowed_at(sender)
    if retry_at is not None:
        raise MessageRefused("rate_limited", retry_at=retry_at)
    now = clock.wall_now()
    message = Message(thread_id=thread.id, sender_id=sender.id, body=text, created_at=now)
    db.session.add(message)
    db.session.flush()
    thread.last_message_at = now
    setattr(thread, f"{side}_read_message_id", message.id)
    db.session.flush()
    audit.record("message.sent", "message_thread", thread.id, actor=sender,
                 summary={"message_id": message.id, "side": side, "chars": len(text)})
    _notify(thread, "expert" if side == "sme" else "sme")
    return message


def _recipients(thread: MessageThread, side: str) -> list[User]:
    if side == "expert":
        query = select(User).where(User.id == thread.expert_user_id)
    else:
        query = select(User).where(User.organisation_id == thread.organisation_id, User.role == "sme")
    return [u for u in db.session.scalars(query.where(User.active.is_(True)).order_by(User.id))]


def thread_url(thread: MessageThread, side: str) -> str:
    """The thread's page for ``side``, on the public base URL (for e-mails)."""
    return offline.external_url(f"{side}.message_thread", thread_id=thread.id)


def _notify(thread: MessageThread, side: str) -> None:
    """One notice per recipient: that a message arrived, and the link; never the text."""
    link = thread_url(thread, side)
    for user in _recipients(thread, side):
        outbox.enqueue(user.email, "message-new", "新しいメッセージが届きました", "message_new.txt",
                       user=user, link=link)


def mark_read(thread: MessageThread, user) -> bool:
    """``user``'s side has read every message of the thread so far; True when that changed anything."""
    side = side_of(thread, user)
    if side is None:
        raise MessageRefused("not_party")
    last = db.session.scalar(select(func.max(Message.id)).where(Message.thread_id == thread.id)) or 0
    column = f"{side}_read_message_id"
    if last <= (getattr(thread, column) or 0):
        return False
    setattr(thread, column, last)
    db.session.flush()
    audit.record("message_thread.read", "message_thread", thread.id, actor=user,
                 summary={"side": side, "up_to": last})
    return True


def _unread_condition(side: str):
    """Messages of the other side after this side's read marker (joined with MessageThread)."""
    if side == "expert":
        return and_(Message.id > MessageThread.expert_read_message_id,
                    Message.sender_id != MessageThread.expert_user_id)
    return and_(Message.id > MessageThread.sme_read_message_id, Message.sender_id == MessageThread.expert_user_id)


def _side_of_role(user) -> str | None:
    return "expert" if user.role == "expert" else "sme" if user.role == "sme" else None


def unread_counts(user) -> dict[int, int]:
    """{thread id: number of the other side's messages ``user``'s side has not read} (threads with any)."""
    scope, side = _scope(user), _side_of_role(user)
    if scope is None or side is None:
        return {}
    rows = db.session.execute(
        select(Message.thread_id, func.count()).join(MessageThread, MessageThread.id == Message.thread_id)
        .where(scope, _unread_condition(side)).group_by(Message.thread_id)).all()
    return {thread_id: n for thread_id, n in rows}


def unread_total(user) -> int:
    """What My Page shows: unread messages over all of ``user``'s threads."""
    return sum(unread_counts(user).values())


@dataclass(frozen=True)
class ThreadRow:
    """A line of the list of threads: the thread, its case (or None), how many are unread, and who the
    other side is as this viewer may know them (None: an SME not yet matched, shown as 相談者)."""

    thread: MessageThread
    case: ConsultationCase | None
    unread: int
    counterpart: str | None


def counterpart_name(thread: MessageThread, side: str) -> str | None:
    """The other side's name as ``side`` may see it: the expert's name for the SME; the SME's name for
    the expert only after a match (before it an expert never learns who the SME is)."""
    if side == "sme":
        expert = db.session.get(User, thread.expert_user_id)
        return expert.name if expert is not None else None
    if thread.match_id is None:
        return None
    organisation = db.session.get(Organisation, thread.organisation_id)
    return organisation.name if organisation is not None else None


def threads_of(user) -> list[ThreadRow]:
    """``user``'s threads (an SME: its organisation's; an expert: their own), latest activity first."""
    scope, side = _scope(user), _side_of_role(user)
    if scope is None or side is None:
        return []
    threads = db.session.scalars(select(MessageThread).where(scope).order_by(
        func.coalesce(MessageThread.last_message_at, MessageThread.created_at).desc(), MessageThread.id.desc())).all()
    unread = unread_counts(user)
    case_ids = {t.case_id for t in threads if t.case_id is not None}
    found = {c.id: c for c in db.session.scalars(select(ConsultationCase).where(ConsultationCase.id.in_(case_ids)))} \
        if case_ids else {}
    return [ThreadRow(t, found.get(t.case_id), unread.get(t.id, 0), counterpart_name(t, side)) for t in threads]


# ---------------------------------------------------------------------------------------------- blocks

def block(blocker, blocked, *, actor=None, thread: MessageThread | None = None) -> UserBlock:
    """``blocker`` no longer exchanges messages with ``blocked`` (either way, in every thread between
    them).  A second block of the same pair is the first.  ``actor``: who did it (the secretariat when it
    blocks a pair on a report; else the blocker)."""
    blocker_id, blocked_id = getattr(blocker, "id", blocker), getattr(blocked, "id", blocked)
    row = UserBlock(blocker_id=blocker_id, blocked_id=blocked_id, created_at=clock.wall_now())
    if not rows.insert_once(row):
        return db.session.scalar(select(UserBlock).where(UserBlock.blocker_id == blocker_id,
                                                         UserBlock.blocked_id == blocked_id))
    audit.record("user.blocked", "user_block", row.id, actor=actor if actor is not None else blocker_id,
                 summary={"blocker_id": blocker_id, "blocked_id": blocked_id,
                          "thread_id": thread.id if thread is not None else None})
    return row


def block_other_side(thread: MessageThread, user) -> UserBlock:
    """``user`` blocks the other side of ``thread``: the expert, or the SME's account."""
    side = side_of(thread, user)
    if side is None:
        raise MessageRefused("not_party")
    other = thread.expert_user_id if side == "sme" else sme_user_id(thread)
    return block(user, other, thread=thread)


def block_pair(thread: MessageThread, clerk) -> UserBlock:
    """The secretariat blocks the two sides of ``thread`` (on a report)."""
    return block(sme_user_id(thread), thread.expert_user_id, actor=clerk, thread=thread)


# ---------------------------------------------------------------------------------------------- reports

def check_text(text: str | None, *, limit: int = message_rules.REPORT_REASON_MAX_CHARS) -> str:
    """A reason or note: normalised like a message, 1..``limit`` characters (:class:`MessageRefused`)."""
    text = message_rules.normalise_body(text)
    problem = message_rules.body_problem(text, limit=limit)
    if problem:
        raise MessageRefused(problem)
    return text


def report(message: Message, reporter, reason: str | None) -> MessageReport:
    """``reporter`` (a side of the thread) reports the other side's ``message`` to the secretariat: the
    report, and the thread in the secretariat's queue (``reported_at``).  Reporting the same message
    again answers the first report."""
    thread = db.session.get(MessageThread, message.thread_id)
    side = side_of(thread, reporter)
    if side is None:
        raise MessageRefused("not_party")
    sender_side = "expert" if message.sender_id == thread.expert_user_id else "sme"
    if sender_side == side:
        raise MessageRefused("own_message")
    text = check_text(reason)
    now = clock.wall_now()
    row = MessageReport(message_id=message.id, reporter_id=reporter.id, reason=text, status="open",
                        created_at=now, updated_at=now)
    if not rows.insert_once(row):
        return db.session.scalar(select(MessageReport).where(MessageReport.message_id == message.id,
                                                             MessageReport.reporter_id == reporter.id))
    if thread.reported_at is None:
        thread.reported_at = now
    db.session.flush()
    audit.record("message.reported", "message_report", row.id, actor=reporter,
                 summary={"thread_id": thread.id, "message_id": message.id, "side": side})
    return row


def reported_threads(limit: int = 100) -> list[tuple[MessageThread, int]]:
    """The secretariat's queue: threads with an open report, the longest waiting first, with how many
    reports are open in each."""
    open_counts = (select(Message.thread_id, func.count(MessageReport.id).label("n"))
                   .join(Message, Message.id == MessageReport.message_id)
                   .where(MessageReport.status == "open").group_by(Message.thread_id).subquery())
    rows_ = db.session.execute(
        select(MessageThread, open_counts.c.n).join(open_counts, open_counts.c.thread_id == MessageThread.id)
        .order_by(MessageThread.reported_at, MessageThread.id).limit(limit)).all()
    return [(thread, n) for thread, n in rows_]


def open_report_count() -> int:
    return db.session.scalar(select(func.count()).select_from(MessageReport)
                             .where(MessageReport.status == "open")) or 0


def reports_of(thread: MessageThread) -> list[MessageReport]:
    """Every report on the thread's messages, oldest first."""
    return list(db.session.scalars(select(MessageReport).join(Message, Message.id == MessageReport.message_id)
                                   .where(Message.thread_id == thread.id).order_by(MessageReport.id)))


def get_report(report_id) -> MessageReport | None:
    return db.session.get(MessageReport, report_id)


def handle(report_row: MessageReport, clerk, note: str | None) -> None:
    """A clerk has looked at the report: handled, with the note; the thread leaves the queue once no
    report of it is open.  A report handled meanwhile by someone else: ``workflow.Stale``."""
    text = check_text(note)
    workflow.transition(report_row, action="message_report.handled", to="handled", expected="open", version=None,
                        values={"handled_by_id": clerk.id, "handled_note": text}, actor=clerk,
                        summary={"message_id": report_row.message_id})
    message = db.session.get(Message, report_row.message_id)
    thread = db.session.get(MessageThread, message.thread_id)
    still_open = db.session.scalar(
        select(func.count()).select_from(MessageReport).join(Message, Message.id == MessageReport.message_id)
        .where(Message.thread_id == thread.id, MessageReport.status == "open"))
    if not still_open and thread.reported_at is not None:
        thread.reported_at = None
        db.session.flush()
