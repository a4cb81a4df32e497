"""Introductions (紹介, issue 12 "The secretariat introduces"; MONEY.md §1: 紹介中 → 承諾 / 辞退).

For a published 支援希望 (``support_wanted``) case the secretariat (a desk clerk or an administrator)
searches the approved experts who accept introductions and introduces one or more, with a note; the
expert accepts or declines with a reason; the SME sees the accepted introductions like proposals and
may choose one, which forms the match (:func:`dxapp.services.matches.form`, origin ``introduction``).

One live (introduced or accepted) introduction per case and expert: the partial unique index
``uq_introduction_live`` decides between two clerks introducing the same expert at once.  Status
changes go through :func:`dxapp.services.workflow.transition` (audited); e-mails go through the
outbox in the same transaction; nothing is committed here."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, func, select

from dxapp import clock
from dxapp.extensions import db
from dxapp.models import (
    Application,
    ConsultationCase,
    ExpertProfile,
    ExpertProfileArea,
    ExpertProfilePrefecture,
    Introduction,
    Match,
    User,
)
from dxapp.rules import matching as rules
from dxapp.services import applications, audit, cases, matches, messages, outbox, rows, workflow

PAGE_SIZE = 20
NOTE_MAX = 2000


class IntroductionRefused(Exception):
    """Why an introduction (or a choice of one) cannot be made; nothing was written.  ``code``:

    * ``wrong_kind``: the case is not a 支援希望 case;
    * ``case_not_open``: the case is not published (or its proposal deadline passed, or it is hidden);
    * ``expert_not_approved``: the expert's registration is not approved (or the account is disabled);
    * ``already_introduced``: this expert already has a live introduction on this case;
    * ``reason_missing``: a decline needs a reason;
    * ``not_accepted``: only an accepted introduction can be chosen;
    * ``case_matched``: the case already has its match."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# ------------------------------------------------------------------------------------ checks


def approved_expert(user) -> Application | None:
    """The expert's approved registration (an active account), else None."""
    if user is None or user.role != "expert" or not user.active:
        return None
    registration = applications.registration(user, "expert")
    return registration if registration is not None and registration.status == "approved" else None


def _open(case: ConsultationCase) -> bool:
    return not case.hidden and cases.shown_status(case) == "published"


# ------------------------------------------------------------------------------------ moves


def introduce(case: ConsultationCase, expert_user, *, note: str | None, actor) -> Introduction:
    """The secretariat introduces ``expert_user`` for ``case`` (see the module's docstring); the expert
    is told by e-mail.  :class:`IntroductionRefused` before anything is written."""
    if case.kind != "support_wanted":
        raise IntroductionRefused("wrong_kind")
    if not _open(case):
        raise IntroductionRefused("case_not_open")
    if approved_expert(expert_user) is None:
        raise IntroductionRefused("expert_not_approved")
    note = (note or "").strip()[:NOTE_MAX] or None
    now = clock.wall_now()
    introduction = Introduction(case_id=case.id, expert_user_id=expert_user.id, introduced_by_id=actor.id,
                                status="introduced", note=note, version=1, created_at=now, updated_at=now)
    if not rows.insert_once(introduction):
        raise IntroductionRefused("already_introduced")
    messages.thread_for_case(case, expert_user.id)
    audit.record("introduction.created", "introduction", introduction.id, actor=actor,
                 summary={"case": case.reference, "expert_user_id": expert_user.id})
    outbox.enqueue(expert_user.email, "introduction-new", f"事務局から相談案件のご紹介（{case.reference}）",
                   "introduction_new.txt", user=expert_user, case=case, note=note)
    return introduction


def _move(introduction: Introduction, to: str, *, version: int, actor, values: dict | None = None) -> None:
    expected = tuple(s for s in rules.INTRODUCTION_STATUSES if rules.may_move("introduction", s, to))
    workflow.transition(introduction, action=f"introduction.{to}", to=to, expected=expected, version=version,
                        values={"decided_at": clock.wall_now(), **(values or {})}, actor=actor,
                        summary={"case_id": introduction.case_id})


