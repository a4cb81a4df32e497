"""Experts affiliated with an SME-supporter corporation (contracts.md, "Experts affiliated with a supporter
corporation").

Statuses: ``requested`` (the expert chose the corporation in their own wizard), ``invited`` (the
corporation's administrator invited them), ``confirmed`` (the only one that counts), ``declined`` and
``ended``.  Every change goes through ``workflow.transition`` (conditional UPDATE on version and status,
its audit event in the same transaction; ``workflow.Stale`` when it changed meanwhile).  Nothing here
commits: the request (or the CLI) does, once (dxapp/transaction.py).

``invited_at``, ``decided_at`` and ``ended_at`` are program dates (shown on pages; in the demo the shifted
clock), ``created_at`` and the audit log keep wall time, as for applications.
"""

from __future__ import annotations

from sqlalchemy import case, func, select

from dxapp import clock
from dxapp.extensions import db
from dxapp.models import Application, Organisation, User
from dxapp.models.supporter import OPEN_STATUSES, Affiliation
from dxapp.services import audit, rows, workflow


class AffiliationError(ValueError):
    """The affiliation cannot be made (not a supporter corporation)."""


# ---------------------------------------------------------------------------------------- queries

def registered_supporters() -> list[tuple[int, str]]:
    """Approved supporter corporations, by name: the expert wizard's choice."""
    rows = db.session.execute(
        select(Organisation.id, Organisation.name)
        .join(Application, Application.organisation_id == Organisation.id)
        .where(Organisation.kind == "supporter", Application.kind == "supporter",
               Application.status == "approved", Application.change_of_id.is_(None))
        .distinct().order_by(Organisation.name, Organisation.id)
    ).all()
    return [(org_id, name or f"#{org_id}") for org_id, name in rows]


def is_registered_supporter(organisation_id) -> bool:
    try:
        organisation_id = int(organisation_id)
    except (TypeError, ValueError):
        return False
    return any(org_id == organisation_id for org_id, _name in registered_supporters())


def confirmed_organisation_id(expert_user) -> int | None:
    """The corporation the expert is a confirmed member of (the latest, should there be several)."""
    return db.session.scalar(
        select(Affiliation.organisation_id)
        .where(Affiliation.expert_user_id == expert_user.id, Affiliation.status == "confirmed")
        .order_by(Affiliation.decided_at.desc(), Affiliation.id.desc()).limit(1)
    )


def current_for_expert(expert_user_id: int, organisation_id: int) -> Affiliation | None:
    """The open (requested, invited or confirmed) affiliation of this expert with this corporation."""
    return db.session.scalar(
        select(Affiliation).where(Affiliation.expert_user_id == expert_user_id,
                                  Affiliation.organisation_id == organisation_id,
                                  Affiliation.status.in_(OPEN_STATUSES))
        .order_by(Affiliation.id.desc()).limit(1)
    )


_STATUS_ORDER = {"requested": 0, "invited": 1, "confirmed": 2, "declined": 3, "ended": 4}


def for_organisation(organisation_id: int, *, status: str | None = None, limit: int | None = None,
                     offset: int = 0) -> list[tuple[Affiliation, User]]:
    """The affiliations of the corporation with their experts: requests first, then by name; one page
    (``limit``/``offset``) in SQL."""
    query = (select(Affiliation, User).join(User, User.id == Affiliation.expert_user_id)
             .where(Affiliation.organisation_id == organisation_id))
    if status:
        query = query.where(Affiliation.status == status)
    order = case(_STATUS_ORDER, value=Affiliation.status, else_=9)
    query = query.order_by(order, User.name, Affiliation.id).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [tuple(r) for r in db.session.execute(query).all()]


def count_for_organisation(organisation_id: int, *, status: str | None = None) -> int:
    query = select(func.count()).select_from(Affiliation).where(Affiliation.organisation_id == organisation_id)
    if status:
        query = query.where(Affiliation.status == status)
    return db.session.scalar(query) or 0


def invitation_for(expert_user_id: int, affiliation_id: int) -> Affiliation | None:
    """An affiliation of this expert (made by a corporation's invitation), through the expert's scope."""
    return db.session.scalar(select(Affiliation).where(Affiliation.id == affiliation_id,
                                                       Affiliation.expert_user_id == expert_user_id,
                                                       Affiliation.requested_by == "supporter"))


def organisation_name(organisation_id: int) -> str:
    organisation = db.session.get(Organisation, organisation_id)
    return (organisation.name if organisation else None) or f"#{organisation_id}"


def counts(organisation_id: int) -> dict[str, int]:
    out: dict[str, int] = {}
    for status in db.session.scalars(select(Affiliation.status).where(Affiliation.organisation_id == organisation_id)):
        out[status] = out.get(status, 0) + 1
    return out


def owned(organisation_id: int, affiliation_id: int) -> Affiliation | None:
    """Loaded through the corporation's scope: another corporation's id is simply not found."""
    return db.session.scalar(select(Affiliation).where(Affiliation.id == affiliation_id,
                                                       Affiliation.organisation_id == organisation_id))


