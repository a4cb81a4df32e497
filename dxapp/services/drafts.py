"""Wizard drafts: created on first visit, saved at every step with an optimistic version check, turned
into a submission exactly once."""

from __future__ import annotations

import secrets

from sqlalchemy import delete, literal_column, select
from sqlalchemy.exc import InvalidRequestError

from dxapp import clock
from dxapp.extensions import db
from dxapp.models import Submission, WizardDraft
from dxapp.rules import references
from dxapp.services import audit, workflow
from dxapp.wizard.answers import Answers


def get(wizard: str, owner_key: str) -> WizardDraft | None:
    return db.session.scalar(
        select(WizardDraft).where(WizardDraft.wizard == wizard, WizardDraft.owner_key == owner_key)
    )


def _fresh_answers(initial: dict | None) -> dict:
    return Answers(initial).fresh()


def unsaved(wizard: str, owner_key: str, user_id: int | None, initial: dict | None = None) -> WizardDraft:
    """A draft that is not added to the session (for GET pages before the first save)."""
    return WizardDraft(wizard=wizard, owner_key=owner_key, user_id=user_id, version=0,
                       answers=_fresh_answers(initial))


def get_or_create(wizard: str, owner_key: str, user_id: int | None, initial: dict | None = None, *,
                  actor_id: int | None = None, on_behalf_of_id: int | None = None) -> WizardDraft:
    """The draft of ``owner_key``, created when there is none.  ``actor_id`` and ``on_behalf_of_id``:
    a desk clerk creating it for the applicant ``user_id`` (default: the applicant themselves)."""
    draft = get(wizard, owner_key)
    if draft is not None:
        return draft
    now = clock.wall_now()
    actor_id = user_id if actor_id is None else actor_id
    created = insert_once(WizardDraft, ("wizard", "owner_key"), wizard=wizard, owner_key=owner_key, user_id=user_id,
                          version=1, created_at=now, updated_at=now, updated_by_id=actor_id,
                          answers={**_fresh_answers(initial), "token": secrets.token_urlsafe(24)})
    draft = get(wizard, owner_key)  # made here, or by a parallel request a moment ago
    if created:
        audit.record("draft.created", "wizard_draft", draft.id, actor=actor_id, on_behalf_of=on_behalf_of_id,
                     summary={"wizard": wizard})
    return draft


def insert_once(model, keys: tuple[str, ...], **values) -> bool:
    """``INSERT ... ON CONFLICT (keys) DO NOTHING``: True when this statement made the row, False when a
    parallel request made it first (it is then found by its keys).  Survives the race inside the
    caller's transaction: no IntegrityError, no rollback, no savepoint (SQLite's pysqlite would end the
    transaction at an outermost savepoint's release)."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(model.__table__).values(**values).on_conflict_do_nothing(index_elements=list(keys))
    # The row that came back says it: psycopg reports ``rowcount`` -1 for this statement (measured), so
    # a row count made every parallel submit on PostgreSQL the winner (one case per tap, issue 12).
    return db.session.execute(statement.returning(literal_column("1"))).first() is not None


def save(draft: WizardDraft, expected_version: int, new_answers: dict, *, slug: str, raw: dict,
         actor_id: int | None, on_behalf_of_id: int | None = None, action: str = "draft.step_saved",
         changed: list[str] | None = None) -> None:
    """Write new answers only if nobody saved since ``expected_version`` (conditional UPDATE, with its
    audit event).  Someone (another tab, a desk clerk) saved meanwhile -> ``workflow.Stale`` whose
    ``detail`` holds the ``draft``, the ``slug`` and what was typed (``submitted_raw``) for the
    wizard's conflict page."""
    summary = {"wizard": draft.wizard, "step": slug, "version": expected_version + 1}
    if changed is not None:
        summary["changed"] = changed  # field names only, never values
    workflow.transition(draft, action=action, version=expected_version,
                        values={"answers": new_answers, "updated_by_id": actor_id}, actor=actor_id,
                        on_behalf_of=on_behalf_of_id, summary=summary, draft=draft, slug=slug, submitted_raw=raw)


def is_repeat(draft: WizardDraft, expected_version: int, *, slug: str, raw: dict, actor_id: int | None) -> bool:
    """A stale step save that repeats the very save which made the draft stale (a second tap on
    「次へ進む」 from the same page view, issue 11 item 1): the draft is exactly one save ahead, that save
    was this actor's, and the step holds what is posted now.  Then nothing is lost and there is no
    conflict to show."""
    try:
        db.session.refresh(draft)
    except InvalidRequestError:  # the draft is gone (submitted meanwhile)
        return False
    return draft.version == expected_version + 1 and draft.updated_by_id == actor_id and \
        Answers(draft.answers).raw(slug) == raw


def find_submission(wizard: str, owner_key: str, token: str) -> Submission | None:
    return db.session.scalar(
        select(Submission).where(
            Submission.wizard == wizard, Submission.owner_key == owner_key, Submission.form_token == token
        )
    )


def new_reference(prefix: str) -> str:
    """A reception reference from the registry (dxapp.rules.references): the letter must be a dated one."""
    ref = references.by_letter(prefix)
    if ref.shape != references.DATED:
        raise ValueError(f"{prefix} is not a submission reference")
    return ref.format(secrets.randbelow(10**ref.digits), clock.program_now())


def submit(draft: WizardDraft, token: str, handler, *, reference_prefix: str) -> tuple[Submission, bool]:
    """Create the submission and run ``handler(draft) -> (result_type, result_id)`` in the caller's
    transaction.

    Returns (submission, created).  A replayed or parallel submit with the same one-time token finds the
    first submission (unique constraint) and creates nothing."""
    wizard, owner_key = draft.wizard, draft.owner_key  # plain values: the row may vanish under us
    existing = find_submission(wizard, owner_key, token)
    if existing is not None:
        return existing, False
    # Bytes: the token comes from the client, and compare_digest refuses non-ASCII text (TypeError).
    if not secrets.compare_digest(token.encode(), str(Answers(draft.answers).token or "").encode()):
        raise ValueError("token does not belong to this draft")
    created = insert_once(Submission, ("wizard", "owner_key", "form_token"), wizard=wizard, owner_key=owner_key,
                          form_token=token, reference=new_reference(reference_prefix), created_at=clock.wall_now())
    submission = find_submission(wizard, owner_key, token)
    if not created:  # a parallel submit with the same token came first
        return submission, False
    result_type, result_id = handler(draft)
    submission.result_type, submission.result_id = result_type, result_id
    audit.record("draft.submitted", "submission", submission.id, actor=draft.user_id,
                 summary={"wizard": draft.wizard, "reference": submission.reference})
    # A Core DELETE: a parallel request may have removed the draft row already (then 0 rows, no warning).
    db.session.execute(delete(WizardDraft).where(WizardDraft.id == draft.id))
    db.session.expunge(draft)
    db.session.flush()
    return submission, True
