"""One way to change the status (or the contents) of a versioned object: :func:`transition`.

A conditional ``UPDATE ... WHERE id = :id AND version = :version [AND status IN :expected]`` whose row
count is checked (SECURITY.md rules 1 and 4): never read-check-write, since SQLite ignores row locks.
The version goes up by one, the audit event is written in the caller's transaction, and 0 rows raise
the one :class:`Stale` error, which carries what the 409 page needs (what changed, and what the user
typed, kept).  Nothing is committed here: the request, the CLI command or the worker commits once
(dxapp/transaction.py), and a :class:`Stale` rolls the whole unit back there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update

from dxapp import clock
from dxapp.extensions import db
from dxapp.services import audit

#: Versions are 32-bit integers (the columns): a posted version at or above this cannot be current.
MAX_VERSION = 2**31 - 1


class Stale(Exception):
    """The object changed (status or version) since the page was shown, or it is no longer in a status
    that allows the action: nothing was written.

    ``object_type`` and ``object_id`` name it (the audit's words: ``application``, ``affiliation``,
    ``inquiry``, ``wizard_draft``, ``roster_import``); ``reference`` is what people call it; ``model``
    lets the 409 page load it as it is now.  ``detail`` carries what an area's own conflict page needs
    (the wizard's: the step and what was typed).  A view may add ``typed`` ({label: text}: shown again
    so that nothing the user wrote is lost) and ``back_url`` (the page that shows the object now)."""

    def __init__(self, object_type: str, object_id: Any = None, *, model=None, reference: str | None = None,
                 expected: tuple[str, ...] = (), version: int | None = None, obj=None, **detail):
        super().__init__(f"{object_type} {object_id} changed (expected version {version}, status {expected})")
        self.object_type = object_type
        self.object_id = object_id
        self.model = model
        self.reference = reference
        self.expected = expected
        self.version = version
        self.obj = obj
        self.detail = detail
        self.typed: dict[str, str] = {}
        self.back_url: str | None = None

    @classmethod
    def of(cls, obj, **detail) -> Stale:
        """Refused before any UPDATE (the object, as loaded, is already in the wrong status)."""
        return cls(object_type_of(obj), getattr(obj, "id", None), model=type(obj), reference=_reference(obj),
                   version=getattr(obj, "version", None), obj=obj, **detail)

    def keep(self, typed: dict | None = None, *, back_url: str | None = None) -> Stale:
        """What the user typed (shown again on the 409 page) and where to see the object now."""
        self.typed.update({str(k): v for k, v in (typed or {}).items() if v})
        if back_url:
            self.back_url = back_url
        return self

    def current(self):
        """The object as it is now (in a fresh transaction after the rollback), or None if it is gone."""
        if self.model is None or self.object_id is None:
            return None
        return db.session.get(self.model, self.object_id)


def object_type_of(obj) -> str:
    """The audit's name of an object: its table's."""
    return type(obj).__tablename__


def _reference(obj) -> str | None:
    return getattr(obj, "reference", None)


def transition(obj, *, action: str, to: str | None = None, expected: str | Iterable[str] | None = None,
               version: int | None, values: dict | None = None, where: Iterable = (), actor=None,
               on_behalf_of=None, summary: dict | None = None, stamp: str | None = "updated_at",
               **detail) -> None:
    """Move ``obj`` to status ``to`` (or only change ``values`` when ``to`` is None) if it still has
    ``version`` and one of the ``expected`` statuses (any status when None), with ``where`` as further
    conditions.  Bumps the version (objects with a version column), stamps ``stamp`` with wall time
    where the model has it, refreshes ``obj`` and writes the audit event ``action`` (summary: ``from``
    and ``to`` added for a status change).  0 rows -> :class:`Stale` (nothing written; ``detail``
    travels with it)."""
    model = type(obj)
    expected_t: tuple[str, ...] = (expected,) if isinstance(expected, str) else tuple(expected or ())
    if version is not None and not 0 < version < MAX_VERSION:
        # No row holds such a version (a forged or mangled form); and version + 1 would not fit the
        # column on PostgreSQL (integer out of range: a 500 instead of the 409 page).
        raise Stale(object_type_of(obj), obj.id, model=model, reference=_reference(obj), expected=expected_t,
                    version=version, obj=obj, **detail)
    before = getattr(obj, "status", None)
    conditions = [model.id == obj.id, *where]
    changes = dict(values or {})
    if version is not None:
        conditions.append(model.version == version)
        changes["version"] = version + 1
    if expected_t:
        conditions.append(model.status.in_(expected_t))
    if to is not None:
        changes["status"] = to
    if stamp and stamp not in changes and hasattr(model, stamp):
        changes[stamp] = clock.wall_now()
    written = db.session.execute(
        update(model).where(*conditions).values(**changes).execution_options(synchronize_session=False)
    ).rowcount
    if not written:
        raise Stale(object_type_of(obj), obj.id, model=model, reference=_reference(obj), expected=expected_t,
                    version=version, obj=obj, **detail)
    db.session.refresh(obj)
    summary = dict(summary or {})
    if to is not None:
        summary.setdefault("from", before)
        summary.setdefault("to", to)
    audit.record(action, object_type_of(obj), obj.id, actor=actor, on_behalf_of=on_behalf_of, summary=summary)


# ------------------------------------------------------------------------------------------------ review

class ReviewError(ValueError):
    """An action that cannot be taken as asked (a missing reason or note)."""


class DecisionRefused(Exception):
    """A decision this actor may not take on this object now; nothing was changed.  ``code``:

    * ``not_holder``: only the clerk who picked it up decides (an administrator may take over);
    * ``entered_on_behalf``: the actor entered the applicant's answers at the desk (four eyes);
    * any code of the reviewable's own ``refusals`` (a registration: ``affiliation_unconfirmed``)."""

    def __init__(self, code: str, holder=None):
        super().__init__(code)
        self.code = code
        self.holder = holder


