"""Support packages (支援提供パッケージ, named in the seed; issue 12 "Support packages").

An approved expert publishes templated offers (title, areas, typical hours, hourly rate, what the SME
gets, online / on site, regions), unpublishes them and publishes them again; the administrator of a
supporter corporation may do the same for one of its confirmed, approved experts (the expert delivers).
SMEs browse the published packages (the filters of cases: area, prefecture, mode) and request one:
that publishes a case of kind 提案不要 (``no_proposals``, through :func:`dxapp.services.cases.publish`,
with the package's fields) and a proposal from the package's expert (``sent``, ``package_id`` set) in
one transaction; the SME then accepts it like any proposal.  A one-time form token (the ``submission``
table's unique index) makes a double click or a replay request once.

Status changes go through :func:`dxapp.services.workflow.transition` (audited); nothing is committed
here."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import exists, func, or_, select

from dxapp import clock
from dxapp.extensions import db
from dxapp.models import (
    ConsultationCase,
    HonorariumUsage,
    Proposal,
    Submission,
    SupportPackage,
    SupportPackageArea,
    SupportPackageRegion,
    User,
)
from dxapp.rules import calendar as calendars
from dxapp.rules import cases as case_rules
from dxapp.rules import matching as rules
from dxapp.rules import subsidy
from dxapp.services import (
    affiliations,
    audit,
    cases,
    experts,
    introductions,
    messages,
    outbox,
    rows,
    workflow,
)

PAGE_SIZE = 10
TITLE_MAX = 100
SUMMARY_MAX = 2000
#: A requested package's case: its proposal deadline is two weeks on (within the contract window), its
#: period three months (the SME may edit the case afterwards).
REQUEST_DEADLINE_DAYS = 14
REQUEST_PERIOD_MONTHS = 3
SUBMISSION_WIZARD = "package_request"


class PackageRefused(Exception):
    """Why a package action cannot be taken; nothing was written.  ``code``:

    * ``not_approved``: the expert's registration is not approved;
    * ``not_affiliated``: a supporter corporation's administrator chose an expert who is not its
      confirmed member;
    * ``not_published``: the package is not published (an SME request);
    * ``deadline_past`` / ``deadline_after_contract_window``: the case can no longer be published
      (the contract window closed)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class PackageFields:
    title: str
    summary: str
    areas: tuple[str, ...]
    half_hours: int
    hourly_rate_yen: int
    mode: str
    regions: tuple[str, ...] = ()

    def check(self) -> None:
        """ValueError for values no form lets through (the forms validate first)."""
        if not (self.title or "").strip() or len(self.title.strip()) > TITLE_MAX:
            raise ValueError("title")
        if not (self.summary or "").strip() or len(self.summary) > SUMMARY_MAX:
            raise ValueError("summary")
        if not self.areas or any(a not in experts.SUPPORT_AREAS for a in self.areas):
            raise ValueError("areas")
        if any(p not in experts.PREFECTURES for p in self.regions):
            raise ValueError("regions")
        if self.mode not in case_rules.MODES:
            raise ValueError("mode")
        if isinstance(self.half_hours, bool) or not isinstance(self.half_hours, int) or self.half_hours < 1:
            raise ValueError("half_hours")
        if isinstance(self.hourly_rate_yen, bool) or not isinstance(self.hourly_rate_yen, int) \
                or self.hourly_rate_yen < 0:
            raise ValueError("hourly_rate_yen")


def _columns(fields: PackageFields) -> dict:
    return {"title": fields.title.strip(), "summary": fields.summary.strip(), "half_hours": fields.half_hours,
            "hourly_rate_yen": fields.hourly_rate_yen, "mode": fields.mode}


def _children(package: SupportPackage, fields: PackageFields) -> None:
    package.areas = [SupportPackageArea(area=a) for a in dict.fromkeys(fields.areas)]
    package.regions = [SupportPackageRegion(prefecture=p) for p in dict.fromkeys(fields.regions)]


def delivering_expert(actor, expert_user_id=None) -> User:
    """Who delivers a package ``actor`` makes: the expert themself, or (a supporter corporation's
    administrator) a confirmed member who is an approved expert.  :class:`PackageRefused` otherwise."""
    if actor.role == "expert":
        if introductions.approved_expert(actor) is None:
            raise PackageRefused("not_approved")
        return actor
    if actor.role != "supporter_admin":
        raise PackageRefused("not_approved")
    try:
        expert = db.session.get(User, int(expert_user_id))
    except (TypeError, ValueError):
        expert = None
    affiliation = affiliations.current_for_expert(expert.id, actor.organisation_id) if expert is not None else None
    if affiliation is None or affiliation.status != "confirmed":
        raise PackageRefused("not_affiliated")
    if introductions.approved_expert(expert) is None:
        raise PackageRefused("not_approved")
    return expert


