"""Consultation cases (相談案件, issue 12): publish, edit, close early, withdraw, hide, and (for the
matching work that follows) mark matched.  Every status change goes through
:func:`dxapp.services.workflow.transition` (conditional UPDATE on id + version + status, its audit event
in the same transaction, one :class:`~dxapp.services.workflow.Stale`); nothing is committed here.

Refusals that are not conflicts (the registration is not approved, the deadline is in the past or after
the contract window) raise :class:`CaseRefused` with a code, before anything is written; the view turns
it into the page that says why and what to do."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select

from dxapp import clock
from dxapp.extensions import db
from dxapp.models import Application, ConsultationCase, ConsultationCaseArea, WizardDraft
from dxapp.rules import calendar as calendars
from dxapp.rules import case_search as case_search_rules
from dxapp.rules import cases as rules
from dxapp.services import applications, audit, experts, outbox, workflow
from dxapp.services.calendar import in_force as calendar_in_force
from dxapp.wizard.answers import Answers


class CaseRefused(Exception):
    """``code``: ``not_approved`` (the SME's registration is not approved), or a reason code of
    :func:`dxapp.rules.cases.deadline_problems` (``deadline_past``, ``deadline_after_contract_window``);
    ``reasons``: the rules' reasons, for the page."""

    def __init__(self, code: str, reasons=()):
        super().__init__(code)
        self.code = code
        self.reasons = tuple(reasons)


@dataclass(frozen=True)
class CaseFields:
    """What the SME states about a case (the wizard's answers, or the edit form's)."""

    title: str
    goals: str
    situation: str
    areas: tuple[str, ...]
    kind: str
    half_hours: int
    period_months: int
    mode: str
    deadline: date
    prefecture: str | None = None
    place: str | None = None

    def check(self) -> None:
        """ValueError for values no form lets through (the forms validate first)."""
        if self.kind not in rules.KINDS or self.mode not in rules.MODES:
            raise ValueError("kind or mode")
        if not self.areas or any(a not in experts.SUPPORT_AREAS for a in self.areas):
            raise ValueError("areas")
        if not isinstance(self.half_hours, int) or self.half_hours < 1:
            raise ValueError("half_hours")
        if not isinstance(self.period_months, int) or not 1 <= self.period_months <= 6:
            raise ValueError("period_months")
        if self.prefecture is not None and self.prefecture not in experts.PREFECTURES:
            raise ValueError("prefecture")
        if not (self.title or "").strip():
            raise ValueError("title")


def approved_registration(user) -> Application | None:
    """The SME's approved registration, or None (only an approved SME may publish, issue 12)."""
    registration = applications.registration(user, "sme")
    return registration if registration is not None and registration.status == "approved" else None


def _check_deadline(deadline: date, at: datetime, calendar) -> None:
    decision = rules.deadline_problems(deadline, at, calendar)
    if not decision.ok:
        raise CaseRefused(decision.reasons[0].code, decision.reasons)


def _columns(fields: CaseFields) -> dict:
    return {"title": fields.title.strip(), "goals": fields.goals, "situation": fields.situation,
            "kind": fields.kind, "half_hours": fields.half_hours, "period_months": fields.period_months,
            "mode": fields.mode, "prefecture": fields.prefecture or None, "place": fields.place or None,
            "deadline": fields.deadline,
            "search_text": case_search_rules.search_key(" ".join((fields.title, fields.goals, fields.situation)))}


def _size_band(registration: Application) -> str | None:
    """The size band experts see instead of who the SME is (from the approved answers)."""
    employees = Answers(registration.answers).value("size", "employees")
    if not isinstance(employees, int):
        return None
    for limit, band in ((5, "1-5"), (20, "6-20"), (50, "21-50"), (100, "51-100"), (300, "101-300")):
        if employees <= limit:
            return band
    return "301-"


def publish(user, fields: CaseFields, *, at: datetime | None = None,
            calendar: Mapping[str, calendars.Window] | None = None) -> ConsultationCase:
    """Publish a new case of ``user``'s SME: refused (:class:`CaseRefused`) unless the registration is
    approved and the deadline is allowed at program time ``at``.  The row is written, given its
    ``K`` reference, and moved draft -> published through ``transition`` (audited)."""
    at = at or clock.program_now()
    calendar = calendar if calendar is not None else calendar_in_force()
    fields.check()
    registration = approved_registration(user)
    if registration is None:
        raise CaseRefused("not_approved")
    _check_deadline(fields.deadline, at, calendar)
    now = clock.wall_now()
    industry = Answers(registration.answers).value("business-type", "industry")
    case = ConsultationCase(reference="~" + secrets.token_hex(4), organisation_id=user.organisation_id,
                            application_id=registration.id, created_by_id=user.id, status="draft", hidden=False,
                            version=1, created_at=now, updated_at=now, industry=industry,
                            size_band=_size_band(registration), **_columns(fields))
    case.areas = [ConsultationCaseArea(area=a) for a in dict.fromkeys(fields.areas)]
    db.session.add(case)
    db.session.flush()
    case.reference = rules.format_reference(case.id)
    db.session.flush()
    audit.record("case.created", "consultation_case", case.id, actor=user.id, summary={"reference": case.reference})
    workflow.transition(case, action="case.published", to="published", expected="draft", version=1,
                        values={"published_at": now}, actor=user.id, summary={"reference": case.reference})
    outbox.enqueue(user.email, "case-published", f"相談案件を公開しました（案件番号 {case.reference}）",
                   "case_published.txt", user=user, case=case, deadline=calendars.format_jst_date(case.deadline))
    return case


def edit(case: ConsultationCase, fields: CaseFields, *, version: int, actor, at: datetime | None = None,
         calendar: Mapping[str, calendars.Window] | None = None) -> None:
    """Change a published case (its status stays): Stale on another version or status, CaseRefused for a
    deadline not allowed now."""
    at = at or clock.program_now()
    fields.check()
    if case.status != "published":
        raise workflow.Stale.of(case)
    _check_deadline(fields.deadline, at, calendar if calendar is not None else calendar_in_force())
    workflow.transition(case, action="case.edited", expected="published", version=version,
                        values=_columns(fields), actor=actor.id, summary={"reference": case.reference})
    case.areas = [ConsultationCaseArea(area=a) for a in dict.fromkeys(fields.areas)]
    db.session.flush()


def _move(case, to: str, action: str, *, version: int, actor) -> None:
    expected = tuple(s for s, targets in rules.TRANSITIONS.items() if to in targets)
    workflow.transition(case, action=action, to=to, expected=expected, version=version, actor=actor.id,
                        summary={"reference": case.reference})


def close_early(case, *, version: int, actor) -> None:
    """The SME stops taking proposals before the deadline: published -> closed."""
    _move(case, "closed", "case.closed", version=version, actor=actor)


def withdraw(case, *, version: int, actor) -> None:
    """The SME withdraws the case: draft, published or closed -> withdrawn."""
    _move(case, "withdrawn", "case.withdrawn", version=version, actor=actor)


def mark_matched(case, *, version: int, actor) -> None:
    """A match formed on this case (called by the matching work that follows): published or closed ->
    matched."""
    _move(case, "matched", "case.matched", version=version, actor=actor)


def set_hidden(case, hidden: bool, *, version: int, actor) -> None:
    """The secretariat hides a case from experts (or shows it again); the status stays."""
    workflow.transition(case, action="case.hidden" if hidden else "case.shown", version=version,
                        values={"hidden": bool(hidden)}, actor=actor.id, summary={"reference": case.reference})


def owned(user, case_id) -> ConsultationCase | None:
    """A case of the user's own SME, else None (the view answers 404)."""
    try:
        case_id = int(case_id)
    except (TypeError, ValueError):
        return None
    return db.session.scalar(select(ConsultationCase).where(ConsultationCase.id == case_id,
                                                            ConsultationCase.organisation_id == user.organisation_id))


def of_sme(user) -> list[ConsultationCase]:
    """The user's SME's cases, newest first (My Page)."""
    return list(db.session.scalars(select(ConsultationCase).where(
        ConsultationCase.organisation_id == user.organisation_id).order_by(ConsultationCase.id.desc())))


def shown_status(case, at: datetime | None = None) -> str:
    """The status people see now (締切 once the deadline passed; program time)."""
    return rules.effective_status(case.status, case.deadline, at or clock.program_now())


def discard_draft(draft, version: int, *, actor) -> None:
    """Throw away the case being written (the wizard's draft, not yet published): a conditional DELETE
    on id + version, audited; Stale when it was saved (or published) meanwhile."""
    deleted = db.session.execute(delete(WizardDraft).where(WizardDraft.id == draft.id, WizardDraft.version == version)
                                 .execution_options(synchronize_session=False)).rowcount
    if not deleted:
        raise workflow.Stale.of(draft)
    audit.record("case.draft_discarded", "wizard_draft", draft.id, actor=actor.id, summary={"wizard": draft.wizard})
    db.session.expunge(draft)
