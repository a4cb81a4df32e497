"""Uploaded documents (SECURITY.md rule 9): the bytes live under UPLOAD_DIR with a generated name; the row
keeps the name the user gave for display only, the type detected from the content, the size and a hash.
Removal is a soft delete, so what an application was sent with can still be shown later."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dxapp.extensions import db
from dxapp.models.types import UTCDateTime

PURPOSES = ("registration_certificate", "opening_notification", "tax_return", "articles", "other")
PURPOSES += ("identity_document", "face_photo", "employer_permission", "qualification_certificate")  # expert (migration 0006)
PURPOSES += ("supporter_certificate",)  # supporter_org: certificate of 認定情報処理支援機関 (migration 0007)
CONTENT_TYPES = ("application/pdf", "image/jpeg", "image/png")

_PURPOSE_SQL = ", ".join(f"'{p}'" for p in PURPOSES)
_TYPE_SQL = ", ".join(f"'{t}'" for t in CONTENT_TYPES)


class Document(db.Model):
    __tablename__ = "document"
    __table_args__ = (
        CheckConstraint(f"purpose IN ({_PURPOSE_SQL})", name="purpose_known"),
        CheckConstraint(f"content_type IN ({_TYPE_SQL})", name="content_type_allowed"),
        CheckConstraint("size_bytes > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(40))
    original_name: Mapped[str] = mapped_column(String(255))  # for display only, never a path
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)  # secrets.token_hex(16) + extension
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
