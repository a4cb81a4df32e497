"""The outbox worker (``flask outbox send``): sends the messages that committed transactions left in the
outbox, over SMTP, or writes them to ``MAIL_DIR`` as .eml files in demo mode and when no SMTP server is
configured.  A commit boundary (dxapp/transaction.py): each message is claimed and committed on its
own, so a failing message never holds back the others.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update

from dxapp import clock
from dxapp.extensions import db
from dxapp.models import OutboxMessage
from dxapp.transaction import transaction


def _build(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Message-ID"] = f"<outbox-{message.id}@dxapp.example>"
    email.set_content(message.body)
    return email


def _send_file(email: EmailMessage, message: OutboxMessage) -> None:
    folder = Path(current_app.config["MAIL_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{message.id:06d}-{message.kind}.eml").write_bytes(bytes(email))


def _send_smtp(email: EmailMessage) -> None:
    cfg = current_app.config
    with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=30) as smtp:
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls()
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        smtp.send_message(email)


def deliver_pending(limit: int = 100) -> tuple[int, int]:
    """Send unsent messages, oldest first.  Returns (sent, failed).  Safe to run in parallel:
    each message is claimed with a conditional UPDATE before it is sent."""
    sent = failed = 0
    ids = db.session.scalars(
        select(OutboxMessage.id).where(OutboxMessage.sent_at.is_(None)).order_by(OutboxMessage.id).limit(limit)
    ).all()
    use_files = current_app.config.get("DXAPP_DEMO") or not current_app.config.get("MAIL_SERVER")
    for message_id in ids:
        with transaction():
            claimed = db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id, OutboxMessage.sent_at.is_(None))
                .values(sent_at=clock.wall_now(), attempts=OutboxMessage.attempts + 1)
            ).rowcount
        if not claimed:
            continue
        message = db.session.get(OutboxMessage, message_id)
        try:
            email = _build(message)
            _send_file(email, message) if use_files else _send_smtp(email)
            sent += 1
        except (OSError, smtplib.SMTPException) as exc:
            with transaction():
                message.sent_at = None
                message.last_error = str(exc)[:500]
            failed += 1
    return sent, failed
