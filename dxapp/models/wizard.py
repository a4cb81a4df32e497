"""Server-side wizard drafts and one-time submissions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dxapp.extensions import db
from dxapp.models.types import UTCDateTime


class WizardDraft(db.Model):
    """The answers of one wizard run, saved at every step.

    Owned by a user, or (before an account exists, as in sign-up) by an anonymous key kept in the
    session.  ``version`` grows by one at every save; a save carrying an older version is refused.
    """

    __tablename__ = "wizard_draft"
    __table_args__ = (
        UniqueConstraint("wizard", "owner_key", name="uq_wizard_draft_wizard_owner"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    wizard: Mapped[str] = mapped_column(String(40))
    owner_key: Mapped[str] = mapped_column(String(80))  # "user:<id>" or "anon:<random>"
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class Submission(db.Model):
    """One row per submitted wizard run; the unique token makes a double click create one."""

    __tablename__ = "submission"
    __table_args__ = (
        UniqueConstraint("wizard", "owner_key", "form_token", name="uq_submission_owner_token"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    wizard: Mapped[str] = mapped_column(String(40))
    owner_key: Mapped[str] = mapped_column(String(80))
    form_token: Mapped[str] = mapped_column(String(64))
    reference: Mapped[str] = mapped_column(String(40))
    result_type: Mapped[str | None] = mapped_column(String(40))
    result_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
