"""Invited experts of a supporter corporation (contracts.md, `_preset`): the kind and the corporation are
fixed by the invitation, and the bank account is optional (honoraria may go to the corporation).

The preset is a function of the answers being shown or checked: the draft's ``_preset`` when present,
else an invitation in the expert's affiliation rows; either holds only while that invitation is still
open (``invited`` or ``confirmed``).  Once the corporation ends it or the expert declines it, the
preset is dropped and the expert chooses freely.  Callers without the answers at hand (a form shown
before the engine gives it its answers) get the answers of the subject's saved draft, so every page and
every check reads the same source.  The subject is the logged-in expert, or the applicant of a desk
clerk's grant.  Read-only."""

from __future__ import annotations

from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy import select

from dxapp.extensions import db
from dxapp.inputs import form_int
from dxapp.models.supporter import Affiliation
from dxapp.procedures.expert_registration.keys import NAME, owner_key
from dxapp.services import affiliations, drafts

OPEN = ("invited", "confirmed")


def subject():
    """The expert whose answers these are: the logged-in expert, or the applicant a desk clerk acts for."""
    if not has_request_context():
        return None
    if getattr(current_user, "is_authenticated", False) and current_user.role == "expert":
        return current_user._get_current_object()
    applicant = g.get("desk_applicant")
    if applicant is not None and getattr(applicant, "role", None) == "expert":
        return applicant
    return None


def _invitation(user_id: int, organisation_id=None) -> Affiliation | None:
    """The open invitation of a corporation (that one, when given) to the expert."""
    query = select(Affiliation).where(Affiliation.expert_user_id == user_id, Affiliation.requested_by == "supporter",
                                      Affiliation.status.in_(OPEN))
    if organisation_id is not None:
        try:
            query = query.where(Affiliation.organisation_id == int(organisation_id))
        except (TypeError, ValueError):
            return None
    return db.session.scalar(query.order_by(Affiliation.id.desc()).limit(1))


def _preset_of(affiliation: Affiliation) -> dict:
    return {"participation": "supporter_member", "supporter_organisation_id": str(affiliation.organisation_id),
            "bank_optional": True}


def _saved_answers(user) -> dict:
    draft = drafts.get(NAME, owner_key(user))
    return (draft.answers if draft is not None else None) or {}


def current(answers: dict | None = None, user=None) -> dict | None:
    """The preset for these answers of the subject (``user``, else :func:`subject`), or None."""
    user = user or subject()
    if user is None:
        return None
    if answers is None:
        answers = _saved_answers(user)
    stored = answers.get("_preset") if isinstance(answers.get("_preset"), dict) else None
    key = ("preset", user.id, (stored or {}).get("supporter_organisation_id"))
    cache = g.setdefault("expert_presets", {})
    if key not in cache:
        if stored is not None:
            invitation = _invitation(user.id, stored.get("supporter_organisation_id"))
            cache[key] = {**stored, "supporter_organisation_id": str(stored.get("supporter_organisation_id"))} \
                if invitation is not None else None
        else:
            invitation = _invitation(user.id)
            cache[key] = _preset_of(invitation) if invitation is not None else None
    return cache[key]


def forget() -> None:
    """After an affiliation changed in this request."""
    g.pop("expert_presets", None)


def bank_optional(answers: dict | None = None) -> bool:
    preset = current(answers)
    return bool(preset and preset.get("bank_optional"))


def invitations(user) -> list[tuple[Affiliation, str]]:
    """Every affiliation of the expert with its corporation's name, newest first (for My Page)."""
    from dxapp.models import Organisation

    rows = db.session.execute(
        select(Affiliation, Organisation.name).join(Organisation, Organisation.id == Affiliation.organisation_id)
        .where(Affiliation.expert_user_id == user.id).order_by(Affiliation.id.desc())).all()
    return [(affiliation, name or f"#{affiliation.organisation_id}") for affiliation, name in rows]


def supporter_choices(answers: dict | None = None, *, shown: str | None = None) -> list[tuple[int, str]]:
    """Registered (approved) supporter corporations, plus the preset one (shown read-only even while its
    own registration is still under review; the rules then say it is not registered yet).  ``shown``: a
    corporation of stored answers being shown only (its name appears, whatever its state)."""
    offered = list(affiliations.registered_supporters())
    preset = current(answers)
    extra = [preset["supporter_organisation_id"]] if preset and preset.get("supporter_organisation_id") else []
    if shown:
        extra.append(shown)
    for value in extra:
        org_id = form_int(str(value))  # posted back by the page: any text, any size
        if org_id is None:
            continue
        if all(org_id != o for o, _name in offered):
            from dxapp.models import Organisation

            organisation = db.session.get(Organisation, org_id)
            if organisation is not None:
                offered.append((org_id, organisation.name or f"#{org_id}"))
    return offered


def is_registered(organisation_id) -> bool:
    return affiliations.is_registered_supporter(organisation_id)
