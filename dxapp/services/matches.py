"""Matches (マッチング, issue 12; MONEY.md §1): one per (SME, expert, case), formed from an accepted
proposal, an accepted introduction or a confirmed self-match.  :func:`form` is the one way a match comes
into being: the row (a unique constraint lets one of two parallel acceptances through), the case moved
to マッチング済み, the (case, expert) thread tied to the match, the registration review's signals
checked between the two sides (the match still forms; the signal goes to the secretariat's queue), and
the audit event, all in the caller's transaction.  Nothing is committed here."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from dxapp import clock
from dxapp.extensions import db
from dxapp.models import Application, ConsultationCase, Match, MatchSignal
from dxapp.services import audit, cases, messages, rows


class AlreadyMatched(Exception):
    """This SME and expert already have a match on this case (or without a case): nothing was written."""

    def __init__(self, match: Match | None):
        super().__init__("already matched")
        self.match = match


@dataclass(frozen=True)
class Sides:
    """Who a match is between: the SME (its organisation and the user whose 300,000 yen cap counts,
    the registration's applicant) and the expert."""

    organisation_id: int
    sme_user_id: int
    expert_user_id: int


def sides_of_case(case: ConsultationCase, expert_user_id: int) -> Sides:
    registration = db.session.get(Application, case.application_id) if case.application_id else None
    sme_user_id = registration.user_id if registration is not None else case.created_by_id
    return Sides(case.organisation_id, sme_user_id, expert_user_id)


def existing(sides: Sides, case_id: int | None) -> Match | None:
    query = select(Match).where(Match.organisation_id == sides.organisation_id,
                                Match.expert_user_id == sides.expert_user_id)
    query = query.where(Match.case_id.is_(None) if case_id is None else Match.case_id == case_id)
    return db.session.scalar(query.limit(1))


def form(sides: Sides, *, origin: str, actor, case: ConsultationCase | None = None, proposal_id: int | None = None,
         introduction_id: int | None = None, self_match_id: int | None = None) -> Match:
    """Form the match (see the module's docstring); ``actor`` is the user whose action formed it.
    :class:`AlreadyMatched` when one exists."""
    now = clock.wall_now()
    case_id = case.id if case is not None else None
    match = Match(organisation_id=sides.organisation_id, sme_user_id=sides.sme_user_id,
                  expert_user_id=sides.expert_user_id, case_id=case_id, origin=origin, proposal_id=proposal_id,
                  introduction_id=introduction_id, self_match_id=self_match_id, created_at=now)
    if not rows.insert_once(match):
        raise AlreadyMatched(existing(sides, case_id))
    if case is not None and case.status in ("published", "closed"):
        cases.mark_matched(case, version=case.version, actor=actor)
    messages.thread_for_match(match)
    codes = signal_codes(sides)
    for code in codes:
        db.session.add(MatchSignal(match_id=match.id, code=code, status="open", created_at=now, updated_at=now))
    db.session.flush()
    audit.record("match.formed", "match", match.id, actor=actor,
                 summary={"origin": origin, "case": case.reference if case is not None else None,
                          "expert_user_id": sides.expert_user_id, "signals": list(codes)})
    return match


def _approved(user_id: int | None, organisation_id: int | None, kind: str) -> Application | None:
    query = select(Application).where(Application.kind == kind, Application.change_of_id.is_(None),
                                      Application.status == "approved")
    if organisation_id is not None:
        query = query.where(Application.organisation_id == organisation_id)
    else:
        query = query.where(Application.user_id == user_id)
    return db.session.scalar(query.order_by(Application.id.desc()).limit(1))


def signal_codes(sides: Sides) -> tuple[str, ...]:
    """The registration review's signals between the two sides (the same codes as
    ``services.review.signals``): the same address, phone, representative or bank account, or the same
    person (the SME's representative is the expert)."""
    sme = _approved(None, sides.organisation_id, "sme")
    expert = _approved(sides.expert_user_id, None, "expert")
    if sme is None or expert is None:
        return ()
    found = []
    if sme.address_key and sme.address_key == expert.address_key:
        found.append("shared_address")
    if sme.phone_digits and sme.phone_digits == expert.phone_digits:
        found.append("shared_phone")
    if sme.representative_key and sme.representative_key == expert.representative_key:
        found.append("shared_representative")
    if sme.bank_key and sme.bank_key == expert.bank_key:
        found.append("shared_bank")
    if sme.representative_key and sme.representative_key == expert.name_key:
        found.append("same_person")
    return tuple(found)


def of_sme(organisation_id: int) -> list[Match]:
    return list(db.session.scalars(select(Match).where(Match.organisation_id == organisation_id)
                                   .order_by(Match.id.desc())))


def of_expert(expert_user_id: int) -> list[Match]:
    return list(db.session.scalars(select(Match).where(Match.expert_user_id == expert_user_id)
                                   .order_by(Match.id.desc())))


def open_signals(limit: int = 100) -> list[MatchSignal]:
    """The secretariat's queue of signals found at matching, oldest first."""
    return list(db.session.scalars(select(MatchSignal).where(MatchSignal.status == "open")
                                   .order_by(MatchSignal.id).limit(limit)))
