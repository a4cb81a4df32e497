"""Inquiries from the public form: stored, acknowledged by e-mail through the outbox."""

from __future__ import annotations

import secrets

from dxapp import clock
from dxapp.extensions import db
from dxapp.models import Inquiry
from dxapp.models.content import INQUIRY_STATUSES
from dxapp.rules import references
from dxapp.services import audit, outbox, workflow


def receive(*, name: str, email: str, phone: str | None, category: str, body: str,
            user_id: int | None = None, language: str | None = None) -> Inquiry:
    """Store an inquiry (``user_id``: the account of the sender when logged in) and acknowledge it;
    ``language``: the one the question was asked in, the acknowledgement goes out in it."""
    item = Inquiry(
        reference=references.mint("inquiry", secrets.randbelow(10**references.get("inquiry").digits)), created_at=clock.wall_now(), name=name.strip(),
        email=email.strip().lower(), phone=(phone or "").strip() or None, category=category, body=body.strip(),
        user_id=user_id, status="open",
    )
    db.session.add(item)
    db.session.flush()
    audit.record("inquiry.received", "inquiry", item.id, actor=user_id, summary={"category": category})
    outbox.enqueue(item.email, "inquiry-ack", f"お問い合わせを受け付けました（{item.reference}）",
                   "inquiry_ack.txt", inquiry=item, language=language)
    db.session.flush()
    return item


# ---------------------------------------------------------------------------------------------- the inbox
# (issue 6, secretariat desk area): search, assign, reply through the outbox with the thread kept,
# close and reopen; every change is a conditional UPDATE on the inquiry's version with its audit event
# (workflow.transition; workflow.Stale when someone else changed it after the page was shown).

PAGE_SIZE = 20
STATUSES = INQUIRY_STATUSES


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(*, q: str | None = None, status: str | None = None, mine_id: int | None = None,
           page: int = 1) -> tuple[list[Inquiry], int]:
    """(one page of inquiries, newest first; the number of all that match)."""
    from sqlalchemy import func, or_, select

    query = select(Inquiry)
    words = (q or "").split()
    for word in words[:5]:
        pattern = _like(word.lower())
        query = query.where(or_(func.lower(Inquiry.name).like(pattern, escape="\\"),
                                func.lower(Inquiry.email).like(pattern, escape="\\"),
                                func.lower(Inquiry.body).like(pattern, escape="\\"),
                                func.lower(Inquiry.reference).like(pattern, escape="\\")))
    if status in STATUSES:
        query = query.where(Inquiry.status == status)
    if mine_id is not None:
        query = query.where(Inquiry.assigned_to_id == mine_id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    page = max(1, page)
    items = db.session.scalars(query.order_by(Inquiry.created_at.desc(), Inquiry.id.desc())
                               .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return list(items), total


def get(inquiry_id: int) -> Inquiry | None:
    return db.session.get(Inquiry, inquiry_id)


def thread(inquiry: Inquiry) -> list:
    from sqlalchemy import select

    from dxapp.models import InquiryMessage

    return list(db.session.scalars(select(InquiryMessage).where(InquiryMessage.inquiry_id == inquiry.id)
                                   .order_by(InquiryMessage.id)))


def staff_members() -> list:
    from sqlalchemy import select

    from dxapp.models import User

    return list(db.session.scalars(select(User).where(User.role.in_(("desk", "admin")), User.active.is_(True))
                                   .order_by(User.name, User.id)))


def _change(inquiry: Inquiry, version: int, action: str, *, actor, summary=None, **values) -> None:
    """Conditional UPDATE on the version the page showed, with its audit event; 0 rows -> workflow.Stale
    (nothing written)."""
    workflow.transition(inquiry, action=action, version=version, values=values, actor=actor, summary=summary)


def assign(inquiry: Inquiry, *, version: int, assignee, actor) -> None:
    status = inquiry.status if inquiry.status == "closed" else "assigned"
    _change(inquiry, version, "inquiry.assigned", actor=actor, summary={"assigned_to": assignee.id},
            assigned_to_id=assignee.id, status=status)
    db.session.flush()


def reply(inquiry: Inquiry, *, version: int, body: str, actor):
    """E-mail the answer through the outbox and keep it in the thread (one transaction: a stale version
    rolls the e-mail and the message back with it)."""
    from dxapp.models import InquiryMessage

    values = {}
    if inquiry.assigned_to_id is None:
        values = {"assigned_to_id": actor.id, "status": "assigned" if inquiry.status == "open" else inquiry.status}
    mail = outbox.enqueue(inquiry.email, "inquiry-reply", f"お問い合わせへの回答（{inquiry.reference}）",
                          "inquiry_reply.txt", inquiry=inquiry, body=body.strip())
    db.session.flush()
    message = InquiryMessage(inquiry_id=inquiry.id, created_at=clock.wall_now(), author_id=actor.id,
                             body=body.strip(), outbox_message_id=mail.id)
    db.session.add(message)
    db.session.flush()
    _change(inquiry, version, "inquiry.replied", actor=actor, summary={"message_id": message.id}, **values)
    db.session.flush()
    return message


def close(inquiry: Inquiry, *, version: int, actor) -> None:
    _change(inquiry, version, "inquiry.closed", actor=actor, status="closed")
    db.session.flush()


def reopen(inquiry: Inquiry, *, version: int, actor) -> None:
    _change(inquiry, version, "inquiry.reopened", actor=actor,
            status="assigned" if inquiry.assigned_to_id else "open")
    db.session.flush()
