"""The secretariat's queue of fraud signals found when a match formed (issue 12 "Fraud signals at
matching"): open :class:`~dxapp.models.MatchSignal` rows with both sides, and their acknowledgement with
a note (a conditional UPDATE on the open status through ``workflow.transition``, audited).  The signals
themselves are written by :func:`dxapp.services.matches.form`.  Nothing is committed here."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from dxapp.extensions import db
from dxapp.models import Application, ConsultationCase, Match, MatchSignal, Organisation, User
from dxapp.services import workflow

NOTE_MAX = 2000


class SignalError(ValueError):
    """``note_missing``: an acknowledgement says what the clerk found."""


@dataclass(frozen=True)
class Row:
    signal: MatchSignal
    match: Match
    sme_name: str
    sme_reference: str | None
    expert_name: str
    expert_reference: str | None
    case: ConsultationCase | None


def _registration(kind: str, *, user_id=None, organisation_id=None) -> Application | None:
    query = select(Application).where(Application.kind == kind, Application.change_of_id.is_(None),
                                      Application.status == "approved")
    query = query.where(Application.organisation_id == organisation_id) if organisation_id is not None \
        else query.where(Application.user_id == user_id)
    return db.session.scalar(query.order_by(Application.id.desc()).limit(1))


def row(signal: MatchSignal) -> Row:
    match = db.session.get(Match, signal.match_id)
    sme = _registration("sme", organisation_id=match.organisation_id)
    expert = _registration("expert", user_id=match.expert_user_id)
    organisation = db.session.get(Organisation, match.organisation_id)
    expert_user = db.session.get(User, match.expert_user_id)
    return Row(signal, match,
               sme_name=(sme.display_name if sme is not None and sme.display_name else None)
               or (organisation.name if organisation is not None else "") or "",
               sme_reference=sme.reference if sme is not None else None,
               expert_name=(expert.display_name if expert is not None and expert.display_name else None)
               or (expert_user.name if expert_user is not None else ""),
               expert_reference=expert.reference if expert is not None else None,
               case=db.session.get(ConsultationCase, match.case_id) if match.case_id else None)


def queue(limit: int = 100) -> list[Row]:
    """Open signals, oldest first, with both sides."""
    found = db.session.scalars(select(MatchSignal).where(MatchSignal.status == "open")
                               .order_by(MatchSignal.id).limit(limit))
    return [row(s) for s in found]


def open_count() -> int:
    return db.session.scalar(select(func.count()).select_from(MatchSignal).where(MatchSignal.status == "open")) or 0


def get(signal_id) -> MatchSignal | None:
    try:
        signal_id = int(signal_id)
    except (TypeError, ValueError):
        return None
    return db.session.get(MatchSignal, signal_id)


def acknowledge(signal: MatchSignal, *, note: str, actor) -> None:
    """A clerk has looked at the signal: open -> acknowledged, with the note (audited).  A signal
    someone else acknowledged first is :class:`~dxapp.services.workflow.Stale`."""
    note = (note or "").strip()[:NOTE_MAX]
    if not note:
        raise SignalError("note_missing")
    workflow.transition(signal, action="match_signal.acknowledged", to="acknowledged", expected="open", version=None,
                        values={"note": note, "acknowledged_by_id": actor.id}, actor=actor,
                        summary={"match_id": signal.match_id, "code": signal.code})
