"""What a procedure declares (ARCHITECTURE.md, "Growing the house"), the refusals of its start guard,
and the one function that decides whether it may start.

A procedure is a declared wizard with everything the applicant's pages, the secretariat's desk and
review and the CLI need of it: who owns the draft, who may use it, what submitting does, its documents,
what the desk may not touch and how the review shows it.  The blueprints mount procedures
(:func:`dxapp.procedures.views.mount`); the desk, the review and the CLI read the registry
(:func:`dxapp.procedures.get`, :func:`dxapp.procedures.all`).  Nothing here renders a page: a guard
returns a :class:`Refusal`, and one view turns a refusal into the page that says why and what to do."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dxapp.rules import calendar as calendars
from dxapp.services import applications
from dxapp.services.calendar import in_force as calendar_in_force  # noqa: F401  (the procedures' name)
from dxapp.wizard import Wizard

#: ``Procedure.blocker`` sends the applicant to the procedure's result page (not eligible).
RESULT = "result"


@dataclass(frozen=True)
class Refusal:
    """Why a procedure may not start (or its answers may not be saved or sent) now.  ``code`` names the
    reason (the page's wording, see templates/application/refused.html); ``params`` what the page shows."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    #: The HTTP status of the page for each code: 409 for a conflict with what exists, else 403.
    STATUS = {"already_applied": 409, "closed": 403}

    @property
    def status(self) -> int:
        return self.STATUS.get(self.code, 403)


@dataclass(frozen=True)
class DeskSpec:
    """How the secretariat's desk enters this procedure's answers for a caller (desk-assisted entry)."""

    path: str  # /secretariat/desk/<path>/<grant>/...
    endpoint: str  # endpoint names "secretariat.<endpoint>_<view>"
    role_label: str  # who is registering, as the new-caller form offers it
    # Steps the clerk only looks at (uploads, the bank account: the applicant enters them).
    read_only_steps: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReviewSpec:
    """How the secretariat's review pages show this procedure's applications."""

    queue_title: str
    kind_label: str
    queue_path: str  # /secretariat/review/<queue_path>
    # Steps whose answers the detail page shows elsewhere (its documents list), not among the answers.
    hidden_steps: tuple[str, ...] = ()


@dataclass(frozen=True)
class Wording:
    """The kind-specific sentences of the shared application pages (templates/application/)."""

    # Confirmation page: what the secretariat checks, and what comes after the review.
    submitted_review: str
    submitted_afterwards: str
    # Confirmation page: further links [(endpoint, text)] (e.g. the supporter's roster check).
    submitted_links: tuple[tuple[str, str], ...] = ()
    # Result page (not eligible): heading, lead, the advice whose sentence links back to the answers
    # ((sentence, link text)), and the further advice.
    result_title: str = ""
    result_lead: str = ""
    result_back: tuple[str, str] = ("", "")
    result_advice: tuple[str, ...] = ()


@dataclass(frozen=True)
class Procedure:
    """One declared procedure.  Callables take the acting user explicitly (the applicant, or the caller a
    desk clerk acts for), never the request's current user."""

    kind: str  # the application kind it creates (Application.kind); the registry's key
    role: str  # the account role that applies (access policy rule of its pages)
    wizard: Wizard
    owner_key: Callable[[Any], str]  # (user) -> the draft's owner key (a person, or an organisation)
    reference_prefix: str  # of the submission's reception reference
    # (draft, user) -> (result type, result id); runs inside the submit transaction.
    submit: Callable[[Any, Any], tuple[str, int]]
    wording: Wording
    review: ReviewSpec | None  # None: nothing to review (a consultation case is published at once)
    # The calendar window new applications are accepted in (dxapp.rules.calendar); None: always.
    window: str | None = "registration"
    # (user) -> the answers a new draft starts with (a returned application, the details in force).
    initial_answers: Callable[[Any], dict | None] | None = None
    # (answers) -> the rules' decision shown on the result page; None: no result page.
    decision: Callable[[Mapping], dict] | None = None
    # (slug, answers) -> True when, after saving this step, the answers cannot go on (not eligible).
    stops_after: Callable[[str, Mapping], bool] | None = None
    # (answers) -> RESULT, a step slug to go back to, or None: checked before check-answers and submit.
    blocker: Callable[[Mapping], str | None] | None = None
    # The documents steps (dxapp.wizard.documents.DocumentStep): their routes, what they need, the labels
    # of their kinds of document (the review's documents list).
    documents: tuple = ()
    # Other steps with routes of their own (``register(bp, routes, *, write_guard)``).
    step_routes: tuple = ()
    # The desk may enter this procedure's answers for a caller (None: it may not).
    desk: DeskSpec | None = None
    # The applicant may withdraw an open application (the withdraw page is mounted).
    withdrawable: bool = True
    # ``(user, at, calendar) -> Refusal | None``: the start guard of a procedure that creates no
    # application (a consultation case); None: the registrations' guard (one open application, the window).
    guard: Callable[[Any, datetime, Mapping[str, calendars.Window]], Refusal | None] | None = None

    def ineligible_steps(self, answers: Mapping) -> tuple[str, ...]:
        """The steps whose answers make ``answers`` not eligible (the decision's ``steps``, in wizard
        order); empty when eligible, undecided, or the procedure decides nothing."""
        if self.decision is None:
            return ()
        decision = self.decision(answers)
        return tuple(decision.get("steps") or ()) if decision.get("outcome") == "ineligible" else ()

    def purpose_labels(self) -> dict:
        """{document purpose: label} of every documents step."""
        return {purpose: kind.label for step in self.documents for purpose, kind in step.kinds.items()}


def window_refusal(action: str, at: datetime, calendar: Mapping[str, calendars.Window]) -> Refusal | None:
    """None while ``action`` is accepted at ``at``; else the ``closed`` refusal with its window."""
    if calendars.is_open(action, at, calendar):
        return None
    window = calendars.window(action, calendar)
    return Refusal("closed", {"window": window, "last_day": calendars.last_day(window), "before": at < window.opens_at})


def may_start(user, procedure: Procedure, at: datetime, calendar: Mapping[str, calendars.Window]) -> Refusal | None:
    """Whether ``user`` may start (save or send answers of) ``procedure`` at ``at``; None when they may.

    One open application at a time (``already_applied``); new applications only inside the procedure's
    window of ``calendar`` (``closed``).  A returned application may be corrected and resubmitted, and a
    change of an approved registration requested, even after the window: neither is a new application.
    (Freezes and the budget's intake will be decided here too.)  A procedure with a ``guard`` of its own
    (one that creates no application) is decided by that guard alone."""
    if procedure.guard is not None:
        return procedure.guard(user, at, calendar)
    current = applications.open_application(user, procedure.kind)
    if current is not None and current.status == "returned":
        return None
    if current is not None:
        return Refusal("already_applied", {"application": current})
    registered = applications.registration(user, procedure.kind)
    if registered is not None and registered.status == "approved":
        return None
    if procedure.window is None:
        return None
    return window_refusal(procedure.window, at, calendar)


def carried_answers(user, kind: str) -> dict | None:
    """The answers a new draft starts with: a returned application comes back with the flagged steps to
    re-enter; a change of an approved registration starts from the details in force; else None."""
    current = applications.open_application(user, kind)
    if current is not None and current.status == "returned":
        return {"steps": current.answers.get("steps", {}), "flags": current.flags or {}}
    registered = applications.registration(user, kind)
    if current is None and registered is not None and registered.status == "approved":
        return {"steps": registered.answers.get("steps", {})}
    return None