def accept(introduction: Introduction, *, version: int, actor) -> None:
    """The expert accepts: the SME is told, and sees the introduction on its case."""
    _move(introduction, "accepted", version=version, actor=actor)
    case = db.session.get(ConsultationCase, introduction.case_id)
    for recipient in _sme_recipients(case):
        outbox.enqueue(recipient.email, "introduction-accepted", f"IT専門家が紹介を承諾しました（{case.reference}）",
                       "introduction_accepted.txt", user=recipient, case=case)


def decline(introduction: Introduction, *, version: int, actor, reason: str) -> None:
    """The expert declines, with a reason (the secretariat reads it; the SME never sees the
    introduction)."""
    reason = (reason or "").strip()[:NOTE_MAX]
    if not reason:
        raise IntroductionRefused("reason_missing")
    _move(introduction, "declined", version=version, actor=actor, values={"decline_reason": reason})


def choose(introduction: Introduction, *, actor) -> Match:
    """The SME chooses an accepted introduction: the match forms (``matches.form``, origin
    ``introduction``); the case becomes マッチング済み.  :class:`IntroductionRefused` when the
    introduction is not accepted or the case has its match; ``matches.AlreadyMatched`` from a race."""
    if introduction.status != "accepted":
        raise IntroductionRefused("not_accepted")
    case = db.session.get(ConsultationCase, introduction.case_id)
    if case.status not in ("published", "closed"):
        raise IntroductionRefused("case_matched" if case.status == "matched" else "case_not_open")
    return matches.form(matches.sides_of_case(case, introduction.expert_user_id), origin="introduction",
                        actor=actor, case=case, introduction_id=introduction.id)


def _sme_recipients(case: ConsultationCase) -> list[User]:
    """Who hears about the SME's case: the user who posted it."""
    user = db.session.get(User, case.created_by_id)
    return [user] if user is not None and user.active else []


# ------------------------------------------------------------------------------------ reading


def queue(limit: int = 100) -> list[tuple[ConsultationCase, int]]:
    """The clerk's queue: published 支援希望 cases with no accepted introduction, oldest first, with the
    number of introductions still waiting for the expert's answer."""
    accepted = exists().where(Introduction.case_id == ConsultationCase.id, Introduction.status == "accepted")
    waiting = (select(func.count()).where(Introduction.case_id == ConsultationCase.id,
                                          Introduction.status == "introduced").scalar_subquery())
    today = clock.program_today()
    query = (select(ConsultationCase, waiting)
             .where(ConsultationCase.kind == "support_wanted", ConsultationCase.status == "published",
                    ConsultationCase.hidden.is_(False), ConsultationCase.deadline >= today, ~accepted)
             .order_by(ConsultationCase.published_at, ConsultationCase.id).limit(limit))
    return [(case, n) for case, n in db.session.execute(query).all()]


def case_for_staff(case_id) -> ConsultationCase | None:
    try:
        case_id = int(case_id)
    except (TypeError, ValueError):
        return None
    return db.session.get(ConsultationCase, case_id)


def of_case(case: ConsultationCase) -> list[Introduction]:
    return list(db.session.scalars(select(Introduction).where(Introduction.case_id == case.id)
                                   .order_by(Introduction.id)))


def accepted_for_case(case: ConsultationCase) -> list[Introduction]:
    """What the SME sees: the accepted introductions on its case."""
    return list(db.session.scalars(select(Introduction).where(Introduction.case_id == case.id,
                                                              Introduction.status == "accepted")
                                   .order_by(Introduction.decided_at, Introduction.id)))


def of_expert(user) -> list[Introduction]:
    return list(db.session.scalars(select(Introduction).where(Introduction.expert_user_id == user.id)
                                   .order_by(Introduction.id.desc())))


