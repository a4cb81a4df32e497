"""Self-matching (セルフマッチング, issue 12): an SME and an expert who already know each other.

The approved SME enters the expert's registration number (the expert's approved registration
reference, ``E`` + 8 digits, shown on the expert's My Page) and an optional message.  Nothing of the
expert is revealed to the SME before the confirmation: whether the number belongs to an approved
expert or not, :func:`request` gives the SME the same answer ("sent if the number is right") and the
SME's list shows only requests it can cancel, without the expert's name.  The expert sees the request
with the SME's name (the SME chose to reveal itself) and confirms, which forms the match without a case
(:func:`dxapp.services.matches.form`, origin ``self_match``), or declines; the SME may cancel while it
waits.

One waiting request per SME and expert (``uq_self_match_waiting``); a confirmation is a conditional
UPDATE on the request's version and status, so two confirmations at once make one match.  Nothing is
committed here."""

from __future__ import annotations

import unicodedata

from sqlalchemy import select

from dxapp import clock
from dxapp.extensions import db
from dxapp.models import Application, Match, Organisation, SelfMatch, User
from dxapp.rules import matching as rules
from dxapp.rules import references
from dxapp.services import audit, cases, matches, outbox, rows, workflow

MESSAGE_MAX = 1000
_NUMBER = references.get("expert_application")


class SelfMatchRefused(Exception):
    """``code``: ``not_approved`` (the SME's registration is not approved)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def normalise_number(text: str | None) -> str:
    """A registration number as people type it: full-width letters and digits, spaces, lower case,
    dashes between the parts (UX.md: be liberal in what you accept)."""
    value = unicodedata.normalize("NFKC", text or "").upper()
    return "".join(ch for ch in value if ch.isalnum())[:20]


def well_formed(number: str) -> bool:
    return _NUMBER.valid(number)


def _expert_by_number(number: str) -> User | None:
    """The active expert whose approved registration has this reference, else None."""
    if not well_formed(number):
        return None
    return db.session.scalar(
        select(User).join(Application, Application.user_id == User.id)
        .where(Application.reference == number, Application.kind == "expert", Application.change_of_id.is_(None),
               Application.status == "approved", User.role == "expert", User.active.is_(True)).limit(1))


def request(user, number: str, message: str | None) -> SelfMatch | None:
    """The SME ``user`` asks the expert with registration ``number`` to confirm a self-match.  Returns the
    request (a new one, or the one already waiting), or None when the number names no approved expert
    (or an expert already matched with this SME without a case): the page the SME sees is the same
    either way.  :class:`SelfMatchRefused` ``not_approved`` for an SME not approved (before anything is
    looked up)."""
    if cases.approved_registration(user) is None:
        raise SelfMatchRefused("not_approved")
    number = normalise_number(number)
    message = (message or "").strip()[:MESSAGE_MAX] or None
    expert = _expert_by_number(number)
    already = expert is not None and db.session.scalar(
        select(Match.id).where(Match.organisation_id == user.organisation_id, Match.expert_user_id == expert.id,
                               Match.case_id.is_(None)).limit(1)) is not None
    if expert is None or already:
        audit.record("self_match.not_sent", "organisation", user.organisation_id, actor=user,
                     summary={"well_formed": well_formed(number), "already_matched": bool(already)})
        return None
    now = clock.wall_now()
    self_match = SelfMatch(organisation_id=user.organisation_id, requested_by_id=user.id, expert_user_id=expert.id,
                           status="requested", message=message, version=1, created_at=now, updated_at=now)
    if not rows.insert_once(self_match):
        return waiting(user.organisation_id, expert.id)
    audit.record("self_match.requested", "self_match", self_match.id, actor=user,
                 summary={"expert_user_id": expert.id})
    outbox.enqueue(expert.email, "self-match-requested", "セルフマッチングの確認のお願い", "self_match_requested.txt",
                   user=expert, sme_name=sme_names([self_match]).get(self_match.organisation_id) or user.name)
    return self_match


def waiting(organisation_id: int, expert_user_id: int) -> SelfMatch | None:
    return db.session.scalar(select(SelfMatch).where(SelfMatch.organisation_id == organisation_id,
                                                     SelfMatch.expert_user_id == expert_user_id,
                                                     SelfMatch.status == "requested"))


def _move(self_match: SelfMatch, to: str, *, version: int, actor) -> None:
    expected = tuple(s for s in rules.SELF_MATCH_STATUSES if rules.may_move("self_match", s, to))
    workflow.transition(self_match, action=f"self_match.{to}", to=to, expected=expected, version=version,
                        values={"decided_at": clock.wall_now()}, actor=actor,
                        summary={"organisation_id": self_match.organisation_id,
                                 "expert_user_id": self_match.expert_user_id})


def sides(self_match: SelfMatch) -> matches.Sides:
    """The SME side's cap is its approved registration's applicant's (the requester otherwise)."""
    requester = db.session.get(User, self_match.requested_by_id)
    registration = cases.approved_registration(requester) if requester is not None else None
    sme_user_id = registration.user_id if registration is not None else self_match.requested_by_id
    return matches.Sides(self_match.organisation_id, sme_user_id, self_match.expert_user_id)


