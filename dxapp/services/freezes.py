"""The secretariat's freeze of new support plans (issue 13 "Secretariat review of plans": the real
program suspended new plans from 2021-09-16 to 2021-10-18).  While a freeze covers the day, sending a
new plan is refused with a page that says until when; drafts are kept.  Setting and lifting are audited;
nothing is committed here."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from dxapp import clock
from dxapp.extensions import db
from dxapp.models import PlanFreeze
from dxapp.rules import JST, require_aware
from dxapp.services import audit


class FreezeRefused(ValueError):
    """``code``: ``until_before_since`` or ``no_reason``."""


def _day(at: datetime) -> date:
    return require_aware(at).astimezone(JST).date()


def in_force(at: datetime | None = None) -> PlanFreeze | None:
    """The freeze covering the day of ``at`` (program time by default), or None."""
    today = _day(at or clock.program_now())
    return db.session.scalar(select(PlanFreeze).where(
        PlanFreeze.lifted_at.is_(None), PlanFreeze.since <= today, PlanFreeze.until >= today)
        .order_by(PlanFreeze.id.desc()).limit(1))


def upcoming(at: datetime | None = None) -> list[PlanFreeze]:
    """Freezes in force or still to come, soonest first (the secretariat's page)."""
    today = _day(at or clock.program_now())
    return list(db.session.scalars(select(PlanFreeze).where(PlanFreeze.lifted_at.is_(None),
                                                            PlanFreeze.until >= today).order_by(PlanFreeze.since)))


def freeze(since: date, until: date, *, reason: str, actor) -> PlanFreeze:
    reason = (reason or "").strip()
    if until < since:
        raise FreezeRefused("until_before_since")
    if not reason:
        raise FreezeRefused("no_reason")
    row = PlanFreeze(since=since, until=until, reason=reason, created_by_id=actor.id, created_at=clock.wall_now())
    db.session.add(row)
    db.session.flush()
    audit.record("plan_freeze.set", "plan_freeze", row.id, actor=actor,
                 summary={"since": since.isoformat(), "until": until.isoformat(), "reason": reason})
    return row


def lift(row: PlanFreeze, *, actor) -> None:
    if row.lifted_at is not None:
        return
    row.lifted_at, row.lifted_by_id = clock.wall_now(), actor.id
    db.session.flush()
    audit.record("plan_freeze.lifted", "plan_freeze", row.id, actor=actor,
                 summary={"since": row.since.isoformat(), "until": row.until.isoformat()})
