"""Message threads and messages between an SME and an expert (issue 12 "Messages").

One thread per (case, expert) from the first proposal or introduction on, and one per match: a match on
a case takes that case's thread, a self-match without a case gets its own.  Threads are created through
``rows.insert_once`` (the unique constraint decides between two parallel first proposals).  Nothing is
committed here."""

from __future__ import annotations

from sqlalchemy import select

from dxapp import clock
from dxapp.extensions import db
from dxapp.models import ConsultationCase, Match, MessageThread
from dxapp.services import rows


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
