"""IT experts: the public directory profile published on approval, and honoraria carried over from
Phase I (DOMAIN.md §4: at most 1,500,000 yen per expert over both phases).

The directory filters on columns and on two small link tables (support areas, prefectures), all
indexed; the JSON answers of the application are never searched."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dxapp.extensions import db
from dxapp.models.types import UTCDateTime

DELIVERIES = ("online", "onsite", "both")


class ExpertProfile(db.Model):
    """What SMEs see of an approved expert: no address, phone, e-mail, birth date or bank account."""

    __tablename__ = "expert_profile"
    __table_args__ = (
        CheckConstraint("delivery IN ('online', 'onsite', 'both')", name="delivery_known"),
        CheckConstraint("hourly_rate >= 0", name="rate_not_negative"),
        Index("ix_expert_profile_listed", "listed", "hourly_rate"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"))
    name: Mapped[str] = mapped_column(String(100))
    participation: Mapped[str] = mapped_column(String(20))
    delivery: Mapped[str] = mapped_column(String(10), index=True)
    hourly_rate: Mapped[int] = mapped_column(Integer)
    career: Mapped[str] = mapped_column(Text, default="")
    qualifications: Mapped[list] = mapped_column(JSON, default=list)  # codes, for display only
    # Approved and accepts introductions: the only profiles the directory lists.
    listed: Mapped[bool] = mapped_column(Boolean, default=True)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    areas: Mapped[list[ExpertProfileArea]] = relationship(cascade="all, delete-orphan",
                                                          order_by="ExpertProfileArea.id")
    prefectures: Mapped[list[ExpertProfilePrefecture]] = relationship(cascade="all, delete-orphan",
                                                                      order_by="ExpertProfilePrefecture.id")


class ExpertProfileArea(db.Model):
    __tablename__ = "expert_profile_area"
    __table_args__ = (Index("ix_expert_profile_area_area", "area", "profile_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("expert_profile.id", ondelete="CASCADE"), index=True)
    area: Mapped[str] = mapped_column(String(30))


class ExpertProfilePrefecture(db.Model):
    __tablename__ = "expert_profile_prefecture"
    __table_args__ = (Index("ix_expert_profile_prefecture_prefecture", "prefecture", "profile_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("expert_profile.id", ondelete="CASCADE"), index=True)
    prefecture: Mapped[str] = mapped_column(String(10))


class ExpertCarryOver(db.Model):
    """Honoraria an expert received in Phase I, counted against the cap of both phases."""

    __tablename__ = "expert_carry_over"
    __table_args__ = (CheckConstraint("phase1_honorarium_yen >= 0", name="amount_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    phase1_honorarium_yen: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