def owned_by_expert(user, introduction_id) -> Introduction | None:
    """An introduction of this expert, else None (the view answers 404)."""
    try:
        introduction_id = int(introduction_id)
    except (TypeError, ValueError):
        return None
    return db.session.scalar(select(Introduction).where(Introduction.id == introduction_id,
                                                        Introduction.expert_user_id == user.id))


def owned_by_sme(user, case: ConsultationCase, introduction_id) -> Introduction | None:
    """An accepted introduction on the SME's own ``case`` (loaded through ``cases.owned``), else None."""
    try:
        introduction_id = int(introduction_id)
    except (TypeError, ValueError):
        return None
    if case is None or case.organisation_id != user.organisation_id:
        return None
    return db.session.scalar(select(Introduction).where(Introduction.id == introduction_id,
                                                        Introduction.case_id == case.id,
                                                        Introduction.status == "accepted"))


def profiles_of(user_ids) -> dict[int, ExpertProfile]:
    ids = list(set(user_ids))
    if not ids:
        return {}
    return {p.user_id: p for p in db.session.scalars(select(ExpertProfile).where(ExpertProfile.user_id.in_(ids)))}


# ------------------------------------------------------------------------------------ the expert search


@dataclass(frozen=True)
class Filters:
    area: str | None = None
    prefecture: str | None = None
    mode: str | None = None  # online | onsite


@dataclass(frozen=True)
class Candidate:
    profile: ExpertProfile
    load: int  # matches formed so far (support plans come with issue 13)
    introduction: Introduction | None  # this expert's live introduction on the case


def candidates(case: ConsultationCase, filters: Filters, page: int = 1,
               page_size: int = PAGE_SIZE) -> tuple[list[Candidate], int]:
    """Approved experts who accept introductions (an active account, a listed profile), filtered by area,
    prefecture and mode, least loaded first; with this case's live introduction of each."""
    approved = exists().where(Application.user_id == ExpertProfile.user_id, Application.kind == "expert",
                              Application.change_of_id.is_(None), Application.status == "approved")
    query = (select(ExpertProfile).join(User, User.id == ExpertProfile.user_id)
             .where(ExpertProfile.listed.is_(True), User.active.is_(True), approved))
    if filters.area:
        query = query.where(exists().where(ExpertProfileArea.profile_id == ExpertProfile.id,
                                           ExpertProfileArea.area == filters.area))
    if filters.prefecture:
        query = query.where(exists().where(ExpertProfilePrefecture.profile_id == ExpertProfile.id,
                                           ExpertProfilePrefecture.prefecture == filters.prefecture))
    if filters.mode in ("online", "onsite"):
        query = query.where(ExpertProfile.delivery.in_((filters.mode, "both")))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    load = (select(func.count()).where(Match.expert_user_id == ExpertProfile.user_id).scalar_subquery())
    found = db.session.execute(query.add_columns(load).order_by(load, ExpertProfile.id)
                               .offset((max(page, 1) - 1) * page_size).limit(page_size)).all()
    live = {i.expert_user_id: i for i in db.session.scalars(
        select(Introduction).where(Introduction.case_id == case.id,
                                   Introduction.status.in_(("introduced", "accepted"))))}
    return [Candidate(profile, n, live.get(profile.user_id)) for profile, n in found], total


def expert_for_introduction(user_id) -> User | None:
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    user = db.session.get(User, user_id)
    return user if user is not None and user.role == "expert" else None


def support_cases_of(user) -> list[tuple[ConsultationCase, int]]:
    """The SME's 支援希望 cases that have an accepted introduction, with how many (My Page)."""
    accepted = (select(func.count()).where(Introduction.case_id == ConsultationCase.id,
                                           Introduction.status == "accepted").scalar_subquery())
    found = db.session.execute(select(ConsultationCase, accepted).where(
        ConsultationCase.organisation_id == user.organisation_id, ConsultationCase.kind == "support_wanted")
        .order_by(ConsultationCase.id.desc()).limit(20)).all()
    return [(case, n) for case, n in found if n]
