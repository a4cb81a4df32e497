"""E-mail through the outbox.

``enqueue`` adds a row in the caller's transaction, so a message exists exactly when the change that
caused it was committed.  The worker (dxapp/worker.py, ``flask outbox send``) sends them.
"""

from __future__ import annotations

from datetime import timedelta

from flask import render_template
from sqlalchemy import func, select

from dxapp import clock
from dxapp.extensions import db
from dxapp.models import OutboxMessage

#: Every subject starts with the program's name: people know the program, not the system's name.
SUBJECT_PREFIX = "【中小企業デジタル化応援隊事業】"


def enqueue(recipient: str, kind: str, subject: str, template: str, **context) -> OutboxMessage:
    body = render_template(f"mail/{template}", **context)
    message = OutboxMessage(
        created_at=clock.wall_now(), recipient=recipient, subject=(SUBJECT_PREFIX + subject)[:200], body=body,
        kind=kind
    )
    db.session.add(message)
    return message


#: Mails that anyone can make the program send to an address (sign-up, a contact person's invitation,
#: the notices for an address that has an account): at most this many per address in a day, whoever
#: asks and from wherever (issue 11 item 25; the per-client limits are the routes').
UNSOLICITED_PER_DAY = 3


def sent_recently(recipient: str, kinds: tuple[str, ...], *, hours: int = 24) -> int:
    """How many messages of these kinds went to ``recipient`` in the last ``hours`` (wall time)."""
    since = clock.wall_now() - timedelta(hours=hours)
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        func.lower(OutboxMessage.recipient) == recipient.lower(), OutboxMessage.kind.in_(kinds),
        OutboxMessage.created_at >= since)) or 0


def may_send_unsolicited(recipient: str, kinds: tuple[str, ...]) -> bool:
    """Whether one more such mail may go to ``recipient`` today (see ``UNSOLICITED_PER_DAY``)."""
    return sent_recently(recipient, kinds) < UNSOLICITED_PER_DAY