def member_experts(admin) -> list[User]:
    """The corporation's confirmed members who are approved experts (whom a package may name)."""
    rows_ = affiliations.for_organisation(admin.organisation_id, status="confirmed")
    users = [db.session.get(User, a.expert_user_id) for a in rows_]
    return [u for u in users if u is not None and introductions.approved_expert(u) is not None]


def create(actor, fields: PackageFields, *, expert_user_id=None) -> SupportPackage:
    """A new package, a draft (published by :func:`publish`)."""
    fields.check()
    expert = delivering_expert(actor, expert_user_id)
    now = clock.wall_now()
    package = SupportPackage(expert_user_id=expert.id, created_by_id=actor.id, status="draft", version=1,
                             organisation_id=actor.organisation_id if actor.role == "supporter_admin" else None,
                             created_at=now, updated_at=now, **_columns(fields))
    _children(package, fields)
    db.session.add(package)
    db.session.flush()
    audit.record("package.created", "support_package", package.id, actor=actor,
                 summary={"expert_user_id": expert.id, "title": package.title})
    return package


def edit(package: SupportPackage, fields: PackageFields, *, version: int, actor) -> None:
    """Change the package (any status; a published one changes for SMEs at once).  Stale on another
    version."""
    fields.check()
    workflow.transition(package, action="package.edited", version=version, values=_columns(fields), actor=actor,
                        summary={"title": fields.title.strip()})
    _children(package, fields)
    db.session.flush()


def _move(package: SupportPackage, to: str, *, version: int, actor, values: dict | None = None) -> None:
    expected = tuple(s for s in rules.PACKAGE_STATUSES if rules.may_move("package", s, to))
    workflow.transition(package, action=f"package.{to}", to=to, expected=expected, version=version,
                        values=values, actor=actor, summary={"title": package.title})


def publish(package: SupportPackage, *, version: int, actor) -> None:
    """Draft or unpublished -> published, while the delivering expert is approved."""
    if introductions.approved_expert(db.session.get(User, package.expert_user_id)) is None:
        raise PackageRefused("not_approved")
    _move(package, "published", version=version, actor=actor, values={"published_at": clock.wall_now()})


def unpublish(package: SupportPackage, *, version: int, actor) -> None:
    """Published -> unpublished: SMEs no longer see it; requests already made stay."""
    _move(package, "unpublished", version=version, actor=actor)


# ------------------------------------------------------------------------------------ reading