def confirm(self_match: SelfMatch, *, version: int, actor) -> Match:
    """The expert confirms: requested -> confirmed (conditional UPDATE: a second confirmation, or one
    after a cancellation, is :class:`~dxapp.services.workflow.Stale`), and the match without a case
    forms.  The SME is told by e-mail."""
    _move(self_match, "confirmed", version=version, actor=actor)
    match = matches.form(sides(self_match), origin="self_match", actor=actor, self_match_id=self_match.id)
    requester = db.session.get(User, self_match.requested_by_id)
    if requester is not None and requester.active:
        outbox.enqueue(requester.email, "self-match-confirmed", "セルフマッチングが成立しました",
                       "self_match_confirmed.txt", user=requester, expert=actor)
    return match


def decline(self_match: SelfMatch, *, version: int, actor) -> None:
    _move(self_match, "declined", version=version, actor=actor)


def cancel(self_match: SelfMatch, *, version: int, actor) -> None:
    """The SME withdraws its request while it waits."""
    _move(self_match, "cancelled", version=version, actor=actor)


# ------------------------------------------------------------------------------------ reading


def of_sme(organisation_id: int) -> list[SelfMatch]:
    return list(db.session.scalars(select(SelfMatch).where(SelfMatch.organisation_id == organisation_id)
                                   .order_by(SelfMatch.id.desc())))


def of_expert(user) -> list[SelfMatch]:
    return list(db.session.scalars(select(SelfMatch).where(SelfMatch.expert_user_id == user.id)
                                   .order_by(SelfMatch.id.desc())))


def _id(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def owned_by_sme(user, self_match_id) -> SelfMatch | None:
    found = _id(self_match_id)
    if found is None or user.organisation_id is None:
        return None
    return db.session.scalar(select(SelfMatch).where(SelfMatch.id == found,
                                                     SelfMatch.organisation_id == user.organisation_id))


def owned_by_expert(user, self_match_id) -> SelfMatch | None:
    found = _id(self_match_id)
    if found is None:
        return None
    return db.session.scalar(select(SelfMatch).where(SelfMatch.id == found, SelfMatch.expert_user_id == user.id))


def sme_names(self_matches) -> dict[int, str]:
    """The SMEs' names for the expert's list (the SME revealed itself by asking)."""
    ids = list({s.organisation_id for s in self_matches})
    if not ids:
        return {}
    names = {}
    for organisation_id, name, registered in db.session.execute(
            select(Organisation.id, Organisation.name, Application.display_name)
            .outerjoin(Application, (Application.organisation_id == Organisation.id) & (Application.kind == "sme")
                       & Application.change_of_id.is_(None) & (Application.status == "approved"))
            .where(Organisation.id.in_(ids))).all():
        names[organisation_id] = registered or name or names.get(organisation_id) or ""
    return names


def match_of(self_match: SelfMatch) -> Match | None:
    return db.session.scalar(select(Match).where(Match.self_match_id == self_match.id))


def registration_number(user) -> str | None:
    """The expert's registration number for self-matching (their approved registration's reference)."""
    return db.session.scalar(select(Application.reference).where(
        Application.user_id == user.id, Application.kind == "expert", Application.change_of_id.is_(None),
        Application.status == "approved").order_by(Application.id.desc()).limit(1))


def registration_number_of(expert_user_id: int) -> str | None:
    """The number the SME typed for a waiting request (it names the expert; nothing else is shown)."""
    user = db.session.get(User, expert_user_id)
    return registration_number(user) if user is not None else None
