"""The secretariat's review of registration applications (issue "Secretariat", review queues).

* Queues: one per kind of registration plus one for change requests, filtered and searched on the
  denormalised columns (dxapp/services/review_index.py), paginated in SQL.
* Fraud signals (DOMAIN.md §7), each one SQL query on those columns: the same person registered twice
  (name + birth date), one bank account used by several applicants, an expert and an SME sharing an
  address, phone or representative, a corporate number already registered by another organisation.
* Actions: pick up, approve, return for correction (a note per step), reject (a reason), with four
  eyes: the generic ``workflow.Review`` over the spec ``REGISTRATION``.  Each goes through
  ``applications.move`` (``workflow.transition``: a second clerk gets ``workflow.Stale`` -> 409,
  nothing lost), writes the timeline and audit events and e-mails the applicant through the outbox,
  all in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, func, or_, select

from dxapp.clock import JST
from dxapp.extensions import db
from dxapp.models import Application, AuditEvent, Document, Organisation, User
from dxapp.models.supporter import Affiliation
from dxapp.rules import review as rules
from dxapp.rules.application import STATUS_LABELS, STATUSES
from dxapp.services import (
    applications,
    audit,
    outbox,
    review_index,  # noqa: F401  (registers the index hooks)
    workflow,
)
from dxapp.services.workflow import DecisionRefused, ReviewError, Stale  # noqa: F401  (this module's API)

PAGE_SIZE = 25
#: Queues: the three kinds of registration, and change requests of any kind.
QUEUES = ("sme", "expert", "supporter", "changes")
#: Statuses a queue shows (a draft is never an application row; the rest are all listed).
QUEUE_STATUSES = tuple(s for s in STATUSES if s != "draft")
#: What waits for the secretariat.
WAITING = ("submitted", "resubmitted")
#: Audit object types written when someone enters an applicant's answers or documents for them.
ENTRY_OBJECTS = ("wizard_draft", "document", "application")

# ------------------------------------------------------------------------------------------ queues

@dataclass(frozen=True)
class Filters:
    queue: str
    status: str | None = None
    kind: str | None = None  # the change-request queue only
    prefecture: str | None = None
    submitted_from: date | None = None
    submitted_to: date | None = None
    q: str | None = None
    page: int = 1


@dataclass
class Page:
    rows: list
    total: int
    page: int
    pages: int
    page_size: int


def _jst_start(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=JST)


def _conditions(filters: Filters) -> list:
    cond = []
    if filters.queue == "changes":
        cond.append(Application.change_of_id.is_not(None))
        if filters.kind in rules.KINDS:
            cond.append(Application.kind == filters.kind)
    else:
        cond += [Application.kind == filters.queue, Application.change_of_id.is_(None)]
    if filters.status in QUEUE_STATUSES:
        cond.append(Application.status == filters.status)
    if filters.prefecture:
        cond.append(Application.prefecture == filters.prefecture)
    if filters.submitted_from:
        cond.append(Application.submitted_at >= _jst_start(filters.submitted_from))
    if filters.submitted_to:
        cond.append(Application.submitted_at < _jst_start(filters.submitted_to + timedelta(days=1)))
    query = rules.read_query(filters.q)
    if query.reference:
        cond.append(Application.reference == query.reference)
    elif query.email:
        cond.append(Application.email.contains(query.email, autoescape=True))
    elif query.digits:
        cond.append(or_(Application.corporate_number.contains(query.digits, autoescape=True),
                        Application.phone_digits.startswith(query.digits, autoescape=True)))
    elif query.name:
        found = [Application.name_key.contains(query.name, autoescape=True)]
        if query.kana:
            found.append(Application.kana_key.contains(query.kana, autoescape=True))
        cond.append(or_(*found))
    return cond


def queue(filters: Filters, *, page_size: int = PAGE_SIZE) -> Page:
    """One page of a queue, oldest submission first (first come, first served)."""
    cond = _conditions(filters)
    total = db.session.scalar(select(func.count()).select_from(Application).where(*cond)) or 0
    pages = max(1, -(-total // page_size))
    page = min(max(1, filters.page), pages)
    rows = db.session.execute(
        select(Application.id, Application.reference, Application.kind, Application.status,
               Application.display_name, Application.kana_key, Application.prefecture,
               Application.submitted_at, Application.change_of_id, User.name.label("holder_name"))
        .outerjoin(User, User.id == Application.holder_id)
        .where(*cond)
        .order_by(Application.submitted_at, Application.id)
        .limit(page_size).offset((page - 1) * page_size)
    ).all()
    return Page(rows=rows, total=total, page=page, pages=pages, page_size=page_size)


def dashboard_counts() -> dict[str, dict[str, int]]:
    """{queue: {status: count}} for every queue, in one grouped query."""
    is_change = Application.change_of_id.is_not(None)
    counts: dict[str, dict[str, int]] = {q: {} for q in QUEUES}
    for kind, change, status, n in db.session.execute(
            select(Application.kind, is_change, Application.status, func.count())
            .group_by(Application.kind, is_change, Application.status)):
        bucket = counts["changes"] if change else counts.get(kind)
        if bucket is not None:
            bucket[status] = bucket.get(status, 0) + n
    return counts


# ------------------------------------------------------------------------------------------ one application

def get(application_id: int) -> Application | None:
    return db.session.get(Application, application_id)


def _other_owner(application: Application):
    """Rows of another applicant (not its own change requests or earlier registrations); written without
    NOT so that a NULL organisation counts as another owner."""
    if application.organisation_id is not None:
        return or_(Application.organisation_id.is_(None), Application.organisation_id != application.organisation_id)
    return or_(Application.organisation_id.is_not(None), Application.user_id != application.user_id)


def _others(application: Application) -> list:
    return [Application.id != application.id, _other_owner(application)]


def _rows(*cond) -> list[Application]:
    return list(db.session.scalars(select(Application).where(*cond).order_by(Application.id).limit(20)))


@dataclass(frozen=True)
class Signal:
    code: str
    applications: list


def signals(application: Application) -> list[Signal]:
    """The fraud signals of one application, each with the other applications involved."""
    a = application
    others = _others(a)
    found: list[Signal] = []

    def add(code: str, *cond) -> None:
        rows = _rows(*others, *cond)
        if rows:
            found.append(Signal(code, rows))

    if a.kind == "expert" and a.name_key and a.birth_date:
        add("same_person", Application.kind == "expert", Application.name_key == a.name_key,
            Application.birth_date == a.birth_date)
    if a.bank_key:
        add("shared_bank", Application.bank_key == a.bank_key)
    counterpart = {"expert": "sme", "sme": "expert"}.get(a.kind)
    if counterpart:
        if a.address_key:
            add("shared_address", Application.kind == counterpart, Application.address_key == a.address_key)
        if a.phone_digits:
            add("shared_phone", Application.kind == counterpart, Application.phone_digits == a.phone_digits)
        if a.representative_key:
            add("shared_representative", Application.kind == counterpart,
                Application.representative_key == a.representative_key)
    if a.corporate_number and a.kind in ("sme", "supporter"):
        add("corporate_number_taken", Application.kind.in_(("sme", "supporter")),
            Application.corporate_number == a.corporate_number)
    if membership_unconfirmed(a):
        found.append(Signal("affiliation_unconfirmed", []))
    return found


# ------------------------------------------------------------------------------------------ membership

@dataclass(frozen=True)
class Membership:
    """An expert's claimed membership of a supporter corporation (participation ``supporter_member``)
    and where the corporation's confirmation stands: ``status`` is the latest affiliation's, or None
    when there is none at all."""

    organisation_id: int | None
    organisation_name: str | None
    status: str | None

    @property
    def confirmed(self) -> bool:
        return self.status == "confirmed"


def membership(application: Application) -> Membership | None:
    """None unless the application is an expert's as a member of a supporter corporation."""
    if application.kind != "expert":
        return None
    kind, organisation_id = rules.expert_participation(application.answers)
    if kind != "supporter_member":
        return None
    status = name = None
    if organisation_id is not None:
        status = db.session.scalar(
            select(Affiliation.status)
            .where(Affiliation.expert_user_id == application.user_id, Affiliation.organisation_id == organisation_id)
            .order_by(Affiliation.id.desc()).limit(1))
        organisation = db.session.get(Organisation, organisation_id)
        name = organisation.name if organisation is not None else None
    return Membership(organisation_id, name, status)


