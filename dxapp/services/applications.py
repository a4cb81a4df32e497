"""Registration applications: submit, resubmit after a return, withdraw; every move writes a timeline
event and an audit event in the same transaction, and checks the version (conditional UPDATE)."""

from __future__ import annotations

import secrets

from sqlalchemy import select, update

from dxapp import clock
from dxapp.extensions import db
from dxapp.models import Application, ApplicationEvent
from dxapp.rules.application import STATUS_LABELS, WITHDRAWABLE, can_move
from dxapp.services import audit, outbox

PREFIX = {"sme": "C", "expert": "E", "supporter": "S"}


class StaleApplication(Exception):
    """The application changed (status or version) since the page was shown."""


#: Other services react to a status change of their kind without this module knowing them:
#: ``on_status("expert", "approved")(fn)`` registers ``fn(application, actor_id)``, called inside the
#: same transaction right after the move (and after an approved change request is applied).  The key
#: ``(kind, "submitted")`` also fires for a resubmission and for a change request.
_HOOKS: dict[tuple[str, str], list] = {}


def on_status(kind: str, status: str):
    def register(fn):
        if fn not in _HOOKS.setdefault((kind, status), []):
            _HOOKS[(kind, status)].append(fn)
        return fn
    return register


def _fire(application: Application, status: str, actor_id) -> None:
    for fn in _HOOKS.get((application.kind, status), ()):
        fn(application, actor_id)


def _scope(user, kind: str | None = None):
    """Applications of an SME or a supporter corporation belong to the organisation (every member
    acts for it); an expert's belong to the person."""
    if kind in ("sme", "supporter") or (kind is None and user.organisation_id is not None):
        return Application.organisation_id == user.organisation_id
    return Application.user_id == user.id


def registration(user, kind: str) -> Application | None:
    """The latest registration (not a change request) of this kind, whatever its status."""
    return db.session.scalar(
        select(Application).where(_scope(user, kind), Application.kind == kind, Application.change_of_id.is_(None))
        .order_by(Application.id.desc()).limit(1)
    )


def open_application(user, kind: str) -> Application | None:
    """The application (registration or change request) still in progress: submitted, under review,
    returned or resubmitted."""
    return db.session.scalar(
        select(Application).where(_scope(user, kind), Application.kind == kind,
                                  Application.status.in_(("submitted", "under_review", "returned", "resubmitted")))
        .order_by(Application.id.desc()).limit(1)
    )


def latest(user, kind: str) -> Application | None:
    return db.session.scalar(
        select(Application).where(_scope(user, kind), Application.kind == kind)
        .order_by(Application.id.desc()).limit(1)
    )


def owned(user, application_id: int) -> Application | None:
    """Loaded through the owner's scope: another owner's id is simply not found."""
    return db.session.scalar(select(Application).where(Application.id == application_id, _scope(user)))


def _event(application: Application, from_status, to_status, *, actor_id, on_behalf_of_id=None, note=None):
    # Timeline dates are program dates (what the deadlines are judged by; in the demo the shifted clock),
    # while created_at/updated_at and the audit log keep wall time.
    db.session.add(ApplicationEvent(application_id=application.id, at=clock.program_now(), from_status=from_status,
                                    to_status=to_status, actor_id=actor_id, on_behalf_of_id=on_behalf_of_id,
                                    note=note))
    audit.record(f"application.{to_status}", "application", application.id, actor=actor_id,
                 on_behalf_of=on_behalf_of_id,
                 summary={"kind": application.kind, "reference": application.reference, "from": from_status,
                          "to": to_status})


def submit(*, user, kind: str, answers: dict, decision: dict, organisation_id: int | None,
           on_behalf_of_id: int | None = None) -> Application:
    """A first submission (申請済み), or the resubmission (再申請) of a returned application.  Runs inside
    the wizard's submit transaction; the caller commits."""
    now, submitted = clock.wall_now(), clock.program_now()
    snapshot = {k: v for k, v in answers.items() if k != "token"}
    current = open_application(user, kind)
    approved = registration(user, kind)
    approved = approved if approved is not None and approved.status == "approved" else None
    if current is not None and current.status == "returned":
        changed = db.session.execute(
            update(Application)
            .where(Application.id == current.id, Application.status == "returned",
                   Application.version == current.version)
            .values(status="resubmitted", answers=snapshot, decision=decision, flags={},
                    version=current.version + 1, submitted_at=submitted, updated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not changed:
            raise StaleApplication()
        db.session.refresh(current)
        _event(current, "returned", "resubmitted", actor_id=user.id, on_behalf_of_id=on_behalf_of_id)
        application = current
    elif current is not None:
        raise StaleApplication()  # one open application per kind
    else:
        # After approval a new submission is a change request: reviewed again while the approved
        # details stay in force (DOMAIN.md §6).
        application = Application(
            kind=kind, reference=f"{PREFIX[kind]}{secrets.randbelow(10**8):08d}", user_id=user.id,
            organisation_id=organisation_id, status="submitted", answers=snapshot, decision=decision, flags={},
            version=1, created_at=now, submitted_at=submitted, updated_at=now,
            change_of_id=approved.id if approved is not None else None,
        )
        db.session.add(application)
        db.session.flush()
        _event(application, "draft", "submitted", actor_id=user.id, on_behalf_of_id=on_behalf_of_id)
    _fire(application, "submitted", user.id)
    outbox.enqueue(user.email, f"{kind}-application-received",
                   f"dxapp: 登録申請を受け付けました（受付番号 {application.reference}）",
                   "application_received.txt", user=user, application=application,
                   status_label=STATUS_LABELS[application.status])
    return application


def withdraw(application: Application, *, version: int, actor_id: int, note: str | None = None) -> None:
    if application.status not in WITHDRAWABLE or not can_move(application.status, "withdrawn"):
        raise StaleApplication()
    before = application.status
    changed = db.session.execute(
        update(Application)
        .where(Application.id == application.id, Application.version == version,
               Application.status.in_(tuple(WITHDRAWABLE)))
        .values(status="withdrawn", version=version + 1, updated_at=clock.wall_now())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        db.session.rollback()
        raise StaleApplication()
    _event(application, before, "withdrawn", actor_id=actor_id, note=note)
    db.session.commit()
    db.session.refresh(application)


def move(application: Application, target: str, *, version: int, actor_id: int, note: str | None = None,
         flags: dict | None = None, on_behalf_of_id: int | None = None) -> None:
    """A secretariat move along the status list (pick up, approve, reject, return for correction),
    refused when the application changed since the page was shown (409)."""
    before = application.status
    if not can_move(before, target):
        raise StaleApplication()
    values = {"status": target, "version": version + 1, "updated_at": clock.wall_now()}
    if target == "returned":
        values["flags"] = dict(flags or {})
    changed = db.session.execute(
        update(Application)
        .where(Application.id == application.id, Application.version == version, Application.status == before)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        db.session.rollback()
        raise StaleApplication()
    db.session.refresh(application)
    _event(application, before, target, actor_id=actor_id, on_behalf_of_id=on_behalf_of_id, note=note)
    if target == "approved" and application.change_of_id is not None:
        # An approved change request puts the new details in force on the registration.
        original = db.session.get(Application, application.change_of_id)
        original.answers, original.decision = application.answers, application.decision
        original.updated_at = clock.wall_now()
        audit.record("application.change_applied", "application", original.id, actor=actor_id,
                     summary={"change": application.reference})
    _fire(application, target, actor_id)
    db.session.commit()
