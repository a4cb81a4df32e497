"""Matching (相談・提案・紹介・セルフマッチング・メッセージ・支援提供パッケージ; issue 12, MONEY.md §1).

Statuses are CHECKed against :mod:`dxapp.rules.matching`; money sits in ``*_yen`` integers and hours
in ``half_hours`` integers with named CHECKs.  The limits that races could break are unique indexes:
one open proposal per expert and case, one live introduction per expert and case, one waiting
self-match per SME and expert, one match per (SME, expert, case), one thread per (case, expert) and per
match, one report per message and reporter, one block per pair.  Services insert through
``services.rows.insert_once`` so the loser of a race gets the normal outcome, not a 500."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dxapp.extensions import db
from dxapp.models.types import UTCDateTime, one_of
from dxapp.rules.cases import MODES
from dxapp.rules.matching import (
    INTRODUCTION_STATUSES,
    MATCH_ORIGINS,
    MESSAGE_MAX_CHARS,
    PACKAGE_STATUSES,
    PROPOSAL_STATUSES,
    REPORT_STATUSES,
    SELF_MATCH_STATUSES,
    SIGNAL_STATUSES,
)


class Proposal(db.Model):
    """提案: an expert's answer to a published case (or the proposal a requested package makes)."""

    __tablename__ = "proposal"
    __table_args__ = (
        CheckConstraint(one_of("status", PROPOSAL_STATUSES), name="status_known"),
        CheckConstraint("half_hours >= 1", name="half_hours_positive"),
        CheckConstraint("hourly_rate_yen >= 0", name="hourly_rate_yen_not_negative"),
        CheckConstraint("version >= 1", name="version_positive"),
        Index("uq_proposal_open", "case_id", "expert_user_id", unique=True,
              sqlite_where=text("status = 'sent'"), postgresql_where=text("status = 'sent'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("consultation_case.id"), index=True)
    expert_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    package_id: Mapped[int | None] = mapped_column(ForeignKey("support_package.id"))
    status: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text)
    plan_outline: Mapped[str] = mapped_column(Text)
    half_hours: Mapped[int] = mapped_column(Integer)
    hourly_rate_yen: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Introduction(db.Model):
    """紹介: the secretariat proposes an expert for a 支援希望 case; the expert accepts or declines."""

    __tablename__ = "introduction"
    __table_args__ = (
        CheckConstraint(one_of("status", INTRODUCTION_STATUSES), name="status_known"),
        CheckConstraint("version >= 1", name="version_positive"),
        Index("uq_introduction_live", "case_id", "expert_user_id", unique=True,
              sqlite_where=text("status IN ('introduced', 'accepted')"),
              postgresql_where=text("status IN ('introduced', 'accepted')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("consultation_case.id"), index=True)
    expert_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    introduced_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)  # the clerk's words to the expert
    decline_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SelfMatch(db.Model):
    """セルフマッチング: an SME names an expert it already knows by registration number; the expert
    confirms.  Nothing of either side is shown to the other before the confirmation."""

    __tablename__ = "self_match"
    __table_args__ = (
        CheckConstraint(one_of("status", SELF_MATCH_STATUSES), name="status_known"),
        CheckConstraint("version >= 1", name="version_positive"),
        Index("uq_self_match_waiting", "organisation_id", "expert_user_id", unique=True,
              sqlite_where=text("status = 'requested'"), postgresql_where=text("status = 'requested'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)  # the SME
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    expert_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("consultation_case.id"))
    status: Mapped[str] = mapped_column(String(20))
    message: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Match(db.Model):
    """マッチング: one per (SME, expert, case), from an accepted proposal, an accepted introduction or a
    confirmed self-match (MONEY.md §1).  The support plan (issue 13) starts from here."""

    __tablename__ = "match"
    __table_args__ = (
        CheckConstraint(one_of("origin", MATCH_ORIGINS), name="origin_known"),
        UniqueConstraint("organisation_id", "expert_user_id", "case_id", name="uq_match_case"),
        # A self-match without a case: one per SME and expert.
        Index("uq_match_without_case", "organisation_id", "expert_user_id", unique=True,
              sqlite_where=text("case_id IS NULL"), postgresql_where=text("case_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)  # the SME
    sme_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))  # whose cap counts
    expert_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("consultation_case.id"), index=True)
    origin: Mapped[str] = mapped_column(String(20))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id"), unique=True)
    introduction_id: Mapped[int | None] = mapped_column(ForeignKey("introduction.id"), unique=True)
    self_match_id: Mapped[int | None] = mapped_column(ForeignKey("self_match.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    signals: Mapped[list[MatchSignal]] = relationship(order_by="MatchSignal.id", viewonly=True)


class MatchSignal(db.Model):
    """A review signal found between the two sides when a match formed (same address, phone,
    representative, bank account, person).  The match still forms; the secretariat's queue shows it,
    and the plan's review page later."""

    __tablename__ = "match_signal"
    __table_args__ = (
        CheckConstraint(one_of("status", SIGNAL_STATUSES), name="status_known"),
        UniqueConstraint("match_id", "code", name="uq_match_signal_code"),
        Index("ix_match_signal_queue", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("match.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))  # the registration review's signal codes
    status: Mapped[str] = mapped_column(String(20), default="open")
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MessageThread(db.Model):
    """One thread per (case, expert) from the first proposal or introduction on, and one per match
    (a match on a case reuses that case's thread; a self-match without a case has its own)."""

    __tablename__ = "message_thread"
    __table_args__ = (
        UniqueConstraint("case_id", "expert_user_id", name="uq_thread_case_expert"),
        Index("ix_message_thread_expert", "expert_user_id", "last_message_at"),
        Index("ix_message_thread_sme", "organisation_id", "last_message_at"),
        Index("ix_message_thread_reported", "reported_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("consultation_case.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))  # the SME
    expert_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    match_id: Mapped[int | None] = mapped_column(ForeignKey("match.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Unread counts: the last message each side has seen (message ids grow).
    sme_read_message_id: Mapped[int] = mapped_column(Integer, default=0)
    expert_read_message_id: Mapped[int] = mapped_column(Integer, default=0)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # set while a report is open


class Message(db.Model):
    """Plain text, line breaks kept, up to 2,000 characters, no HTML (rendered escaped)."""

    __tablename__ = "message"
    __table_args__ = (
        CheckConstraint(f"length(body) BETWEEN 1 AND {MESSAGE_MAX_CHARS}", name="body_length"),
        Index("ix_message_thread", "thread_id", "id"),
        Index("ix_message_sender_time", "sender_id", "created_at"),  # the hourly rate limit
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("message_thread.id"))
    sender_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MessageReport(db.Model):
    """A message reported to the secretariat (fraud, harassment)."""

    __tablename__ = "message_report"
    __table_args__ = (
        CheckConstraint(one_of("status", REPORT_STATUSES), name="status_known"),
        UniqueConstraint("message_id", "reporter_id", name="uq_message_report_once"),
        Index("ix_message_report_queue", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("message.id"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    handled_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class UserBlock(db.Model):
    """A user (or the secretariat on a report) blocks messages between two accounts."""

    __tablename__ = "user_block"
    __table_args__ = (UniqueConstraint("blocker_id", "blocked_id", name="uq_user_block_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    blocker_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    blocked_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SupportPackage(db.Model):
    """支援提供パッケージ (seed): a templated offer of an approved expert, or of a supporter
    corporation delivered by one of its affiliated experts."""

    __tablename__ = "support_package"
    __table_args__ = (
        CheckConstraint(one_of("status", PACKAGE_STATUSES), name="status_known"),
        CheckConstraint(one_of("mode", MODES), name="mode_known"),
        CheckConstraint("half_hours >= 1", name="half_hours_positive"),
        CheckConstraint("hourly_rate_yen >= 0", name="hourly_rate_yen_not_negative"),
        CheckConstraint("version >= 1", name="version_positive"),
        Index("ix_support_package_listed", "status", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)  # who delivers
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))  # a supporter's offer
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(100))
    summary: Mapped[str] = mapped_column(Text)  # what the SME gets
    half_hours: Mapped[int] = mapped_column(Integer)  # typical hours
    hourly_rate_yen: Mapped[int] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    areas: Mapped[list[SupportPackageArea]] = relationship(cascade="all, delete-orphan",
                                                           order_by="SupportPackageArea.id")
    regions: Mapped[list[SupportPackageRegion]] = relationship(cascade="all, delete-orphan",
                                                               order_by="SupportPackageRegion.id")


class SupportPackageArea(db.Model):
    __tablename__ = "support_package_area"
    __table_args__ = (Index("ix_support_package_area_area", "area", "package_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("support_package.id", ondelete="CASCADE"), index=True)
    area: Mapped[str] = mapped_column(String(30))


class SupportPackageRegion(db.Model):
    __tablename__ = "support_package_region"
    __table_args__ = (Index("ix_support_package_region_prefecture", "prefecture", "package_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("support_package.id", ondelete="CASCADE"), index=True)
    prefecture: Mapped[str] = mapped_column(String(10))
