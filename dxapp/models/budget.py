"""The money counters (MONEY.md §2): the program budget, each SME's and each expert's usage, and the
ledger of every move.  Only ``dxapp.services.budget`` writes them, each limit with one conditional
UPDATE (SECURITY.md rule 1); the CHECKs below are the last line: the database itself refuses a row
that overshoots its limit or goes below zero."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dxapp.extensions import db
from dxapp.models.types import UTCDateTime
from dxapp.rules import budget as rules


def _counter_checks() -> tuple[CheckConstraint, ...]:
    return tuple(CheckConstraint(f"{name}_yen >= 0", name=f"{name}_yen_not_negative") for name in rules.COUNTERS)


class ProgramBudget(db.Model):
    """The one row of the program's honorarium budget (謝金予算額)."""

    __tablename__ = "program_budget"
    __table_args__ = (
        CheckConstraint("id = 1", name="one_row"),
        CheckConstraint("total_yen >= 0", name="total_yen_not_negative"),
        *_counter_checks(),
        CheckConstraint("committed_yen + claimed_yen + paid_yen <= total_yen", name="within_total"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    total_yen: Mapped[int] = mapped_column(BigInteger)
    committed_yen: Mapped[int] = mapped_column(BigInteger, default=0)
    claimed_yen: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_yen: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class HonorariumUsage(db.Model):
    """One SME's (cap 300,000 yen) or one expert's (cap 1,500,000 yen over both phases) use of the
    honorarium; an expert's row starts with the Phase I honoraria as ``prior_yen``."""

    __tablename__ = "honorarium_usage"
    __table_args__ = (
        UniqueConstraint("party", "user_id", name="uq_honorarium_usage_party_user"),
        CheckConstraint("party IN ('sme', 'expert')", name="party_known"),
        CheckConstraint("cap_yen >= 0", name="cap_yen_not_negative"),
        CheckConstraint("prior_yen >= 0", name="prior_yen_not_negative"),
        *_counter_checks(),
        CheckConstraint("prior_yen + committed_yen + claimed_yen + paid_yen <= cap_yen OR "
                        "committed_yen + claimed_yen + paid_yen = 0", name="within_cap"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    party: Mapped[str] = mapped_column(String(10))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    cap_yen: Mapped[int] = mapped_column(BigInteger)
    prior_yen: Mapped[int] = mapped_column(BigInteger, default=0)
    committed_yen: Mapped[int] = mapped_column(BigInteger, default=0)
    claimed_yen: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_yen: Mapped[int] = mapped_column(BigInteger, default=0)


class BudgetMove(db.Model):
    """One move of money between the counters (rules.budget.MOVES), applied to the program row, the
    SME's row and the expert's row alike.  Append-only: the counters are its sums."""

    __tablename__ = "budget_move"
    __table_args__ = (
        CheckConstraint("kind IN (" + ", ".join(f"'{k}'" for k in rules.MOVE_KINDS) + ")", name="kind_known"),
        CheckConstraint("amount_yen > 0", name="amount_yen_positive"),
        Index("ix_budget_move_object", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(10))
    amount_yen: Mapped[int] = mapped_column(BigInteger)
    sme_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    expert_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    object_type: Mapped[str] = mapped_column(String(30))
    object_id: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
