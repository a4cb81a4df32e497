"""Desk-assisted entry and the inquiry inbox (issue 6).

* ``SupportCode``: a short code an applicant reads from My Page to a desk clerk (30 minutes, single
  use, only its keyed hash is stored).
* ``DeskGrant``: what redeeming a code (or starting a registration for a caller) gives one clerk: the
  right to edit one applicant's draft of one wizard, for a limited time.
* ``InquiryMessage``: the replies of the secretariat to an inquiry (the thread; the question itself is
  the ``Inquiry`` row).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dxapp.extensions import db
from dxapp.models.types import UTCDateTime


class SupportCode(db.Model):
    __tablename__ = "desk_support_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class DeskGrant(db.Model):
    __tablename__ = "desk_grant"
    __table_args__ = (CheckConstraint("origin IN ('code', 'new')", name="origin_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clerk_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    wizard: Mapped[str] = mapped_column(String(40))
    owner_key: Mapped[str] = mapped_column(String(80))
    origin: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class InquiryMessage(db.Model):
    __tablename__ = "inquiry_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiry.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(Text)
    outbox_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id"))
