"""Saved case searches (issue 12, "Experts find cases"): an approved expert keeps a search and gets a
daily digest e-mail of new matching cases until they unsubscribe (a link in every digest that leads to
a page with a POST button)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from dxapp.extensions import db
from dxapp.models.case import ConsultationCase
from dxapp.models.types import UTCDateTime


class SavedSearch(db.Model):
    __tablename__ = "saved_search"
    __table_args__ = (UniqueConstraint("user_id", "query", name="uq_saved_search_user_query"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    # The search's query string in its one spelling (dxapp.rules.case_search.canonical_query).
    query: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())  # wall time
    # Program time of the last digest run for this search (one a program day).
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The newest ``published_at`` (wall time, as the case row holds it) already covered: the next digest
    # lists the cases published after it.
    seen_until: Mapped[datetime] = mapped_column(UTCDateTime())
    unsubscribe_token: Mapped[str] = mapped_column(String(64), unique=True)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


#: What experts may see (services/case_search.py VISIBLE, not hidden), in deadline order and newest first:
#: partial indexes, so "deadline passed too" (two statuses) still reads the first page in order.
_VISIBLE = text("status IN ('published', 'closed') AND hidden = false")
for _name, _column in (("deadline", ConsultationCase.deadline), ("newest", ConsultationCase.published_at)):
    Index(f"ix_consultation_case_visible_{_name}", _column, ConsultationCase.id,
          postgresql_where=_VISIBLE, sqlite_where=_VISIBLE)
