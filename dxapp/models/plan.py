"""Support plans (支援計画, issue 13; MONEY.md §1-3) and their content rows.

A plan is drafted by the expert from a match, agreed by the SME, reviewed by the secretariat (the one
review of :class:`dxapp.services.workflow.Review`: status, version, holder_id, submitted_at) and
concluded by both parties; at the second conclusion its honorarium (``reserved_yen``) is reserved
against the program budget and both caps through the budget service.  A change of a concluded plan is a
plan row of its own (``change_of_id``) reviewed like the first; the plan in force keeps its content and
reservation until the change is approved.  Money in ``*_yen`` integers, hours in ``half_hours``
integers, each with a named CHECK; the status CHECK is exactly :data:`dxapp.rules.plan.STATUSES`."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dxapp.extensions import db
from dxapp.models.types import UTCDateTime, one_of
from dxapp.rules.cases import MODES
from dxapp.rules.plan import STATUSES

#: A plan that still counts for its match (not cancelled or rejected; changes are not counted).
OPEN = "change_of_id IS NULL AND status NOT IN ('cancelled', 'rejected')"
#: A change still in progress (services.plans.CHANGE_OPEN): at most one per plan in force.
OPEN_CHANGE = ("change_of_id IS NOT NULL AND status IN "
               "('draft', 'sme_review', 'sme_returned', 'submitted', 'under_review', 'returned')")



class SupportPlan(db.Model):
    __tablename__ = "support_plan"
    __table_args__ = (
        CheckConstraint(one_of("status", STATUSES), name="status_known"),
        CheckConstraint("half_hours >= 0", name="half_hours_not_negative"),
        CheckConstraint("hourly_rate_yen >= 0", name="hourly_rate_yen_not_negative"),
        CheckConstraint("reserved_yen >= 0", name="reserved_yen_not_negative"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("revision >= 1", name="revision_positive"),
        Index("ix_support_plan_queue", "status", "submitted_at"),
        Index("ix_support_plan_match", "match_id", "status"),
        # One plan in progress or in force per match (changes are rows with change_of_id).
        Index("uq_support_plan_open", "match_id", unique=True,
              sqlite_where=text(OPEN), postgresql_where=text(OPEN)),
        # One change in progress per plan (two parallel starts: one row, the other refused).
        Index("uq_support_plan_open_change", "change_of_id", unique=True,
              sqlite_where=text(OPEN_CHANGE), postgresql_where=text(OPEN_CHANGE)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(12), index=True)  # S + 11 digits; a change keeps its plan's
    match_id: Mapped[int] = mapped_column(ForeignKey("match.id"))
    change_of_id: Mapped[int | None] = mapped_column(ForeignKey("support_plan.id"))
    revision: Mapped[int] = mapped_column(Integer, default=1)  # 1: the first plan; 2, 3, ...: changes
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)  # the SME
    sme_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))  # whose cap counts
    expert_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer, default=1)
    # What the plan says (the wizard's answers, in typed columns once sent to the SME).
    purpose: Mapped[str] = mapped_column(Text, default="")
    issue: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    hourly_rate_yen: Mapped[int] = mapped_column(Integer, default=0)
    half_hours: Mapped[int] = mapped_column(Integer, default=0)  # the items' sum
    scope_declared: Mapped[bool] = mapped_column(default=False)
    scope_flags: Mapped[list] = mapped_column(JSON, default=list)  # words such as 制作, for the reviewer
    # What the program pays: reserved at the second conclusion, released at cancellation or claim.
    reserved_yen: Mapped[int] = mapped_column(Integer, default=0)
    # The conversation and the review.
    sme_comment: Mapped[str | None] = mapped_column(Text)  # the SME's return comment
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    review_note: Mapped[str | None] = mapped_column(Text)
    review_flags: Mapped[dict | None] = mapped_column(JSON)  # {part: note} of a return
    first_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The contract.
    expert_concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sme_concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sme_concluded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Which limit refused the last attempt at the second conclusion (program, sme, expert), shown to both.
    conclusion_refusal: Mapped[str | None] = mapped_column(String(20))
    cancel_requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    items: Mapped[list[SupportPlanItem]] = relationship(cascade="all, delete-orphan",
                                                        order_by="SupportPlanItem.position")


class SupportPlanItem(db.Model):
    """One row of the plan's content: what is done, the planned hours, online or on site."""

    __tablename__ = "support_plan_item"
    __table_args__ = (
        CheckConstraint("half_hours >= 1", name="half_hours_positive"),
        CheckConstraint(one_of("mode", MODES), name="mode_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("support_plan.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    what: Mapped[str] = mapped_column(Text)
    half_hours: Mapped[int] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(10))


class PlanFreeze(db.Model):
    """The secretariat suspends new support plans from ``since`` to ``until`` (JST days, both included;
    the real program did from 2021-09-16 to 2021-10-18).  Drafts are kept; sending one is refused with
    the date.  A freeze is lifted early by setting ``lifted_at``; rows are never deleted (the history)."""

    __tablename__ = "plan_freeze"
    __table_args__ = (CheckConstraint("until >= since", name="until_not_before_since"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    since: Mapped[date] = mapped_column(Date)
    until: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
