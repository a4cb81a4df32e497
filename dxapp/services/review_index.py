"""Keeps the searchable columns of each application (display name, furigana, corporate number, e-mail,
phone, prefecture, birth date, bank, address and representative keys) in step with its answers: written
in the same transaction as the submission, the resubmission, and an approved change request being put
in force (applications.on_status hooks).  The extractors are pure (dxapp/rules/review.py).

Also records who holds an application while it is under review (``holder_id``)."""

from __future__ import annotations

from dxapp.extensions import db
from dxapp.models import Application, User
from dxapp.rules import review as rules


def index_fields(application: Application) -> rules.IndexFields:
    user = db.session.get(User, application.user_id) if application.user_id else None
    return rules.fields_for(application.kind, application.answers or {},
                            fallback_email=user.email if user is not None else None)


def reindex(application: Application) -> None:
    """Copy the keys of the current answers onto the row (flushed with the caller's transaction)."""
    for name, value in index_fields(application).as_dict().items():
        setattr(application, name, value)


def _on_submitted(application: Application, actor_id) -> None:
    reindex(application)


def _on_picked_up(application: Application, actor_id) -> None:
    application.holder_id = actor_id


def _on_approved(application: Application, actor_id) -> None:
    # An approved change request has just put its answers in force on the registration.
    if application.change_of_id is not None:
        original = db.session.get(Application, application.change_of_id)
        if original is not None:
            reindex(original)


def hooks() -> list[tuple[str, str, object]]:
    """(kind, status, hook) for ``applications.on_status``, wired in create_app: every kind's index row
    follows its submission, pick-up and approval."""
    return [(kind, status, fn) for kind in rules.KINDS
            for status, fn in (("submitted", _on_submitted), ("under_review", _on_picked_up),
                               ("approved", _on_approved))]


def reindex_unindexed() -> int:
    """Fill the keys of rows written without the hooks (e.g. demo data inserted directly)."""
    from sqlalchemy import select

    rows = list(db.session.scalars(select(Application).where(Application.display_name.is_(None))))
    for application in rows:
        reindex(application)
    return len(rows)
