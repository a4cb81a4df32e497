"""E-mail through the outbox.

``enqueue`` adds a row in the caller's transaction, so a message exists exactly when the change that
caused it was committed.  The worker (dxapp/worker.py, ``flask outbox send``) sends them.
"""

from __future__ import annotations

from flask import render_template

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