def _never(_obj, _actor) -> bool:
    return False


@dataclass(frozen=True)
class Review:
    """How one kind of reviewable object is reviewed by the secretariat: pick up, approve, return per
    part, reject, with four eyes.  Registrations, plans, reports and claims each declare one.

    * ``move(obj, target, *, version, actor_id, note, flags)``: the object's own transition (through
      :func:`transition`: conditional UPDATE on id + version + status, audit; plus its timeline and
      hooks); ``flags`` ({part: note}) only for a return;
    * ``mail(obj, event, **context)``: tells the applicant (``event``: picked-up, approved, returned,
      rejected), through the outbox in the same transaction;
    * ``entered_by(obj, actor)``: True when ``actor`` entered the applicant's answers (four eyes: they
      may not approve);
    * ``refusals``: further checks ``(obj) -> code or None`` that block an approval;
    * the columns: ``status``, ``version``, ``holder_id`` (who picked it up), ``submitted_at``.
    The parts offered for a return (the steps of a registration) are the view's: it names them in
    ``flags``."""

    object_type: str
    move: Callable[..., None]
    mail: Callable[..., None]
    entered_by: Callable[[Any, Any], bool] = _never
    refusals: tuple[Callable[[Any], str | None], ...] = ()
    waiting: tuple[str, ...] = ("submitted", "resubmitted")
    reviewing: str = "under_review"
    approved: str = "approved"
    returned: str = "returned"
    rejected: str = "rejected"
    holder_column: str = "holder_id"

    # ---------------------------------------------------------------- who decides
    def holder_id(self, obj):
        return getattr(obj, self.holder_column)

    def holder(self, obj):
        """The clerk holding ``obj`` while it is under review (None otherwise)."""
        from dxapp.models import User

        holder_id = self.holder_id(obj)
        if obj.status != self.reviewing or holder_id is None:
            return None
        return db.session.get(User, holder_id)

    def may_decide(self, obj, actor) -> bool:
        """The holder decides; an administrator may take over (recorded)."""
        return self.holder_id(obj) == actor.id or actor.role == "admin"

    def blockers(self, obj, actor) -> list[str]:
        """Why ``actor`` may not approve ``obj`` now (codes of :class:`DecisionRefused`); empty when the
        approval may go ahead."""
        found = []
        if not self.may_decide(obj, actor):
            found.append("not_holder")
        if self.entered_by(obj, actor):
            found.append("entered_on_behalf")
        found += [code for check in self.refusals if (code := check(obj))]
        return found

    def _check_decider(self, obj, actor, decision: str) -> None:
        """Refuses a decision by anyone but the holder; an administrator taking over another's object
        leaves an audit row naming the holder (in the same transaction as the decision)."""
        from dxapp.models import User

        holder_id = self.holder_id(obj)
        if holder_id == actor.id:
            return
        holder_ = db.session.get(User, holder_id) if holder_id is not None else None
        if actor.role != "admin":
            raise DecisionRefused("not_holder", holder_)
        audit.record(f"{self.object_type}.holder_overridden", self.object_type, obj.id, actor=actor,
                     summary={"reference": _reference(obj), "decision": decision, "holder_id": holder_id,
                              "holder_name": holder_.name if holder_ is not None else None})

    def _under_review(self, obj, version: int) -> None:
        if obj.status != self.reviewing or obj.version != version:
            raise Stale.of(obj)

    # ---------------------------------------------------------------- actions
    def pick_up(self, obj, *, version: int, actor) -> None:
        """Waiting -> under review, held by ``actor``."""
        if obj.status not in self.waiting:
            raise Stale.of(obj)
        self.mail(obj, "picked-up")
        self.move(obj, self.reviewing, version=version, actor_id=actor.id)
        setattr(obj, self.holder_column, actor.id)

    def approve(self, obj, *, version: int, actor, note: str | None = None) -> None:
        """Approved, by the holder (or an administrator taking over) who did not enter the applicant's
        answers, once no refusal applies.  Raises :class:`DecisionRefused` before anything changes."""
        self._under_review(obj, version)
        if not self.may_decide(obj, actor):
            raise DecisionRefused("not_holder", self.holder(obj))
        if self.entered_by(obj, actor):
            raise DecisionRefused("entered_on_behalf")
        for check in self.refusals:
            if code := check(obj):
                raise DecisionRefused(code)
        self._check_decider(obj, actor, self.approved)
        self.mail(obj, "approved", note=note)
        self.move(obj, self.approved, version=version, actor_id=actor.id, note=note or None)

    def return_for_correction(self, obj, *, version: int, actor, flags: dict[str, str], note: str | None = None,
                              titles: dict | None = None) -> None:
        """Returned with a note per flagged part ({part: note}); the applicant re-enters those parts."""
        flags = {part: text.strip() for part, text in (flags or {}).items() if text and text.strip()}
        if not flags:
            raise ReviewError("flags")
        self._under_review(obj, version)
        self._check_decider(obj, actor, self.returned)
        self.mail(obj, "returned", note=note,
                  flag_rows=[(str((titles or {}).get(part, part)), text) for part, text in flags.items()])
        self.move(obj, self.returned, version=version, actor_id=actor.id, flags=flags, note=note or None)

    def reject(self, obj, *, version: int, actor, reason: str) -> None:
        reason = (reason or "").strip()
        if not reason:
            raise ReviewError("reason")
        self._under_review(obj, version)
        self._check_decider(obj, actor, self.rejected)
        self.mail(obj, "rejected", reason=reason)
        self.move(obj, self.rejected, version=version, actor_id=actor.id, note=reason)
