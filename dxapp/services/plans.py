"""Support plans (支援計画, issue 13): drafted by the expert from a match, agreed by the SME, reviewed by
the secretariat through the one review (:data:`REVIEW`), concluded by both parties.

The second conclusion is one unit: the honorarium (:func:`dxapp.rules.plan.plan_reservation` with both
sides' prior usage) is reserved through the budget service's conditional UPDATEs (program budget, the
SME's row, the expert's row, in that order) *before* the status moves, and the move is conditional on
the other party's conclusion being there and this party's not: of two parallel second conclusions
exactly one reserves; a limit that would be passed reserves nothing and says which
(:class:`dxapp.services.budget.LimitReached`, with the refusal recorded on the plan for both parties).
Every change goes through :func:`dxapp.services.workflow.transition` with its audit event; nothing is
committed here."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select

from dxapp import clock
from dxapp.extensions import db
from dxapp.models import Match, Organisation, SupportPlan, SupportPlanItem, User
from dxapp.rules import JST, require_aware, subsidy
from dxapp.rules import calendar as calendars
from dxapp.rules import cases as case_rules
from dxapp.rules import plan as rules
from dxapp.services import audit, budget, outbox, proposals, rows, workflow


class PlanRefused(Exception):
    """An action that may not be taken now, before anything is written.  ``code``: ``not_expert`` /
    ``not_sme`` (not a side of this plan), ``incomplete`` (the plan lacks what the SME must read;
    ``missing`` names the parts), ``period`` (``reasons`` from the rules), ``frozen`` (new plans are
    suspended; ``until``), ``contract_closed`` (the contract window has closed), ``intake_closed`` (the
    budget is exhausted), ``no_honorarium`` (a cap leaves nothing to reserve), ``already_concluded``,
    ``plan_exists`` (the match already has a plan), ``not_running`` (only a running plan can be
    changed), ``change_open`` (the plan already has a change in progress: ``plan`` names it),
    ``is_change`` (a change is approved, never concluded)."""

    def __init__(self, code: str, *, reasons=(), missing=(), until: date | None = None, plan=None):
        super().__init__(code)
        self.code = code
        self.reasons = tuple(reasons)
        self.missing = tuple(missing)
        self.until = until
        self.plan = plan


@dataclass(frozen=True)
class Item:
    what: str
    half_hours: int
    mode: str


@dataclass(frozen=True)
class PlanFields:
    """What the expert states (the wizard's answers, read through Answers by the procedure)."""

    purpose: str = ""
    issue: str = ""
    items: Sequence[Item] = ()
    start_date: date | None = None
    end_date: date | None = None
    hourly_rate_yen: int = 0
    scope_declared: bool = False

    @property
    def half_hours(self) -> int:
        return sum(item.half_hours for item in self.items)


@dataclass(frozen=True)
class Freeze:
    """New plans suspended from ``since`` until ``until`` (the JST day included); drafts are kept."""

    since: date
    until: date

    def covers(self, at: datetime) -> bool:
        day = require_aware(at).astimezone(JST).date()
        return self.since <= day <= self.until


# ---------------------------------------------------------------------------------------------- reading

def get(plan_id) -> SupportPlan | None:
    try:
        return db.session.get(SupportPlan, int(plan_id))
    except (TypeError, ValueError):
        return None


def of_expert(user, plan_id) -> SupportPlan | None:
    plan = get(plan_id)
    return plan if plan is not None and plan.expert_user_id == user.id else None


def of_sme(user, plan_id) -> SupportPlan | None:
    plan = get(plan_id)
    return plan if plan is not None and user.organisation_id is not None \
        and plan.organisation_id == user.organisation_id else None


def plans_of_expert(user) -> list[SupportPlan]:
    return list(db.session.scalars(select(SupportPlan).where(SupportPlan.expert_user_id == user.id)
                                   .order_by(SupportPlan.id.desc())))


def plans_of_sme(user) -> list[SupportPlan]:
    return list(db.session.scalars(select(SupportPlan).where(SupportPlan.organisation_id == user.organisation_id)
                                   .order_by(SupportPlan.id.desc())))


def open_plan_of_match(match_id: int) -> SupportPlan | None:
    return db.session.scalar(select(SupportPlan).where(
        SupportPlan.match_id == match_id, SupportPlan.change_of_id.is_(None),
        SupportPlan.status.not_in(("cancelled", "rejected"))).limit(1))


def parties(plan: SupportPlan) -> budget.Parties:
    return budget.Parties(plan.sme_user_id, plan.expert_user_id)


@dataclass(frozen=True)
class Priors:
    """What each side has used so far (committed + claimed + paid, and the expert's Phase I)."""

    sme_yen: int
    expert_yen: int


def priors(plan: SupportPlan) -> Priors:
    """Both sides' usage, read without creating a usage row (the plan pages and the live panel call this on
    GET, which changes nothing; an expert without a row yet counts the Phase I honoraria, as the row that
    the reservation creates will); for a change, without the reservation of the plan in force (the change
    replaces it)."""
    sme_yen, expert_yen = proposals.prior_amounts(plan.sme_user_id, plan.expert_user_id)
    own = in_force(plan).reserved_yen if plan.change_of_id is not None else 0
    return Priors(sme_yen - own, expert_yen - own)


def quote(plan: SupportPlan, at: datetime | None = None) -> subsidy.Quote | None:
    """The plan's quote now, with both sides' prior usage (None while the rate or hours are missing)."""
    if not plan.half_hours:
        return None
    now = priors(plan)
    return subsidy.quote(plan.hourly_rate_yen, rules.hours_of(plan.half_hours), sme_prior_yen=now.sme_yen,
                         expert_prior_yen=now.expert_yen, at=at or clock.program_now())


# ---------------------------------------------------------------------------------------------- drafting

def _values(fields: PlanFields) -> dict:
    texts = [fields.purpose, fields.issue, *(item.what for item in fields.items)]
    return {"purpose": (fields.purpose or "").strip(), "issue": (fields.issue or "").strip(),
            "start_date": fields.start_date, "end_date": fields.end_date,
            "hourly_rate_yen": int(fields.hourly_rate_yen or 0), "half_hours": fields.half_hours,
            "scope_declared": bool(fields.scope_declared), "scope_flags": list(rules.scope_flags(texts))}


def _set_items(plan: SupportPlan, items: Sequence[Item]) -> None:
    for old in list(plan.items):
        db.session.delete(old)
    db.session.flush()
    for position, item in enumerate(items, start=1):
        if item.mode not in case_rules.MODES or not isinstance(item.half_hours, int) or item.half_hours < 1:
            raise ValueError("item")
        db.session.add(SupportPlanItem(plan_id=plan.id, position=position, what=item.what.strip(),
                                       half_hours=item.half_hours, mode=item.mode))
    db.session.flush()
    db.session.refresh(plan)


def start(match: Match, fields: PlanFields, *, actor) -> SupportPlan:
    """The expert's draft plan for a match; one plan per match (``plan_exists`` otherwise)."""
    if match.expert_user_id != actor.id:
        raise PlanRefused("not_expert")
    found = open_plan_of_match(match.id)
    if found is not None:
        raise PlanRefused("plan_exists", plan=found)
    now = clock.wall_now()
    plan = SupportPlan(reference="S", match_id=match.id, organisation_id=match.organisation_id,
                       sme_user_id=match.sme_user_id, expert_user_id=match.expert_user_id, status="draft",
                       version=1, revision=1, created_by_id=actor.id, created_at=now, updated_at=now,
                       reserved_yen=0, **_values(fields))
    if not rows.insert_once(plan):
        raise PlanRefused("plan_exists", plan=open_plan_of_match(match.id))
    plan.reference = rules.new_plan_id(plan.id)
    _set_items(plan, fields.items)
    audit.record("plan.created", "support_plan", plan.id, actor=actor, summary={"reference": plan.reference})
    return plan


EDITABLE = ("draft", "sme_returned", "returned")


def save(plan: SupportPlan, fields: PlanFields, *, version: int, actor) -> None:
    """The expert saves the plan's content while it is theirs to edit (version check: 409 on a stale
    save)."""
    if plan.expert_user_id != actor.id:
        raise PlanRefused("not_expert")
    workflow.transition(plan, action="plan.saved", version=version, expected=EDITABLE, values=_values(fields),
                        actor=actor, summary={"reference": plan.reference})
    _set_items(plan, fields.items)


def missing_parts(plan: SupportPlan) -> list[str]:
    """What the plan still lacks before the SME can read it (the wizard's step names)."""
    missing = []
    if not plan.purpose or not plan.issue:
        missing.append("purpose")
    if not plan.items:
        missing.append("content")
    if plan.start_date is None or plan.end_date is None:
        missing.append("period")
    if plan.hourly_rate_yen <= 0:
        missing.append("rate")
    if not plan.scope_declared:
        missing.append("scope")
    return missing


def _freeze(freeze: Freeze | None, at: datetime) -> None:
    if freeze is not None and freeze.covers(at):
        raise PlanRefused("frozen", until=freeze.until)


def send_to_sme(plan: SupportPlan, *, version: int, actor, at: datetime | None = None,
                calendar: Mapping[str, calendars.Window] = calendars.PHASE2, freeze: Freeze | None = None) -> None:
    """The expert sends the plan for the SME's agreement: complete, period allowed, not frozen, the
    contract window still open."""
    at = at or clock.program_now()
    if plan.expert_user_id != actor.id:
        raise PlanRefused("not_expert")
    if plan.change_of_id is None:  # the freeze suspends new plans, not changes of a running one
        _freeze(freeze, at)
    if not calendars.is_open("contract", at, calendar):
        raise PlanRefused("contract_closed")
    missing = missing_parts(plan)
    if missing:
        raise PlanRefused("incomplete", missing=missing)
    period = rules.check_period(plan.start_date, plan.end_date, calendar=calendar)
    if not period.ok:
        raise PlanRefused("period", reasons=period.reasons)
    workflow.transition(plan, action="plan.sent_to_sme", to="sme_review", expected=EDITABLE, version=version,
                        values={"sme_comment": None}, actor=actor, summary={"reference": plan.reference})
    _mail_sme(plan, "plan_sent", "支援計画の確認をお願いします")


def sme_agree(plan: SupportPlan, *, version: int, actor) -> None:
    """The SME agrees: the plan goes to the secretariat's queue (first submission date kept)."""
    _sme(plan, actor)
    now = clock.wall_now()
    workflow.transition(plan, action="plan.sme_agreed", to="submitted", expected=("sme_review",), version=version,
                        values={"submitted_at": now, "first_submitted_at": plan.first_submitted_at or now},
                        actor=actor, summary={"reference": plan.reference})
    _mail_expert(plan, "plan_agreed", "中小企業等が支援計画に同意しました")


def sme_return(plan: SupportPlan, *, version: int, actor, comment: str) -> None:
    """The SME returns the plan to the expert with a comment."""
    _sme(plan, actor)
    comment = (comment or "").strip()
    if not comment:
        raise workflow.ReviewError("comment")
    workflow.transition(plan, action="plan.sme_returned", to="sme_returned", expected=("sme_review",),
                        version=version, values={"sme_comment": comment}, actor=actor,
                        summary={"reference": plan.reference})
    _mail_expert(plan, "plan_sme_returned", "中小企業等から支援計画が差し戻されました", comment=comment)


def _sme(plan: SupportPlan, actor) -> None:
    if actor.organisation_id is None or actor.organisation_id != plan.organisation_id:
        raise PlanRefused("not_sme")


# ---------------------------------------------------------------------------------------------- review

def _review_move(plan: SupportPlan, target: str, *, version: int, actor_id, note=None, flags=None) -> None:
    if target == "approved" and plan.change_of_id is not None:
        _approve_change(plan, version=version, actor_id=actor_id, note=note)
        return
    values: dict = {}
    if target == "under_review":
        values["holder_id"] = actor_id
    if target == "approved":
        values["approved_at"] = clock.wall_now()
    if target in ("returned", "rejected"):
        values |= {"review_note": note, "review_flags": flags or None}
    workflow.transition(plan, action=f"plan.{target}", to=target, version=version, values=values,
                        expected=tuple(s for s, targets in rules.TRANSITIONS.items() if target in targets),
                        actor=actor_id, summary={"reference": plan.reference, "note": note, "flags": flags})


# ---------------------------------------------------------------------------------------------- changes

#: A change still in progress (not yet approved, rejected or dropped).
CHANGE_OPEN = ("draft", "sme_review", "sme_returned", "submitted", "under_review", "returned")


def open_change(plan: SupportPlan) -> SupportPlan | None:
    """The change of ``plan`` now in progress, if any."""
    return db.session.scalar(select(SupportPlan).where(SupportPlan.change_of_id == plan.id,
                                                       SupportPlan.status.in_(CHANGE_OPEN)).limit(1))


def changes_of(plan: SupportPlan) -> list[SupportPlan]:
    """Every change of ``plan``, newest first (the approved ones are its history)."""
    return list(db.session.scalars(select(SupportPlan).where(SupportPlan.change_of_id == plan.id)
                                   .order_by(SupportPlan.revision.desc())))


def in_force(change: SupportPlan) -> SupportPlan | None:
    """The plan a change would change (None for a plan that is not a change)."""
    return db.session.get(SupportPlan, change.change_of_id) if change.change_of_id is not None else None


def start_change(plan: SupportPlan, *, actor) -> SupportPlan:
    """The expert starts a change (計画変更) of a running plan: a draft row of its own
    (``change_of_id``, the next revision, the same reference) with the plan's content copied; the plan in
    force stays as it is until the change is approved.  One open change per plan."""
    if plan.expert_user_id != actor.id:
        raise PlanRefused("not_expert")
    if plan.change_of_id is not None or plan.status != "running":
        raise PlanRefused("not_running")
    found = open_change(plan)
    if found is not None:
        raise PlanRefused("change_open", plan=found)
    revision = int(db.session.scalar(select(func.max(SupportPlan.revision)).where(
        (SupportPlan.change_of_id == plan.id) | (SupportPlan.id == plan.id))) or 1) + 1
    now = clock.wall_now()
    change = SupportPlan(reference=plan.reference, match_id=plan.match_id, change_of_id=plan.id, revision=revision,
                         organisation_id=plan.organisation_id, sme_user_id=plan.sme_user_id,
                         expert_user_id=plan.expert_user_id, status="draft", version=1, created_by_id=actor.id,
                         created_at=now, updated_at=now, reserved_yen=0,
                         purpose=plan.purpose, issue=plan.issue, start_date=plan.start_date, end_date=plan.end_date,
                         hourly_rate_yen=plan.hourly_rate_yen, half_hours=plan.half_hours,
                         scope_declared=plan.scope_declared, scope_flags=list(plan.scope_flags or []))
    if not rows.insert_once(change):  # a parallel start made the open change first
        raise PlanRefused("change_open", plan=open_change(plan))
    _set_items(change, [Item(i.what, i.half_hours, i.mode) for i in plan.items])
    audit.record("plan.change_started", "support_plan", change.id, actor=actor,
                 summary={"reference": plan.reference, "plan_id": plan.id, "revision": revision})
    return change


def change_reservation(change: SupportPlan, at: datetime | None = None) -> tuple[int, int]:
    """(what the plan in force reserves now, what it would reserve with the change): the priors of both
    sides without the plan's own reservation (MONEY.md §3)."""
    plan = in_force(change)
    if not change.half_hours or not change.hourly_rate_yen:
        return plan.reserved_yen, 0
    now = priors(change)
    amount = rules.plan_reservation(change.hourly_rate_yen, rules.hours_of(change.half_hours),
                                    sme_prior_yen=now.sme_yen, expert_prior_yen=now.expert_yen,
                                    at=at or clock.program_now())
    return plan.reserved_yen, amount


def _approve_change(change: SupportPlan, *, version: int, actor_id, note=None) -> None:
    """The approval of a change: the reservation's difference moves first (more hours: the same
    conditional reservation, :class:`dxapp.services.budget.LimitReached` when a limit would be passed,
    then the caller rolls back and nothing changed; fewer hours: released), then the change's content
    is copied onto the plan in force (its version bumped) and the change row is marked approved (it
    stays as the history).  The ledger moves are the plan in force's."""
    plan = in_force(change)
    if plan is None or plan.status != "running":
        raise workflow.Stale.of(change)
    workflow.transition(change, action="plan.approved", to="approved", version=version, expected=("under_review",),
                        values={"approved_at": clock.wall_now()}, actor=actor_id,
                        summary={"reference": change.reference, "revision": change.revision, "note": note})
    old, new = change_reservation(change)
    if new > old:
        budget.reserve(parties(plan), new - old, object_type="support_plan", object_id=plan.id, actor=actor_id)
    elif new < old:
        budget.release(parties(plan), old - new, object_type="support_plan", object_id=plan.id, actor=actor_id)
    fields = PlanFields(purpose=change.purpose, issue=change.issue,
                        items=tuple(Item(i.what, i.half_hours, i.mode) for i in change.items),
                        start_date=change.start_date, end_date=change.end_date,
                        hourly_rate_yen=change.hourly_rate_yen, scope_declared=change.scope_declared)
    workflow.transition(plan, action="plan.changed", version=plan.version, expected=("running",),
                        values={**_values(fields), "reserved_yen": new}, actor=actor_id,
                        summary={"reference": plan.reference, "revision": change.revision, "before_yen": old,
                                 "after_yen": new})
    _set_items(plan, fields.items)


REVIEW_MAILS = {
    "picked-up": ("支援計画の審査を開始しました", "plan_review_picked_up"),
    "approved": ("支援計画が承認されました。契約の締結に進んでください", "plan_review_approved"),
    "returned": ("支援計画の修正をお願いします", "plan_review_returned"),
    "rejected": ("支援計画の審査結果のお知らせ", "plan_review_rejected"),
}


def _review_mail(plan: SupportPlan, event: str, **context) -> None:
    subject, kind = REVIEW_MAILS[event]
    if plan.change_of_id is not None and event == "approved":
        subject = "支援計画の変更が承認されました。変更後の計画が適用されます"
    _mail_expert(plan, kind, subject, **context)
    if event in ("approved", "rejected"):
        _mail_sme(plan, kind, subject, **context)


#: The secretariat's review of plans: the one review of registrations, reports and claims.
REVIEW = workflow.Review(object_type="support_plan", move=_review_move, mail=_review_mail, waiting=("submitted",))


def queue(*, status: str | None = None, q: str | None = None, limit: int = 50) -> list[SupportPlan]:
    """The review queue, oldest first: search by plan id, the SME's name or the expert's name (spaces
    and full-width letters typed are folded, as the names are stored)."""
    statuses = (status,) if status else ("submitted", "under_review")
    query = select(SupportPlan).where(SupportPlan.status.in_(statuses))
    if status in ("approved", "running"):  # an approved change is history, not a plan to conclude
        query = query.where(SupportPlan.change_of_id.is_(None))
    words = unicodedata.normalize("NFKC", q or "").split()
    for word in words[:5]:
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        sme_names = select(Organisation.id).where(Organisation.name.ilike(pattern, escape="\\"))
        expert_names = select(User.id).where(func.replace(User.name, " ", "").ilike(pattern, escape="\\"))
        query = query.where(or_(SupportPlan.reference.ilike(pattern, escape="\\"),
                                SupportPlan.organisation_id.in_(sme_names),
                                SupportPlan.expert_user_id.in_(expert_names)))
    return list(db.session.scalars(query.order_by(SupportPlan.submitted_at, SupportPlan.id).limit(limit)))


# ---------------------------------------------------------------------------------------------- contract

def _party(plan: SupportPlan, actor) -> str:
    if actor.id == plan.expert_user_id:
        return "expert"
    if actor.organisation_id is not None and actor.organisation_id == plan.organisation_id and actor.role == "sme":
        return "sme"
    raise PlanRefused("not_sme")


def conclusion_refusal(at: datetime, calendar: Mapping[str, calendars.Window] = calendars.PHASE2) -> str | None:
    """Why no contract may be concluded now: the contract window closed, or the budget's intake closed."""
    if not calendars.is_open("contract", at, calendar):
        return "contract_closed"
    if not budget.standing().intake_open:
        return "intake_closed"
    return None


def conclude(plan: SupportPlan, *, actor, at: datetime | None = None,
             calendar: Mapping[str, calendars.Window] = calendars.PHASE2) -> str:
    """``actor`` (the expert or the SME) concludes the approved plan with the declaration.  Returns the
    status after it: ``concluding`` (waiting for the other party) or ``running`` (contract: the
    honorarium reserved).  :class:`dxapp.services.budget.LimitReached` when a limit would be passed
    (nothing reserved, the plan stays waiting, the refusal recorded); :class:`PlanRefused` for a closed
    window, an exhausted budget or a second conclusion by the same party; ``Stale`` when the plan moved."""
    at = at or clock.program_now()
    party = _party(plan, actor)
    if plan.change_of_id is not None:
        raise PlanRefused("is_change")
    refusal = conclusion_refusal(at, calendar)
    if refusal:
        raise PlanRefused(refusal)
    mine = SupportPlan.expert_concluded_at if party == "expert" else SupportPlan.sme_concluded_at
    theirs = SupportPlan.sme_concluded_at if party == "expert" else SupportPlan.expert_concluded_at
    own_values = ({"expert_concluded_at": clock.wall_now()} if party == "expert"
                  else {"sme_concluded_at": clock.wall_now(), "sme_concluded_by_id": actor.id})
    if getattr(plan, mine.key) is not None:
        raise PlanRefused("already_concluded")
    if plan.status == "approved" and getattr(plan, theirs.key) is None:
        try:
            workflow.transition(plan, action=f"plan.concluded_by_{party}", to="concluding", expected=("approved",),
                                version=None, where=[mine.is_(None), theirs.is_(None)], values=own_values,
                                actor=actor, summary={"reference": plan.reference})
        except workflow.Stale:
            db.session.refresh(plan)  # the other party concluded meanwhile: this is the second conclusion
        else:
            _mail_other(plan, party, "plan_concluded_one", "相手方が契約を締結しました。締結をお願いします")
            return "concluding"
    if plan.status != "concluding" or getattr(plan, theirs.key) is None:
        raise workflow.Stale.of(plan)
    return _second_conclusion(plan, party, mine, theirs, own_values, actor, at)


def _second_conclusion(plan, party, mine, theirs, own_values, actor, at) -> str:
    now = priors(plan)
    amount = rules.plan_reservation(plan.hourly_rate_yen, rules.hours_of(plan.half_hours), sme_prior_yen=now.sme_yen,
                                    expert_prior_yen=now.expert_yen, at=at)
    if amount <= 0:
        limit = "sme" if subsidy.SME_CAP_YEN.as_of(at) <= now.sme_yen else "expert"
        _record_refusal(plan, limit, actor)
        raise budget.LimitReached(limit, 0, 0)
    try:
        budget.reserve(parties(plan), amount, object_type="support_plan", object_id=plan.id, actor=actor)
    except budget.LimitReached as refused:
        _record_refusal(plan, refused.limit, actor)
        raise
    workflow.transition(plan, action="plan.concluded", to="running", expected=("concluding",), version=None,
                        where=[mine.is_(None), theirs.is_not(None)],
                        values={**own_values, "reserved_yen": amount, "concluded_at": clock.wall_now(),
                                "conclusion_refusal": None},
                        actor=actor, summary={"reference": plan.reference, "party": party, "reserved_yen": amount})
    _mail_other(plan, party, "plan_contract", "支援計画の契約が締結されました")
    _mail_other(plan, "sme" if party == "expert" else "expert", "plan_contract", "支援計画の契約が締結されました")
    return "running"


def _record_refusal(plan: SupportPlan, limit: str, actor) -> None:
    """Recorded on the plan (both parties see it) in a savepoint-free UPDATE; the view commits it with
    the refusal's audit row (nothing was reserved)."""
    workflow.transition(plan, action="plan.conclusion_refused", version=None, expected=("concluding",),
                        values={"conclusion_refusal": limit}, actor=actor,
                        summary={"reference": plan.reference, "limit": limit})


def request_cancel(plan: SupportPlan, *, actor, reason: str) -> None:
    """Either party asks to cancel (中止) a running plan; the secretariat confirms."""
    _party(plan, actor)
    if plan.change_of_id is not None:
        raise PlanRefused("is_change")
    reason = (reason or "").strip()
    if not reason:
        raise workflow.ReviewError("reason")
    workflow.transition(plan, action="plan.cancel_requested", version=None,
                        expected=("approved", "concluding", "running"),
                        where=[SupportPlan.cancel_requested_by_id.is_(None)],
                        values={"cancel_requested_by_id": actor.id, "cancel_reason": reason}, actor=actor,
                        summary={"reference": plan.reference})


def cancel(plan: SupportPlan, *, version: int, actor, note: str | None = None) -> None:
    """The secretariat confirms a cancellation (or the expert drops a plan not yet concluded): the
    unused reservation is released in the same transaction."""
    released = plan.reserved_yen
    expected = tuple(s for s, targets in rules.TRANSITIONS.items() if "cancelled" in targets)
    workflow.transition(plan, action="plan.cancelled", to="cancelled", expected=expected, version=version,
                        values={"reserved_yen": 0, "ended_at": clock.wall_now()}, actor=actor,
                        summary={"reference": plan.reference, "released_yen": released, "note": note})
    if released:
        budget.release(parties(plan), released, object_type="support_plan", object_id=plan.id, actor=actor)


def reserved_total() -> int:
    return int(db.session.scalar(select(func.coalesce(func.sum(SupportPlan.reserved_yen), 0))) or 0)


# ---------------------------------------------------------------------------------------------- mail

def _user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def _mail(user: User | None, plan: SupportPlan, kind: str, subject: str, **context) -> None:
    if user is None:
        return
    # ``notice`` (the kind) picks the headline of another language's version (mail/en/plan_notice.txt).
    outbox.enqueue(user.email, kind, f"{subject}（支援計画ID {plan.reference}）", "plan_notice.txt", user=user,
                   plan=plan, headline=subject, notice=kind, **context)


def _mail_sme(plan, kind, subject, **context) -> None:
    _mail(_user(plan.sme_user_id), plan, kind, subject, **context)


def _mail_expert(plan, kind, subject, **context) -> None:
    _mail(_user(plan.expert_user_id), plan, kind, subject, **context)


def _mail_other(plan, party: str, kind: str, subject: str) -> None:
    (_mail_sme if party == "expert" else _mail_expert)(plan, kind, subject)


def cancel_requests(limit: int = 50) -> list[SupportPlan]:
    """Plans whose cancellation a party asked for, oldest first (the secretariat confirms)."""
    return list(db.session.scalars(select(SupportPlan).where(
        SupportPlan.cancel_requested_by_id.is_not(None),
        SupportPlan.status.in_(("approved", "concluding", "running"))).order_by(SupportPlan.updated_at).limit(limit)))
