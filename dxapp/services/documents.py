"""Uploaded documents (SECURITY.md rule 9).

* At most 3 MB per file (``UPLOAD_MAX_BYTES``); the app refuses bigger requests before reading them
  (``MAX_CONTENT_LENGTH``).
* PDF, JPEG and PNG only, recognised by their first bytes; the name and the mimetype the browser sent are
  never trusted.
* Stored under ``UPLOAD_DIR`` with a generated name (``secrets.token_hex(16)`` and the extension of the
  detected type); the user's file name is kept for display only, without any directory part.
* Every change writes an audit event in the same transaction; removal is a soft delete (the bytes stay,
  so what an application was sent with can still be shown to the secretariat).
* Documents are loaded through the owner's scope: an SME's documents belong to its organisation (every
  member, i.e. contact person, continues the same draft), a user without an organisation owns their own;
  another scope's id is simply not found.

Errors are ``ValueError`` with Japanese messages that say what to do; a file that is too big raises
``FileTooLarge`` (a ``ValueError`` too), which pages turn into the 413 page.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from dxapp import clock, transaction
from dxapp.extensions import db
from dxapp.models import Document
from dxapp.models.document import PURPOSES
from dxapp.rules import documents as document_rules
from dxapp.services import audit

MAX_BYTES = 3 * 1024 * 1024

# (magic bytes, content type, extension); checked against the start of the file.
SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)

MSG_WRONG_TYPE = "PDF・JPEG・PNGのファイルを選んでください。"
MSG_TOO_LARGE = "ファイルは3MB以下にしてください。スキャンの解像度を下げると小さくなります。"
MSG_EMPTY = "ファイルが空です。内容のあるファイルを選んでください。"
MSG_NO_FILE = "アップロードするファイルを選んでください。"
MSG_PURPOSE = "書類の種類を選んでください。"

_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(pdf|jpg|png)$")


class NotAllowedType(ValueError):
    """A file of an allowed type, but not one this kind of document takes (e.g. a PDF as a face photo)."""


class FileTooLarge(ValueError):
    """The file is over the 3 MB limit."""

    def __init__(self, message: str = MSG_TOO_LARGE):
        super().__init__(message)


# ------------------------------------------------------------------------------------------------------
# Which documents a legal form needs (pure)
# ------------------------------------------------------------------------------------------------------

# The rules live in dxapp.rules.documents; these keep the SME's legal-form API of the services.
Requirement = document_rules.Requirement
CORPORATIONS = document_rules.CORPORATIONS
SOLE_PROPRIETOR = document_rules.SOLE_PROPRIETOR
requirements_for = document_rules.requirements_for


def purposes_for(legal_form: str | None) -> tuple[str, ...]:
    """The kinds of document the page offers for this legal form: the required ones, then 'other'."""
    return document_rules.offered(requirements_for(legal_form), ("other",))


def missing(legal_form: str | None, documents) -> list[Requirement]:
    """The requirements that none of ``documents`` (rows or purposes) satisfies."""
    return document_rules.missing(requirements_for(legal_form), (getattr(d, "purpose", d) for d in documents))


# ------------------------------------------------------------------------------------------------------
# Checking and storing files
# ------------------------------------------------------------------------------------------------------

def detect(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the first bytes of a file, or None when it is not allowed."""
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None


def display_name(filename: str | None, extension: str) -> str:
    """The user's file name for display: the last path part only, no control characters, at most 200
    characters.  Never used to build a path."""
    name = unicodedata.normalize("NFC", filename or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    if not name:
        name = f"document{extension}"
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 200 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:200]
    return name


def upload_dir() -> Path:
    return Path(current_app.config.get("UPLOAD_DIR") or Path(current_app.instance_path) / "uploads")


def max_bytes() -> int:
    return int(current_app.config.get("UPLOAD_MAX_BYTES") or MAX_BYTES)


def path_of(document: Document) -> Path:
    """Where the bytes of ``document`` are.  The stored name is generated, and checked again here."""
    if not _STORED_NAME.match(document.stored_name or ""):
        raise ValueError("unexpected stored name")
    return upload_dir() / document.stored_name


def _read(file_storage, types=None) -> tuple[bytes, str, str]:
    """The bytes of an uploaded file, checked: (data, content type, extension); ``types``: the content
    types this kind of document takes (default: every allowed one)."""
    if file_storage is None or not getattr(file_storage, "filename", None):
        raise ValueError(MSG_NO_FILE)
    limit = max_bytes()
    data = file_storage.stream.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge()
    if not data:
        raise ValueError(MSG_EMPTY)
    detected = detect(data[:16])
    if detected is None:
        raise ValueError(MSG_WRONG_TYPE)
    if types is not None and detected[0] not in types:
        raise NotAllowedType(MSG_WRONG_TYPE)
    return data, *detected


