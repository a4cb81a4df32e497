"""Public content: news items and inquiries sent through the public form."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dxapp.extensions import db
from dxapp.models.types import UTCDateTime, one_of


class NewsItem(db.Model):
    __tablename__ = "news_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    published_on: Mapped[date] = mapped_column(Date, index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)


#: An inquiry is open (nobody handles it yet), assigned to a clerk, or closed.
INQUIRY_STATUSES = ("open", "assigned", "closed")


class Inquiry(db.Model):
    __tablename__ = "inquiry"
    __table_args__ = (CheckConstraint(one_of("status", INQUIRY_STATUSES), name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(30))
    body: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(10), default="open")
    # The inbox (issue 6, desk area): who handles it, and a version for the conditional UPDATEs.
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