def _id(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def owned(actor, package_id) -> SupportPackage | None:
    """A package the actor may manage: made by or for the expert themself, or (an administrator) by the
    corporation; else None (404)."""
    found = _id(package_id)
    if found is None:
        return None
    query = select(SupportPackage).where(SupportPackage.id == found)
    if actor.role == "expert":
        query = query.where(SupportPackage.expert_user_id == actor.id)
    elif actor.role == "supporter_admin":
        query = query.where(SupportPackage.organisation_id == actor.organisation_id)
    else:
        return None
    return db.session.scalar(query)


def mine(actor) -> list[SupportPackage]:
    if actor.role == "expert":
        condition = SupportPackage.expert_user_id == actor.id
    elif actor.role == "supporter_admin":
        condition = SupportPackage.organisation_id == actor.organisation_id
    else:
        return []
    return list(db.session.scalars(select(SupportPackage).where(condition).order_by(SupportPackage.id.desc())))


@dataclass(frozen=True)
class Filters:
    area: str | None = None
    prefecture: str | None = None
    mode: str | None = None  # online | onsite


def _listed():
    return (select(SupportPackage).join(User, User.id == SupportPackage.expert_user_id)
            .where(SupportPackage.status == "published", User.active.is_(True)))


def browse(filters: Filters, page: int = 1, page_size: int = PAGE_SIZE) -> tuple[list[SupportPackage], int]:
    """Published packages of active experts, newest first.  A prefecture finds packages offered there
    and those that name no region (anywhere, or online); online finds online and either, on site finds
    on site and either."""
    query = _listed()
    if filters.area:
        query = query.where(exists().where(SupportPackageArea.package_id == SupportPackage.id,
                                           SupportPackageArea.area == filters.area))
    if filters.prefecture:
        named = exists().where(SupportPackageRegion.package_id == SupportPackage.id,
                               SupportPackageRegion.prefecture == filters.prefecture)
        none = ~exists().where(SupportPackageRegion.package_id == SupportPackage.id)
        query = query.where(or_(named, none))
    if filters.mode in ("online", "onsite"):
        query = query.where(SupportPackage.mode.in_((filters.mode, "either")))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    found = db.session.scalars(query.order_by(SupportPackage.published_at.desc(), SupportPackage.id.desc())
                               .offset((max(page, 1) - 1) * page_size).limit(page_size)).all()
    return list(found), total


def listed(package_id) -> SupportPackage | None:
    """A published package an SME may see, else None (404)."""
    found = _id(package_id)
    return None if found is None else db.session.scalar(_listed().where(SupportPackage.id == found))


def used_yen(party: str, user_id: int) -> int:
    """Honoraria already used against a party's cap (read only; 0 before the first plan)."""
    row = db.session.scalar(select(HonorariumUsage).where(HonorariumUsage.party == party,
                                                          HonorariumUsage.user_id == user_id))
    if row is None:
        return 0
    return row.prior_yen + row.committed_yen + row.claimed_yen + row.paid_yen


def quote(package: SupportPackage, sme_user=None) -> subsidy.Quote:
    """The SME's cost of the package's typical hours (rules.subsidy.quote, with the prior amounts known)."""
    sme_prior = 0
    if sme_user is not None:
        registration = cases.approved_registration(sme_user)
        sme_prior = used_yen("sme", registration.user_id if registration is not None else sme_user.id)
    expert_prior = used_yen("expert", package.expert_user_id)
    return subsidy.quote(package.hourly_rate_yen, Decimal(package.half_hours) / 2, sme_prior_yen=sme_prior,
                         expert_prior_yen=expert_prior, at=clock.program_now())


# ------------------------------------------------------------------------------------ an SME's request


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _deadline():
    today = clock.program_today()
    last = calendars.last_day(calendars.window("contract", calendars.PHASE2))
    return min(today + timedelta(days=REQUEST_DEADLINE_DAYS), last) if today <= last else today


def request(user, package: SupportPackage, *, token: str, situation: str | None = None,
            prefecture: str | None = None) -> tuple[ConsultationCase, Proposal, bool]:
    """The SME ``user`` requests ``package``: a 提案不要 case published with the package's fields and the
    package expert's proposal (sent), in the caller's transaction; the expert is told by e-mail.
    Returns (case, proposal, created): a second request with the same ``token`` returns the first
    one's case and proposal with ``created`` False.  ``cases.CaseRefused`` (``not_approved``, a deadline
    code) or :class:`PackageRefused` (``not_published``) before anything is written."""
    token = (token or "")[:64]
    owner_key = f"organisation:{user.organisation_id}"
    earlier = _earlier(owner_key, token)
    if earlier is not None:
        return (*earlier, False)
    if package.status != "published":
        raise PackageRefused("not_published")
    if cases.approved_registration(user) is None:
        raise cases.CaseRefused("not_approved")
    submission = Submission(wizard=SUBMISSION_WIZARD, owner_key=owner_key, form_token=token or new_token(),
                            reference="~", result_type="consultation_case", created_at=clock.wall_now())
    if not rows.insert_once(submission):
        earlier = _earlier(owner_key, token)
        if earlier is not None:
            return (*earlier, False)
    fields = cases.CaseFields(
        title=package.title[:TITLE_MAX], goals=package.summary, situation=(situation or "").strip()[:SUMMARY_MAX],
        areas=tuple(a.area for a in package.areas), kind="no_proposals", half_hours=package.half_hours,
        period_months=REQUEST_PERIOD_MONTHS, mode=package.mode, deadline=_deadline(),
        prefecture=prefecture if prefecture in experts.PREFECTURES else None)
    case = cases.publish(user, fields)
    now = clock.wall_now()
    proposal = Proposal(case_id=case.id, expert_user_id=package.expert_user_id, package_id=package.id, status="sent",
                        message=package.summary, plan_outline=package.summary, half_hours=package.half_hours,
                        hourly_rate_yen=package.hourly_rate_yen, version=1, created_at=now, updated_at=now)
    db.session.add(proposal)
    db.session.flush()
    messages.thread_for_case(case, package.expert_user_id)
    submission.reference = case.reference
    submission.result_id = case.id
    db.session.flush()
    audit.record("package.requested", "support_package", package.id, actor=user,
                 summary={"case": case.reference, "proposal_id": proposal.id})
    expert = db.session.get(User, package.expert_user_id)
    if expert is not None and expert.active:
        outbox.enqueue(expert.email, "package-requested", f"支援提供パッケージの依頼がありました（{case.reference}）",
                       "package_requested.txt", user=expert, package=package, case=case)
    return case, proposal, True


def _earlier(owner_key: str, token: str):
    if not token:
        return None
    submission = db.session.scalar(select(Submission).where(Submission.wizard == SUBMISSION_WIZARD,
                                                            Submission.owner_key == owner_key,
                                                            Submission.form_token == token))
    if submission is None or submission.result_id is None:
        return None
    case = db.session.get(ConsultationCase, submission.result_id)
    proposal = db.session.scalar(select(Proposal).where(Proposal.case_id == case.id).order_by(Proposal.id).limit(1))
    return case, proposal


def requests_of(package: SupportPackage) -> int:
    return db.session.scalar(select(func.count()).select_from(Proposal)
                             .where(Proposal.package_id == package.id)) or 0
