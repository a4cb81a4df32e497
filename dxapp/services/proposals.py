"""Proposals (提案, issue 12; MONEY.md §1「提案 送信済み → 採用 / 不採用 / 取下げ」): an approved IT expert's
answer to a published consultation case, and the SME's choice among them.

* :func:`send`: an approved expert, a case that is published, not hidden and whose proposal deadline has
  not passed (program time: a case shown 締切 takes no proposals), one open proposal per expert and case
  (the unique index ``uq_proposal_open`` through ``rows.insert_once``: the loser of a double submit gets
  :class:`ProposalRefused` ``already_proposed``, not a 500).  The (case, expert) message thread is
  created (or found) and the SME is told by e-mail.
* :func:`withdraw`: the expert takes back a proposal that is still 送信済み.
* :func:`accept`: the case's SME chooses one: it becomes 採用, every other open proposal of the case
  不採用, the match forms (``services.matches.form``: the case moves to マッチング済み, the thread is tied),
  the chosen expert is told and each of the others gets a polite e-mail.  The proposals of the case are
  moved in id order, so two parallel acceptances of different proposals wait for each other instead of
  deadlocking; the second finds its proposal no longer open (:class:`~dxapp.services.workflow.Stale`),
  and exactly one match forms.
* :func:`decline`: the SME declines one proposal (a polite e-mail to its expert).

Every status change goes through :func:`dxapp.services.workflow.transition` (conditional UPDATE on id +
version + status, its audit event in the same transaction).  Refusals that are not races raise
:class:`ProposalRefused` with a code before anything is written.  Nothing is committed here.

:func:`quote_panel` builds the live quote panel's context (``templates/proposals/_quote_panel.html``)
from typed strings and the prior amounts alone: no database, so it serves the stateless panel endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import case as when
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from dxapp import clock, offline
from dxapp.extensions import db
from dxapp.models import Application, ConsultationCase, ExpertCarryOver, ExpertProfile, Proposal, User
from dxapp.rules import cases as case_rules
from dxapp.rules import normalize, subsidy
from dxapp.rules.matching import MESSAGE_MAX_CHARS
from dxapp.services import applications, audit, budget, matches, messages, outbox, rows, workflow


class ProposalRefused(Exception):
    """Why a proposal action may not be taken now; nothing was written.  ``code``:

    * ``not_approved``: the expert's registration is not approved;
    * ``case_not_found``: the case is hidden, a draft or does not exist (the page answers 404);
    * ``deadline_passed``: the proposal deadline has passed (the case shows 締切), or the SME closed it;
    * ``case_withdrawn`` / ``case_matched``: the case was withdrawn, or is matched already;
    * ``no_proposals_wanted``: a 提案不要 case (its SME has its expert already);
    * ``already_proposed``: this expert has an open proposal on the case (``proposal``: that one);
    * ``not_open``: the proposal was decided or withdrawn already (``proposal``: as it is now);
    * ``already_matched``: this SME and expert are matched on the case already."""

    def __init__(self, code: str, proposal: Proposal | None = None):
        super().__init__(code)
        self.code = code
        self.proposal = proposal


@dataclass(frozen=True)
class ProposalFields:
    """What an expert states in a proposal (the form's values, parsed)."""

    message: str
    plan_outline: str
    half_hours: int
    hourly_rate_yen: int

    def check(self) -> None:
        """ValueError for values no form lets through (the form validates first)."""
        if not (self.message or "").strip() or len(self.message) > MESSAGE_MAX_CHARS:
            raise ValueError("message")
        if not (self.plan_outline or "").strip() or len(self.plan_outline) > MESSAGE_MAX_CHARS:
            raise ValueError("plan_outline")
        for value in (self.half_hours, self.hourly_rate_yen):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError("number")
        if not 1 <= self.half_hours <= 2000 or not 0 <= self.hourly_rate_yen <= 10_000_000:
            raise ValueError("range")


# ----------------------------------------------------------------------------------------- reading

def approved_expert(user) -> bool:
    """Only an approved IT expert proposes (issue 12)."""
    if user is None or getattr(user, "role", None) != "expert":
        return False
    registration = applications.registration(user, "expert")
    return registration is not None and registration.status == "approved"


def case_refusal(case: ConsultationCase | None, at: datetime | None = None, *, package: bool = False) -> str | None:
    """Why this case takes no proposal now (a code of :class:`ProposalRefused`), or None."""
    if case is None or case.hidden or case.status == "draft":
        return "case_not_found"
    if case.status == "withdrawn":
        return "case_withdrawn"
    if case.status == "matched":
        return "case_matched"
    if case_rules.effective_status(case.status, case.deadline, at or clock.program_now()) != "published":
        return "deadline_passed"
    if case.kind == "no_proposals" and not package:
        return "no_proposals_wanted"
    return None


def visible_case(reference: str) -> ConsultationCase | None:
    """The case of this reference as an expert may reach it (not hidden, not a draft), else None."""
    if not case_rules.is_reference(reference):
        return None
    case = db.session.scalar(select(ConsultationCase).where(ConsultationCase.reference == reference))
    return None if case is None or case.hidden or case.status == "draft" else case


def open_proposal(case_id: int, expert_user_id: int) -> Proposal | None:
    return db.session.scalar(select(Proposal).where(Proposal.case_id == case_id,
                                                    Proposal.expert_user_id == expert_user_id,
                                                    Proposal.status == "sent"))


def of_expert(user, *, page: int = 1, page_size: int = 20) -> tuple[list[tuple[Proposal, ConsultationCase]], int]:
    """One page of the expert's own proposals with their cases, newest first, and how many there are."""
    total = db.session.scalar(select(func.count()).select_from(Proposal)
                              .where(Proposal.expert_user_id == user.id)) or 0
    found = db.session.execute(
        select(Proposal, ConsultationCase).join(ConsultationCase, ConsultationCase.id == Proposal.case_id)
        .where(Proposal.expert_user_id == user.id).order_by(Proposal.id.desc())
        .offset((max(page, 1) - 1) * page_size).limit(page_size)).all()
    return [(p, c) for p, c in found], total


def own(user, proposal_id) -> Proposal | None:
    """A proposal of this expert, else None (the view answers 404)."""
    try:
        proposal_id = int(proposal_id)
    except (TypeError, ValueError):
        return None
    return db.session.scalar(select(Proposal).where(Proposal.id == proposal_id, Proposal.expert_user_id == user.id))


def of_case(case: ConsultationCase, *, offset: int = 0, limit: int | None = None) -> list[Proposal]:
    """The proposals of the case, open ones first, then in the order they came."""
    query = (select(Proposal).where(Proposal.case_id == case.id)
             .order_by(when((Proposal.status == "sent", 0), else_=1), Proposal.id).offset(offset))
    return list(db.session.scalars(query if limit is None else query.limit(limit)))


def open_count(case: ConsultationCase) -> int:
    return db.session.scalar(select(func.count()).select_from(Proposal).where(
        Proposal.case_id == case.id, Proposal.status == "sent")) or 0


def on_case(case: ConsultationCase, proposal_id) -> Proposal | None:
    """A proposal of this case (the case already loaded through the SME's scope), else None."""
    try:
        proposal_id = int(proposal_id)
    except (TypeError, ValueError):
        return None
    return db.session.scalar(select(Proposal).where(Proposal.id == proposal_id, Proposal.case_id == case.id))


def counts_by_case(organisation_id: int) -> list[tuple[ConsultationCase, int, int]]:
    """The SME's cases that received proposals: (case, open proposals, all proposals), newest first."""
    open_count = func.sum(when((Proposal.status == "sent", 1), else_=0))
    found = db.session.execute(
        select(ConsultationCase, open_count, func.count(Proposal.id))
        .join(Proposal, Proposal.case_id == ConsultationCase.id)
        .where(ConsultationCase.organisation_id == organisation_id)
        .group_by(ConsultationCase.id).order_by(ConsultationCase.id.desc())).all()
    return [(case, int(n_open or 0), int(n_all)) for case, n_open, n_all in found]


def expert_name(expert_user_id: int) -> str:
    """The name SMEs see of an expert: the public profile's, else the account's."""
    profile_name = db.session.scalar(select(ExpertProfile.name).where(ExpertProfile.user_id == expert_user_id))
    return profile_name or db.session.scalar(select(User.name).where(User.id == expert_user_id)) or ""


def prior_amounts(sme_user_id: int | None, expert_user_id: int) -> tuple[int, int]:
    """What already counts against the SME's and the expert's caps (for the quote), read without creating
    a usage row (a GET changes nothing); an expert without a row yet counts the Phase I honoraria."""
    sme = budget.used_yen("sme", sme_user_id) if sme_user_id is not None else 0
    expert = budget.used_yen("expert", expert_user_id) or db.session.scalar(
        select(ExpertCarryOver.phase1_honorarium_yen).where(ExpertCarryOver.user_id == expert_user_id)) or 0
    return sme, expert


def _expert_priors(expert_user_ids) -> dict[int, int]:
    """:func:`prior_amounts` of many experts in two queries."""
    used = budget.used_yen_of("expert", expert_user_ids)
    carried = dict(db.session.execute(select(ExpertCarryOver.user_id, ExpertCarryOver.phase1_honorarium_yen)
                                      .where(ExpertCarryOver.user_id.in_(set(used)))).all()) if used else {}
    return {user_id: yen or carried.get(user_id, 0) for user_id, yen in used.items()}


def quote_of(proposal: Proposal, case: ConsultationCase, *, at: datetime | None = None) -> subsidy.Quote:
    sme_prior, expert_prior = prior_amounts(matches.sides_of_case(case, proposal.expert_user_id).sme_user_id,
                                            proposal.expert_user_id)
    return subsidy.quote(proposal.hourly_rate_yen, Decimal(proposal.half_hours) / 2, sme_prior_yen=sme_prior,
                         expert_prior_yen=expert_prior, at=at or clock.program_now())


@dataclass(frozen=True)
class Row:
    """One proposal as the SME's comparison table shows it."""

    proposal: Proposal
    expert_name: str
    profile_id: int | None  # the expert's public profile, when listed
    areas: tuple[str, ...]
    quote: subsidy.Quote
    rating: float | None  # no ratings exist before support reports (issue 15): None, shown 「評価なし」


#: Proposals per page of the SME's comparison table (the page stays within 14 KB compressed).
PAGE_SIZE = 10


def comparison(case: ConsultationCase, *, page: int = 1, page_size: int = PAGE_SIZE,
               at: datetime | None = None) -> tuple[list[Row], int]:
    """One page of the case's proposals side by side (the expert's public profile name and areas, rate,
    hours, the SME's share, rating so far) and how many proposals the case has."""
    total = db.session.scalar(select(func.count()).select_from(Proposal).where(Proposal.case_id == case.id)) or 0
    proposals = of_case(case, offset=(max(page, 1) - 1) * page_size, limit=page_size)
    return rows_of(case, proposals, at=at), total


def rows_of(case: ConsultationCase, proposals: list[Proposal], *, at: datetime | None = None) -> list[Row]:
    ids = {p.expert_user_id for p in proposals}
    if not ids:
        return []
    profiles = {p.user_id: p for p in db.session.scalars(
        select(ExpertProfile).where(ExpertProfile.user_id.in_(ids)).options(selectinload(ExpertProfile.areas)))}
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())
    sme_prior = budget.used_yen("sme", matches.sides_of_case(case, 0).sme_user_id)
    expert_priors = _expert_priors(ids)
    at = at or clock.program_now()
    found = []
    for proposal in proposals:
        profile = profiles.get(proposal.expert_user_id)
        expert_prior = expert_priors[proposal.expert_user_id]
        quote = subsidy.quote(proposal.hourly_rate_yen, Decimal(proposal.half_hours) / 2, sme_prior_yen=sme_prior,
                              expert_prior_yen=expert_prior, at=at)
        found.append(Row(proposal=proposal, expert_name=profile.name if profile else names.get(proposal.expert_user_id, ""),
                         profile_id=profile.id if profile is not None and profile.listed else None,
                         areas=tuple(a.area for a in profile.areas) if profile else (), quote=quote, rating=None))
    return found


