"""SME-supporter corporations (認定情報処理支援機関): the experts affiliated with them, and the bulk
import of an expert roster (CSV) kept server-side between the preview and the confirmation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from dxapp.extensions import db
from dxapp.models.types import UTCDateTime, one_of

AFFILIATION_STATUSES = ("requested", "invited", "confirmed", "declined", "ended")
#: An expert has at most one affiliation in these states per corporation.
OPEN_STATUSES = ("requested", "invited", "confirmed")
ROSTER_STATUSES = ("preview", "confirmed", "discarded")


class Affiliation(db.Model):
    """An expert's membership of a supporter corporation.  Only ``confirmed`` counts."""

    __tablename__ = "affiliation"
    __table_args__ = (
        CheckConstraint(one_of("status", AFFILIATION_STATUSES), name="status_known"),
        CheckConstraint("requested_by IN ('expert', 'supporter')", name="requested_by_known"),
        CheckConstraint("version >= 1", name="version_positive"),
        # One open affiliation per expert and corporation (migration 0010); a parallel second insert
        # fails with IntegrityError, which the affiliations service catches in a savepoint.
        Index("uq_affiliation_open", "expert_user_id", "organisation_id", unique=True,
              sqlite_where=text("status IN ('requested', 'invited', 'confirmed')"),
              postgresql_where=text("status IN ('requested', 'invited', 'confirmed')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    expert_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    requested_by: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # last invitation e-mail
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The name the corporation typed when it invited the expert: shown to the corporation until the
    # expert accepts, so that an address's registered name is never revealed (migration 0018).
    invited_name: Mapped[str | None] = mapped_column(String(100))


class RosterImport(db.Model):
    """One uploaded CSV of experts: parsed and checked rows wait here (not in the cookie session) until
    the administrator confirms them.  ``id`` is random; the conditional UPDATE preview -> confirmed makes
    the confirmation happen once."""

    __tablename__ = "roster_import"
    __table_args__ = (
        CheckConstraint(one_of("status", ROSTER_STATUSES), name="status_known"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    filename: Mapped[str] = mapped_column(String(255))
    encoding: Mapped[str] = mapped_column(String(20))
    rows: Mapped[list] = mapped_column(JSON)  # [{"line": n, "values": {...}, "errors": {field: msg}}]
    row_count: Mapped[int] = mapped_column(Integer)
    error_count: Mapped[int] = mapped_column(Integer)  # rows with at least one error
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
