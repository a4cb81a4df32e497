"""Consultation cases (相談案件): what an approved SME asks IT experts for (MONEY.md §1; issue 12).

Money and hours sit in typed columns with named CHECKs (``half_hours``: wanted hours in half-hour
steps); the status CHECK is exactly :data:`dxapp.rules.cases.STATUSES`.  The case search filters on
columns and on the small, indexed area table; the SME's name, address, phone and e-mail are never
copied here (experts see the industry and size band only)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dxapp.extensions import db
from dxapp.models.types import UTCDateTime, one_of
from dxapp.rules.cases import KINDS, MODES, STATUSES


class ConsultationCase(db.Model):
    __tablename__ = "consultation_case"
    __table_args__ = (
        CheckConstraint(one_of("status", STATUSES), name="status_known"),
        CheckConstraint(one_of("kind", KINDS), name="kind_known"),
        CheckConstraint(one_of("mode", MODES), name="mode_known"),
        CheckConstraint("half_hours >= 1", name="half_hours_positive"),
        CheckConstraint("period_months BETWEEN 1 AND 6", name="period_months_range"),
        CheckConstraint("version >= 1", name="version_positive"),
        # The expert's search: open cases by deadline, or newest first.
        Index("ix_consultation_case_search", "status", "hidden", "deadline"),
        Index("ix_consultation_case_newest", "status", "hidden", "published_at"),
        # Free text over title, goals and situation (services/case_search.py, migration 0014): a trigram
        # GIN index on PostgreSQL; SQLite scans.
        Index("ix_consultation_case_search_text_trgm", "search_text", postgresql_using="gin",
              postgresql_ops={"search_text": "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(9), unique=True)  # K + 8 digits (rules.cases)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"))  # the SME registration
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(20))
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)  # set by the secretariat
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(100))
    goals: Mapped[str] = mapped_column(Text)
    situation: Mapped[str] = mapped_column(Text)
    half_hours: Mapped[int] = mapped_column(Integer)
    period_months: Mapped[int] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(10), index=True)
    prefecture: Mapped[str | None] = mapped_column(String(10), index=True)
    place: Mapped[str | None] = mapped_column(String(200))
    deadline: Mapped[date] = mapped_column(Date)
    # Shown to experts instead of who the SME is (copied from the approved registration at publish).
    industry: Mapped[str | None] = mapped_column(String(30))
    size_band: Mapped[str | None] = mapped_column(String(30))
    # The search key of title + goals + situation (dxapp.rules.case_search.search_key), kept with them.
    search_text: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    areas: Mapped[list[ConsultationCaseArea]] = relationship(cascade="all, delete-orphan",
                                                             order_by="ConsultationCaseArea.id")


class ConsultationCaseArea(db.Model):
    __tablename__ = "consultation_case_area"
    __table_args__ = (Index("ix_consultation_case_area_area", "area", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("consultation_case.id", ondelete="CASCADE"), index=True)
    area: Mapped[str] = mapped_column(String(30))