# ----------------------------------------------------------------------------------------- the quote

def quote_panel(rate_text: str | None, hours_text: str | None, *, sme_prior_yen: int = 0, expert_prior_yen: int = 0,
                at: datetime | None = None) -> dict:
    """The live quote panel's context from what was typed (see ``templates/proposals/_quote_panel.html``):
    ``state`` ``empty`` (not enough typed yet), ``invalid`` (``message`` says what to fix) or ``quoted``
    with the figures of :func:`dxapp.rules.subsidy.quote`.  Reads no database."""
    rate_text, hours_text = (rate_text or "").strip(), (hours_text or "").strip()
    if not rate_text or not hours_text:
        return {"state": "empty"}
    try:
        rate = normalize.parse_yen(rate_text)
        quote = subsidy.quote(rate, hours_text, sme_prior_yen=max(0, sme_prior_yen),
                              expert_prior_yen=max(0, expert_prior_yen), at=at or clock.program_now())
    except ValueError as exc:
        return {"state": "invalid", "message": str(exc)}
    return {"state": "quoted", "quote": quote, "reasons": [r.as_dict() for r in quote.reasons]}


def prior_from_text(text: str | None) -> int:
    """A prior amount sent back by the page (the stateless panel's query string): 0 when it is not one."""
    text = (text or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return 0
    return int(text)


# ----------------------------------------------------------------------------------------- e-mail

def _link(endpoint: str, **values) -> str:
    return offline.external_url(endpoint, **values)


def _sme_recipient(case: ConsultationCase) -> User | None:
    registration = db.session.get(Application, case.application_id) if case.application_id else None
    return db.session.get(User, registration.user_id if registration is not None else case.created_by_id)


def _mail_expert(proposal: Proposal, case: ConsultationCase, kind: str) -> None:
    expert = db.session.get(User, proposal.expert_user_id)
    if expert is None:
        return
    subjects = {"accepted": "ご提案が採用されました", "declined": "ご提案の結果のお知らせ"}
    outbox.enqueue(expert.email, f"proposal-{kind}", f"{subjects[kind]}（相談案件 {case.reference}）",
                   f"proposal_{kind}.txt", user=expert, case=case, proposal=proposal,
                   link=_link("expert.proposals"))


# ----------------------------------------------------------------------------------------- actions

def send(expert, case: ConsultationCase, fields: ProposalFields, *, at: datetime | None = None,
         package_id: int | None = None, actor=None) -> Proposal:
    """The expert sends a proposal on the case (see the module's docstring).  ``package_id``: the
    proposal a requested support package makes (allowed on a 提案不要 case); ``actor``: who acts (the
    expert, unless the package request of the SME)."""
    fields.check()
    if not approved_expert(expert):
        raise ProposalRefused("not_approved")
    code = case_refusal(case, at, package=package_id is not None)
    if code:
        raise ProposalRefused(code)
    existing = open_proposal(case.id, expert.id)
    if existing is not None:
        raise ProposalRefused("already_proposed", existing)
    now = clock.wall_now()
    proposal = Proposal(case_id=case.id, expert_user_id=expert.id, package_id=package_id, status="sent",
                        message=fields.message.strip(), plan_outline=fields.plan_outline.strip(),
                        half_hours=fields.half_hours, hourly_rate_yen=fields.hourly_rate_yen, version=1,
                        created_at=now, updated_at=now)
    if not rows.insert_once(proposal):  # a parallel double submit: the unique index let the other through
        raise ProposalRefused("already_proposed", open_proposal(case.id, expert.id))
    messages.thread_for_case(case, expert.id)
    audit.record("proposal.sent", "proposal", proposal.id, actor=actor or expert,
                 summary={"case": case.reference, "to": "sent", "half_hours": proposal.half_hours,
                          "hourly_rate_yen": proposal.hourly_rate_yen, "package_id": package_id})
    sme = _sme_recipient(case)
    if sme is not None:
        outbox.enqueue(sme.email, "proposal-received", f"新しい提案が届きました（相談案件 {case.reference}）",
                       "proposal_received.txt", user=sme, case=case,
                       link=_link("sme.case_proposals", case_id=case.id))
    return proposal


def _decided(proposal: Proposal, to: str, action: str, *, actor, summary: dict | None = None) -> None:
    workflow.transition(proposal, action=action, to=to, expected="sent", version=proposal.version,
                        values={"decided_at": clock.wall_now()}, actor=actor,
                        summary={"case_id": proposal.case_id, **(summary or {})})


def withdraw(proposal: Proposal, *, version: int, actor) -> None:
    """The expert withdraws a proposal still 送信済み; ``not_open`` once it was decided."""
    if proposal.status != "sent":
        raise ProposalRefused("not_open", proposal)
    workflow.transition(proposal, action="proposal.withdrawn", to="withdrawn", expected="sent", version=version,
                        values={"decided_at": clock.wall_now()}, actor=actor, summary={"case_id": proposal.case_id})


def _check_decidable(proposal: Proposal, case: ConsultationCase) -> None:
    if proposal.case_id != case.id:
        raise ValueError("proposal of another case")
    if case.status == "withdrawn":
        raise ProposalRefused("case_withdrawn", proposal)
    if case.status == "matched":
        raise ProposalRefused("case_matched", proposal)
    if proposal.status != "sent":
        raise ProposalRefused("not_open", proposal)


def accept(proposal: Proposal, case: ConsultationCase, *, version: int, actor):
    """The SME accepts the proposal (see the module's docstring); returns the match.  Stale when the
    proposal (or the case) changed meanwhile, e.g. another acceptance came first."""
    _check_decidable(proposal, case)
    sides = matches.sides_of_case(case, proposal.expert_user_id)
    if matches.existing(sides, case.id) is not None:
        raise ProposalRefused("already_matched", proposal)
    rows.begin_write()  # SQLite: take the write lock before reading the proposals to move
    others = []
    for other in db.session.scalars(select(Proposal).where(Proposal.case_id == case.id, Proposal.status == "sent")
                                    .order_by(Proposal.id).execution_options(populate_existing=True)).all():
        if other.id == proposal.id:
            workflow.transition(proposal, action="proposal.accepted", to="accepted", expected="sent",
                                version=version, values={"decided_at": clock.wall_now()}, actor=actor,
                                summary={"case_id": case.id, "reference": case.reference})
            continue
        try:
            _decided(other, "declined", "proposal.declined", actor=actor,
                     summary={"reference": case.reference, "because": "another_accepted"})
        except workflow.Stale:
            continue  # withdrawn or decided meanwhile: nothing was written, nothing to tell
        others.append(other)
    if proposal.status != "accepted":  # it was no longer open when the proposals were read
        raise workflow.Stale.of(proposal)
    try:
        match = matches.form(sides, origin="proposal", actor=actor, case=case, proposal_id=proposal.id)
    except matches.AlreadyMatched:
        raise ProposalRefused("already_matched", proposal) from None
    _mail_expert(proposal, case, "accepted")
    for other in others:
        _mail_expert(other, case, "declined")
    return match


def decline(proposal: Proposal, case: ConsultationCase, *, version: int, actor) -> None:
    """The SME declines one proposal; its expert gets a polite e-mail."""
    _check_decidable(proposal, case)
    workflow.transition(proposal, action="proposal.declined", to="declined", expected="sent", version=version,
                        values={"decided_at": clock.wall_now()}, actor=actor,
                        summary={"case_id": case.id, "reference": case.reference})
    _mail_expert(proposal, case, "declined")

