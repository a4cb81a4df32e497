"""Accounts and organisations.

An SME is an organisation with several member accounts; a supporter corporation has one or more
administrators (and, later, affiliated experts); an expert is one person with no organisation.
Secretariat accounts (desk, admin) belong to no organisation and always use TOTP.
"""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dxapp.extensions import db
from dxapp.models.types import UTCDateTime

ROLES = ("sme", "expert", "supporter_admin", "desk", "admin")
STAFF_ROLES = frozenset({"desk", "admin"})
ORG_KINDS = ("sme", "supporter")


class Organisation(db.Model):
    __tablename__ = "organisation"
    __table_args__ = (CheckConstraint("kind IN ('sme', 'supporter')", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    members: Mapped[list[User]] = relationship(back_populates="organisation")


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(
            "role IN ('sme', 'expert', 'supporter_admin', 'desk', 'admin')", name="role_known"
        ),
        CheckConstraint(
            "(role IN ('sme', 'supporter_admin')) = (organisation_id IS NOT NULL)",
            name="org_matches_role",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Rotated at login, logout, password change and disablement: old session cookies stop working.
    session_token: Mapped[str] = mapped_column(String(64))
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_counter: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locale: Mapped[str | None] = mapped_column(String(5))

    organisation: Mapped[Organisation | None] = relationship(back_populates="members")

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_active(self) -> bool:  # flask-login
        return bool(self.active)

    def get_id(self) -> str:
        # The session token is part of the id: rotating it revokes every cookie issued before.
        return f"{self.id}.{self.session_token}"
