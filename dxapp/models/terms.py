"""Versions of the terms of use and of the personal-information notice, and users' consents."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dxapp.extensions import db
from dxapp.models.types import UTCDateTime


class TermsVersion(db.Model):
    __tablename__ = "terms_version"
    __table_args__ = (
        UniqueConstraint("kind", "version", name="uq_terms_version_kind_version"),
        CheckConstraint("kind IN ('terms', 'privacy')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    version: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Consent(db.Model):
    __tablename__ = "consent"
    __table_args__ = (UniqueConstraint("user_id", "terms_version_id", name="uq_consent_user_terms"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    terms_version_id: Mapped[int] = mapped_column(ForeignKey("terms_version.id"))
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime())

    terms_version: Mapped[TermsVersion] = relationship()