def membership_unconfirmed(application: Application) -> bool:
    found = membership(application)
    return found is not None and not found.confirmed


# ------------------------------------------------------------------------------------------ who decides

def entered_on_behalf(application: Application, actor) -> bool:
    """True when ``actor`` entered answers or documents for this applicant (desk-assisted entry: audit
    rows with the clerk as actor and the applicant, or a member of the applicant's organisation, as
    on-behalf-of)."""
    if application.organisation_id is not None:
        ids = select(User.id).where(User.organisation_id == application.organisation_id).scalar_subquery()
        behalf = or_(AuditEvent.on_behalf_of_id.in_(ids), AuditEvent.on_behalf_of_id == application.user_id)
    else:
        behalf = AuditEvent.on_behalf_of_id == application.user_id
    return db.session.scalar(
        select(AuditEvent.id).where(AuditEvent.actor_id == actor.id, behalf,
                                    AuditEvent.object_type.in_(ENTRY_OBJECTS)).limit(1)) is not None


def may_decide(application: Application, actor) -> bool:
    """The holder decides; an administrator may take over (recorded)."""
    return REGISTRATION.may_decide(application, actor)


def approval_blockers(application: Application, actor) -> list[str]:
    """Why ``actor`` may not approve this application now (codes of :class:`DecisionRefused`), for the
    detail page; empty when the approval may go ahead."""
    return REGISTRATION.blockers(application, actor)


