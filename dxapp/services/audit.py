"""Writing the append-only audit log in the caller's transaction."""

from __future__ import annotations

from dxapp import clock, transaction
from dxapp.extensions import db
from dxapp.models import AuditEvent

# Keys never written to an audit summary, whatever a caller passes.
_SECRET_KEYS = {"password", "password_hash", "totp_secret", "account_number", "token", "session_token"}


def _scrub(summary: dict | None) -> dict:
    clean: dict = {}
    for key, value in (summary or {}).items():
        if key in _SECRET_KEYS or "password" in key:
            continue
        clean[key] = _scrub(value) if isinstance(value, dict) else value
    return clean


def record(
    action: str,
    object_type: str,
    object_id: object = None,
    *,
    actor=None,
    on_behalf_of=None,
    summary: dict | None = None,
) -> AuditEvent:
    """Add one audit row to the current session; it commits or rolls back with the change."""
    event = AuditEvent(
        at=clock.wall_now(),
        actor_id=getattr(actor, "id", actor),
        on_behalf_of_id=getattr(on_behalf_of, "id", on_behalf_of),
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        summary=_scrub(summary),
        ip=transaction.client_ip(),
    )
    db.session.add(event)
    return event