def _write(data: bytes, extension: str) -> str:
    folder = upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stored_name = secrets.token_hex(16) + extension
    with (folder / stored_name).open("xb") as fh:  # never overwrites
        fh.write(data)
    return stored_name


def _new_document(file_storage, owner, purpose: str, types=None) -> tuple[Document, Path]:
    if purpose not in PURPOSES:
        raise ValueError(MSG_PURPOSE)
    data, content_type, extension = _read(file_storage, types)
    stored_name = _write(data, extension)
    document = Document(
        owner_user_id=owner.id, organisation_id=getattr(owner, "organisation_id", None), purpose=purpose,
        original_name=display_name(file_storage.filename, extension), stored_name=stored_name,
        content_type=content_type, size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(),
        created_at=clock.wall_now(),
    )
    db.session.add(document)
    return document, upload_dir() / stored_name


def _summary(document: Document) -> dict:
    return {"purpose": document.purpose, "content_type": document.content_type, "size_bytes": document.size_bytes,
            "sha256": document.sha256}


def _flush_or_unlink(path: Path) -> None:
    """Flush the row of the file just written; the file goes should the flush fail now or the unit of
    work roll back later (dxapp/transaction.py commits or rolls back once)."""
    try:
        db.session.flush()
    except Exception:
        path.unlink(missing_ok=True)
        raise
    transaction.unlink_on_rollback(path)


def store(file_storage, owner, purpose: str, *, actor=None, on_behalf_of=None, types=None) -> Document:
    """Check and keep one uploaded file for ``owner``; one audit event, one transaction.  ``types``: the
    content types this kind takes (``NotAllowedType`` for another allowed type)."""
    document, path = _new_document(file_storage, owner, purpose, types)
    try:
        db.session.flush()
        audit.record("document.uploaded", "document", document.id, actor=actor or owner,
                     on_behalf_of=on_behalf_of, summary=_summary(document))
    except Exception:
        path.unlink(missing_ok=True)
        raise
    _flush_or_unlink(path)
    return document


def remove(owner, document_id: int, *, actor=None, on_behalf_of=None) -> Document | None:
    """Soft-delete one of the owner's documents; None when it is not theirs (or already removed)."""
    document = get_owned(owner, document_id)
    if document is None:
        return None
    document.deleted_at = clock.wall_now()
    audit.record("document.removed", "document", document.id, actor=actor or owner, on_behalf_of=on_behalf_of,
                 summary={"purpose": document.purpose})
    db.session.flush()
    return document


def replace(owner, document_id: int, file_storage, *, actor=None, on_behalf_of=None,
            types=None) -> Document | None:
    """A new file for the same kind of document: the new one is stored, the old one soft-deleted, in one
    transaction with one audit event.  None when the old document is not the owner's."""
    old = get_owned(owner, document_id)
    if old is None:
        return None
    document, path = _new_document(file_storage, owner, old.purpose, types)
    try:
        old.deleted_at = clock.wall_now()
        db.session.flush()
        audit.record("document.replaced", "document", document.id, actor=actor or owner, on_behalf_of=on_behalf_of,
                     summary={**_summary(document), "replaces": old.id})
    except Exception:
        path.unlink(missing_ok=True)
        raise
    _flush_or_unlink(path)
    return document


# ------------------------------------------------------------------------------------------------------
# Reading (through the owner's scope)
# ------------------------------------------------------------------------------------------------------

def _scope(owner):
    """The documents ``owner`` may see: their organisation's, or their own when they have none."""
    organisation_id = getattr(owner, "organisation_id", None)
    if organisation_id is not None:
        return Document.organisation_id == organisation_id
    return (Document.owner_user_id == owner.id) & Document.organisation_id.is_(None)


def list_for(owner) -> list[Document]:
    """The owner's current documents, oldest first."""
    return list(db.session.scalars(
        select(Document).where(_scope(owner), Document.deleted_at.is_(None)).order_by(Document.id)
    ))


def get_owned(owner, document_id) -> Document | None:
    """One of the owner's current documents; a foreign, removed or malformed id is None (-> 404)."""
    try:
        document_id = int(document_id)
    except (TypeError, ValueError):
        return None
    return db.session.scalar(
        select(Document).where(Document.id == document_id, _scope(owner), Document.deleted_at.is_(None))
    )


def human_size(size_bytes: int) -> str:
    """「120 KB」「2.4 MB」: sizes as people read them (1 KB = 1,024 bytes)."""
    if size_bytes < 1024 * 1024:
        return f"{max(1, round(size_bytes / 1024)):,} KB"
    return f"{size_bytes / (1024 * 1024):.1f} MB"
