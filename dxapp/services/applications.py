"""Registration applications: submit, resubmit after a return, withdraw; every move goes through
``workflow.transition`` (conditional UPDATE on id, version and status, the audit event) and writes a
timeline event in the same transaction."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from dxapp import clock
from dxapp.extensions import db
from dxapp.models import Application, ApplicationEvent
from dxapp.rules import references
from dxapp.rules.application import STATUS_LABELS, WITHDRAWABLE, can_move
from dxapp.services import audit, outbox, workflow
from dxapp.services.workflow import Stale

REFERENCE = {"sme": "sme_application", "expert": "expert_application", "supporter": "supporter_application"}



def _new_reference(kind: str) -> str:
    ref = references.get(REFERENCE[kind])
    return ref.format(secrets.randbelow(10**ref.digits))


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


def owned_by_reference(user, kind: str, reference: str) -> Application | None:
    """The application of this kind with this reference, through the owner's scope (None otherwise)."""
    return db.session.scalar(select(Application).where(Application.reference == reference, Application.kind == kind,
                                                       _scope(user, kind)))


def owned(user, application_id: int) -> Application | None:
    """Loaded through the owner's scope: another owner's id is simply not found."""
    return db.session.scalar(select(Application).where(Application.id == application_id, _scope(user)))


def _summary(application: Application) -> dict:
    return {"kind": application.kind, "reference": application.reference}


def _timeline(application: Application, from_status, to_status, *, actor_id, on_behalf_of_id=None, note=None):
    # Timeline dates are program dates (what the deadlines are judged by; in the demo the shifted clock),
    # while created_at/updated_at and the audit log keep wall time.
    db.session.add(ApplicationEvent(application_id=application.id, at=clock.program_now(), from_status=from_status,
                                    to_status=to_status, actor_id=actor_id, on_behalf_of_id=on_behalf_of_id,
                                    note=note))


def _transition(application: Application, target: str, *, expected, version: int, actor_id, on_behalf_of_id=None,
                note=None, values=None) -> None:
    """The conditional UPDATE with its audit event (workflow.transition), then the timeline event."""
    before = application.status
    workflow.transition(application, action=f"application.{target}", to=target, expected=expected, version=version,
                        values=values, actor=actor_id, on_behalf_of=on_behalf_of_id, summary=_summary(application))
    _timeline(application, before, target, actor_id=actor_id, on_behalf_of_id=on_behalf_of_id, note=note)


def changed_answers(before: dict | None, after: dict | None) -> dict[str, list[str]]:
    """{step slug: [typed field names]} of every answer that differs between two answer objects (what
    was typed, field by field: the wizard's ``raw``); a step answered on one side only lists all its
    fields."""
    def steps(answers) -> dict:
        found = (answers or {}).get("steps")
        return found if isinstance(found, dict) else {}

    old, new = steps(before), steps(after)
    changed: dict[str, list[str]] = {}
    for slug in sorted(set(old) | set(new)):
        raw_old = (old.get(slug) or {}).get("raw") or {}
        raw_new = (new.get(slug) or {}).get("raw") or {}
        fields = sorted(k for k in set(raw_old) | set(raw_new) if (raw_old.get(k) or []) != (raw_new.get(k) or []))
        if fields:
            changed[slug] = fields
    return changed


def submit(*, user, kind: str, answers: dict, decision: dict, organisation_id: int | None,
           on_behalf_of_id: int | None = None) -> Application:
    """A first submission (申請済み), or the resubmission (再申請) of a returned application.  Runs inside
    the wizard's submit transaction; the caller commits."""
    now, submitted = clock.wall_now(), clock.program_now()  # submitted: a first submission only
    snapshot = {k: v for k, v in answers.items() if k != "token"}
    current = open_application(user, kind)
    approved = registration(user, kind)
    approved = approved if approved is not None and approved.status == "approved" else None
    if current is not None and current.status == "returned":
        # The first submission date stays (the queue's order, what the clerk quotes); the timeline has the
        # resubmission's.  What changed since the return is kept for the review (issue 11 item 20).
        _transition(current, "resubmitted", expected="returned", version=current.version, actor_id=user.id,
                    on_behalf_of_id=on_behalf_of_id,
                    values={"answers": snapshot, "decision": decision, "flags": {}, "updated_at": now,
                            "changed_answers": changed_answers(current.answers, snapshot)})
        application = current
    elif current is not None:
        raise Stale.of(current)  # one open application per kind
    else:
        # After approval a new submission is a change request: reviewed again while the approved
        # details stay in force (DOMAIN.md §6).
        application = Application(
            kind=kind, reference=_new_reference(kind), user_id=user.id,
            organisation_id=organisation_id, status="submitted", answers=snapshot, decision=decision, flags={},
            version=1, created_at=now, submitted_at=submitted, updated_at=now,
            change_of_id=approved.id if approved is not None else None,
        )
        db.session.add(application)
        db.session.flush()
        audit.record("application.submitted", "application", application.id, actor=user.id,
                     on_behalf_of=on_behalf_of_id, summary={**_summary(application), "from": "draft", "to": "submitted"})
        _timeline(application, "draft", "submitted", actor_id=user.id, on_behalf_of_id=on_behalf_of_id)
    _fire(application, "submitted", user.id)
    outbox.enqueue(user.email, f"{kind}-application-received",
                   f"登録申請を受け付けました（受付番号 {application.reference}）",
                   "application_received.txt", user=user, application=application,
                   status_label=STATUS_LABELS[application.status])
    return application


def withdraw(application: Application, *, version: int, actor_id: int, note: str | None = None) -> None:
    if application.status not in WITHDRAWABLE or not can_move(application.status, "withdrawn"):
        raise Stale.of(application)
    _transition(application, "withdrawn", expected=tuple(WITHDRAWABLE), version=version, actor_id=actor_id,
                note=note)
    db.session.flush()


def move(application: Application, target: str, *, version: int, actor_id: int, note: str | None = None,
         flags: dict | None = None, on_behalf_of_id: int | None = None) -> None:
    """A secretariat move along the status list (pick up, approve, reject, return for correction),
    refused when the application changed since the page was shown (409)."""
    before = application.status
    if not can_move(before, target):
        raise Stale.of(application)
    _transition(application, target, expected=before, version=version, actor_id=actor_id,
                on_behalf_of_id=on_behalf_of_id, note=note,
                values={"flags": dict(flags or {})} if target == "returned" else None)
    if target == "approved" and application.change_of_id is not None:
        # An approved change request puts the new details in force on the registration.
        original = db.session.get(Application, application.change_of_id)
        original.answers, original.decision = application.answers, application.decision
        original.updated_at = clock.wall_now()
        audit.record("application.change_applied", "application", original.id, actor=actor_id,
                     summary={"change": application.reference})
    _fire(application, target, actor_id)
    db.session.flush()
