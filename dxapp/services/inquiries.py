"""Inquiries from the public form: stored, acknowledged by e-mail through the outbox."""

from __future__ import annotations

import secrets

from flask_login import current_user

from dxapp import clock
from dxapp.extensions import db
from dxapp.models import Inquiry
from dxapp.services import audit, outbox


def receive(*, name: str, email: str, phone: str | None, category: str, body: str) -> Inquiry:
    user_id = current_user.id if current_user.is_authenticated else None
    item = Inquiry(
        reference=f"Q-{secrets.randbelow(10**8):08d}", created_at=clock.wall_now(), name=name.strip(),
        email=email.strip().lower(), phone=(phone or "").strip() or None, category=category, body=body.strip(),
        user_id=user_id, status="open",
    )
    db.session.add(item)
    db.session.flush()
    audit.record("inquiry.received", "inquiry", item.id, actor=user_id, summary={"category": category})
    outbox.enqueue(item.email, "inquiry-ack", f"dxapp: お問い合わせを受け付けました（{item.reference}）",
                   "inquiry_ack.txt", inquiry=item)
    db.session.commit()
    return item