def documents_of(application: Application) -> list[Document]:
    """The applicant's documents: the organisation's (SME, supporter) or the person's own (expert),
    removed ones included (what the application was sent with stays visible)."""
    if application.organisation_id is not None:
        scope = Document.organisation_id == application.organisation_id
    else:
        scope = and_(Document.owner_user_id == application.user_id, Document.organisation_id.is_(None))
    return list(db.session.scalars(select(Document).where(scope).order_by(Document.id)))


def document_of(application: Application, document_id: int) -> Document | None:
    """One document of this applicant; any other id is None (404)."""
    return next((d for d in documents_of(application) if d.id == document_id), None)


def record_download(application: Application, document: Document, *, actor) -> None:
    audit.record("document.downloaded_by_staff", "document", document.id, actor=actor,
                 summary={"application": application.reference, "purpose": document.purpose})
    db.session.flush()


def holder(application: Application) -> User | None:
    return REGISTRATION.holder(application)


def timeline(application: Application) -> list[tuple]:
    """(event, actor name or None, on-behalf-of name or None) oldest first."""
    ids = {e.actor_id for e in application.events} | {e.on_behalf_of_id for e in application.events}
    ids.discard(None)
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}
    return [(e, names.get(e.actor_id), names.get(e.on_behalf_of_id)) for e in application.events]


# ------------------------------------------------------------------------------------------ actions

def applicant_of(application: Application) -> User | None:
    return db.session.get(User, application.user_id)


#: What the applicant is told at each step of the review: (subject, template, status shown).
MAILS = {
    "picked-up": ("登録申請の審査を開始しました", "review_picked_up.txt", "under_review"),
    "approved": ("登録申請を承認しました", "review_approved.txt", "approved"),
    "returned": ("登録申請の修正をお願いします", "review_returned.txt", "returned"),
    "rejected": ("登録申請の審査結果のお知らせ", "review_rejected.txt", "rejected"),
}


def _mail(application: Application, event: str, **context) -> None:
    user = applicant_of(application)
    if user is None:
        return
    subject, template, status = MAILS[event]
    outbox.enqueue(user.email, f"review-{event}", f"{subject}（受付番号 {application.reference}）",
                   template, user=user, application=application, status_label=STATUS_LABELS[status], **context)


def _move(application: Application, target: str, *, version: int, actor_id, note=None, flags=None) -> None:
    applications.move(application, target, version=version, actor_id=actor_id, note=note, flags=flags)


def _membership_refusal(application: Application) -> str | None:
    return "affiliation_unconfirmed" if membership_unconfirmed(application) else None


#: The review of registrations (and change requests): the generic review over applications.
REGISTRATION = workflow.Review(object_type="application", move=_move, mail=_mail, entered_by=entered_on_behalf,
                               refusals=(_membership_refusal,), waiting=WAITING)

pick_up = REGISTRATION.pick_up
#: Signals that block an approval outright (a refusal of their own), so there is nothing to acknowledge.
BLOCKING_SIGNALS = ("affiliation_unconfirmed",)


def signals_to_acknowledge(application: Application) -> list[str]:
    """Codes of the fraud signals a clerk must acknowledge before approving (issue 11 item 20)."""
    return [s.code for s in signals(application) if s.code not in BLOCKING_SIGNALS]


def approve(application: Application, *, version: int, actor, note: str | None = None,
            signals_acknowledged: bool = False) -> None:
    """The registration review's approval; while a fraud signal is open the clerk acknowledges it
    (``signals_acknowledged``), else :class:`DecisionRefused` ``signals_open`` before anything changes.
    The acknowledgement is audited with the signals' codes, in the same transaction."""
    open_signals = signals_to_acknowledge(application) if application.status == REGISTRATION.reviewing else []
    if open_signals and not signals_acknowledged and application.version == version \
            and not REGISTRATION.blockers(application, actor):
        raise DecisionRefused("signals_open")
    REGISTRATION.approve(application, version=version, actor=actor, note=note)
    if open_signals:
        audit.record("application.signals_acknowledged", "application", application.id, actor=actor,
                     summary={"reference": application.reference, "signals": open_signals})


return_for_correction = REGISTRATION.return_for_correction
reject = REGISTRATION.reject