# ---------------------------------------------------------------------------------------- changes

def request(expert_user, organisation_id, *, actor) -> Affiliation:
    """The expert chose the corporation (participation "supporter_member") and submitted.

    An invitation from that corporation becomes ``confirmed`` (the invited expert accepted by
    completing their part); otherwise a ``requested`` affiliation waits for the administrator.  Calling
    it again changes nothing.  Runs inside the caller's transaction (no commit)."""
    try:
        organisation_id = int(organisation_id)
    except (TypeError, ValueError) as exc:
        raise AffiliationError("organisation") from exc
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or organisation.kind != "supporter":
        raise AffiliationError("organisation")
    existing = current_for_expert(expert_user.id, organisation_id)
    if existing is not None and existing.status == "invited":
        _move(existing, "confirmed", version=existing.version, actor=actor, action="affiliation.accepted",
              values={"decided_at": clock.program_now()})
        return existing
    if existing is not None:
        return existing
    affiliation = Affiliation(organisation_id=organisation_id, expert_user_id=expert_user.id, status="requested",
                              requested_by="expert", created_at=clock.wall_now(), version=1)
    if not rows.insert_once(affiliation):
        # A parallel request or invitation came first (the partial unique index uq_affiliation_open
        # refused a second open affiliation): the one that exists stands, as for a repeated call.
        return current_for_expert(expert_user.id, organisation_id)
    audit.record("affiliation.requested", "affiliation", affiliation.id, actor=actor,
                 summary={"organisation_id": organisation_id, "expert_user_id": expert_user.id})
    return affiliation


def add_invited(organisation_id: int, expert_user_id: int, *, actor, now=None,
                invited_name: str | None = None) -> Affiliation | None:
    """An administrator invited the expert (the supporters service creates the user and sends the
    e-mail).  Runs inside the caller's transaction.  None when the expert already has an open
    affiliation with the corporation (made by a parallel request: the unique index on one open
    affiliation per expert and corporation refuses a second)."""
    already = db.session.scalar(select(Affiliation.id).where(
        Affiliation.organisation_id == organisation_id, Affiliation.expert_user_id == expert_user_id,
        Affiliation.status.in_(OPEN_STATUSES)))
    if already is not None:
        return None
    affiliation = Affiliation(organisation_id=organisation_id, expert_user_id=expert_user_id, status="invited",
                              requested_by="supporter", created_at=now or clock.wall_now(),
                              invited_at=clock.program_now(), version=1,
                              invited_name=(invited_name or "")[:100] or None)
    return affiliation if rows.insert_once(affiliation) else None


def shown_name(affiliation: Affiliation, user: User) -> str:
    """The expert's name as the corporation may see it: the registered name once the expert asked to
    join or accepted; before that (invited, declined, an invitation ended) the name the corporation typed,
    so that typing an address never reveals the name of the account behind it (issue 11 item 25)."""
    if affiliation.invited_name is None or affiliation.requested_by == "expert":
        return user.name
    accepted = affiliation.status == "confirmed" or (affiliation.status == "ended" and affiliation.decided_at)
    return user.name if accepted else affiliation.invited_name


def _move(affiliation: Affiliation, target: str, *, version: int, actor, action: str, values=None,
          allowed_from=None) -> None:
    workflow.transition(affiliation, action=action, to=target, expected=allowed_from or (affiliation.status,),
                        version=version, values=values, actor=actor, summary=_summary(affiliation))


def _summary(affiliation: Affiliation) -> dict:
    return {"organisation_id": affiliation.organisation_id, "expert_user_id": affiliation.expert_user_id}


def decide(affiliation: Affiliation, *, accept: bool, version: int, actor) -> None:
    """The administrator confirms or declines an expert's request."""
    _move(affiliation, "confirmed" if accept else "declined", version=version, actor=actor,
          action="affiliation.confirmed" if accept else "affiliation.declined",
          values={"decided_at": clock.program_now()}, allowed_from=("requested",))
    db.session.flush()


def respond(affiliation: Affiliation, *, accept: bool, version: int, actor) -> None:
    """The expert accepts or declines a corporation's invitation."""
    _move(affiliation, "confirmed" if accept else "declined", version=version, actor=actor,
          action="affiliation.accepted" if accept else "affiliation.invitation_declined",
          values={"decided_at": clock.program_now()}, allowed_from=("invited",))
    db.session.flush()


def end(affiliation: Affiliation, *, version: int, actor) -> None:
    """The administrator ends an affiliation (invited, requested or confirmed)."""
    _move(affiliation, "ended", version=version, actor=actor, action="affiliation.ended",
          values={"ended_at": clock.program_now()}, allowed_from=OPEN_STATUSES)
    db.session.flush()


def touch_invited(affiliation: Affiliation, *, version: int, actor) -> None:
    """A resent invitation: the caller enqueues the e-mail in the same transaction."""
    workflow.transition(affiliation, action="affiliation.invitation_resent", expected="invited", version=version,
                        values={"invited_at": clock.program_now()}, actor=actor, summary=_summary(affiliation))
