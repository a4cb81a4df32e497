"""Registration applications (SME, IT expert, supporter corporation) and their status timeline."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dxapp.extensions import db
from dxapp.models.types import UTCDateTime, one_of
from dxapp.rules.application import STATUSES


class Application(db.Model):
    __tablename__ = "application"
    __table_args__ = (
        CheckConstraint(one_of("status", STATUSES), name="status_known"),
        CheckConstraint("kind IN ('sme', 'expert', 'supporter')", name="kind_known"),
        CheckConstraint("version >= 1", name="version_positive"),
        # Review queues (secretariat area, migration 0008): a queue is one kind, maybe one status, oldest
        # first; fraud signals look rows up by the same person (name + birth date).
        Index("ix_application_queue", "kind", "status", "submitted_at"),
        Index("ix_application_kind_submitted", "kind", "submitted_at"),
        Index("ix_application_person", "name_key", "birth_date"),
        # Partial matches (name, furigana, corporate number, e-mail, phone) use trigram GIN indexes on
        # PostgreSQL only (pg_trgm, created by migration 0008); SQLite scans, which is fine at its size.
        *(Index(f"ix_application_{column}_trgm", column, postgresql_using="gin",
                postgresql_ops={column: "gin_trgm_ops"}).ddl_if(dialect="postgresql")
          for column in ("name_key", "kana_key", "corporate_number", "email", "phone_digits")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    # The answers as submitted (the wizard's answer object) and the rules' decision at that moment.
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    decision: Mapped[dict] = mapped_column(JSON, default=dict)
    # Fields the secretariat flagged when returning it: {step slug: note}.
    flags: Mapped[dict] = mapped_column(JSON, default=dict)
    # What the applicant changed since the application was last returned: {step slug: [field names]};
    # None until it is resubmitted.  The review marks these answers (issue 11 item 20).
    changed_answers: Mapped[dict | None] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # A change request after approval points at the registration it would change.
    change_of_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    # Searchable, denormalised copies of the answers, written at submit, resubmit and when an approved
    # change is applied (dxapp/services/review_index.py; secretariat review queues and fraud signals).
    display_name: Mapped[str | None] = mapped_column(String(200))
    name_key: Mapped[str | None] = mapped_column(String(200))  # NFKC, no spaces, case-folded
    kana_key: Mapped[str | None] = mapped_column(String(200))  # full-width katakana, no spaces
    corporate_number: Mapped[str | None] = mapped_column(String(13), index=True)
    email: Mapped[str | None] = mapped_column(String(254))  # lower case
    phone_digits: Mapped[str | None] = mapped_column(String(20), index=True)  # national digits, 0312345678
    prefecture: Mapped[str | None] = mapped_column(String(10), index=True)
    birth_date: Mapped[date | None] = mapped_column(Date)  # experts
    bank_key: Mapped[str | None] = mapped_column(String(40), index=True)  # bank-branch-type-number
    address_key: Mapped[str | None] = mapped_column(String(400), index=True)
    representative_key: Mapped[str | None] = mapped_column(String(100), index=True)
    # The clerk who picked it up (shown while 審査中).
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    events: Mapped[list[ApplicationEvent]] = relationship(
        back_populates="application", order_by="ApplicationEvent.id")


class ApplicationEvent(db.Model):
    """One status change, for the timeline on My Page and the secretariat's history."""

    __tablename__ = "application_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str | None] = mapped_column(Text)

    application: Mapped[Application] = relationship(back_populates="events")
