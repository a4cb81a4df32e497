"""Invited experts of a supporter corporation (contracts.md, `_preset`): the kind and the corporation are
fixed by the invitation, and the bank account is optional (honoraria may go to the corporation).

The preset is read from the draft's ``_preset`` answers when present, else from the expert's affiliation
rows (an invitation by the corporation), so it holds however the draft was created.  Read-only."""

from __future__ import annotations

from flask import g
from flask_login import current_user
from sqlalchemy import select

from dxapp.extensions import db


def _affiliation_preset(user_id: int) -> dict | None:
    try:
        from dxapp.models.supporter import Affiliation
    except ImportError:  # the supporter area not there yet
        return None
    organisation_id = db.session.scalar(
        select(Affiliation.organisation_id)
        .where(Affiliation.expert_user_id == user_id, Affiliation.requested_by == "supporter",
               Affiliation.status.in_(("invited", "confirmed")))
        .order_by(Affiliation.id.desc()).limit(1))
    if organisation_id is None:
        return None
    return {"participation": "supporter_member", "supporter_organisation_id": str(organisation_id),
            "bank_optional": True}


def current(answers: dict | None = None) -> dict | None:
    """The preset of the logged-in expert (cached for the request), or None."""
    if answers and isinstance(answers.get("_preset"), dict):
        return answers["_preset"]
    if not getattr(current_user, "is_authenticated", False) or current_user.role != "expert":
        return None
    if "expert_preset" not in g:
        g.expert_preset = _affiliation_preset(current_user.id)
    return g.expert_preset


def bank_optional() -> bool:
    preset = current()
    return bool(preset and preset.get("bank_optional"))


def supporter_choices() -> list[tuple[int, str]]:
    """Registered (approved) supporter corporations, plus the preset one (shown read-only even while its
    own registration is still under review; the rules then say it is not registered yet)."""
    try:
        from dxapp.services import affiliations
        offered = list(affiliations.registered_supporters())
    except ImportError:  # TODO(lead): the supporter_org area provides affiliations.registered_supporters()
        offered = []
    preset = current()
    if preset and preset.get("supporter_organisation_id"):
        org_id = int(preset["supporter_organisation_id"])
        if all(org_id != o for o, _name in offered):
            from dxapp.models import Organisation

            organisation = db.session.get(Organisation, org_id)
            offered.append((org_id, (organisation.name if organisation else None) or f"#{org_id}"))
    return offered


def is_registered(organisation_id) -> bool:
    try:
        from dxapp.services import affiliations
    except ImportError:
        return False
    return affiliations.is_registered_supporter(organisation_id)
