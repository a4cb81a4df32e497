"""The generic multi-step engine.

A wizard is a declared, ordered list of steps.  Navigation (``next_step``, ``first_incomplete_step``,
``progress``, ``task_list``) is a pure function of the answers, so it is tested without Flask.

Answers are a JSON object::

    {"steps":   {slug: {"raw": {field: [typed strings]}, "data": {field: normalised value}}},
     "partial": {slug: {field: [typed strings]}},     # 「保存して中断する」 without validation
     "flags":   {slug: "note"},                        # returned for correction: 確認が必要
     "token":   "one-time submit token"}

Read and update it through ``Answers`` (dxapp/wizard/answers.py), never by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from dxapp.wizard.answers import Answers

__all__ = ["STATUS_DONE", "STATUS_IN_PROGRESS", "STATUS_NEEDS_REVIEW", "STATUS_NOT_ELIGIBLE", "STATUS_NOT_STARTED", "Answers",
           "InvalidAnswers", "Section", "Step", "Task", "Wizard"]


class InvalidAnswers(ValueError):
    """``Wizard.fill`` was given values a user's POST would not get through (``errors``: the form's)."""

    def __init__(self, slug: str, errors: Mapping):
        super().__init__(f"answers for step {slug} are invalid: {dict(errors)}")
        self.slug = slug
        self.errors = dict(errors)


def _always(_answers: Answers) -> bool:
    return True


@dataclass(frozen=True)
class Section:
    key: str
    title: str


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    form: type
    section: str
    show_if: Callable[[Answers], bool] = _always
    template: str = "wizard/step.html"
    # Extra template context for this step, computed from the answers (pure).
    context: Callable[[Answers], dict] | None = None
    # Live feedback: ``panel(values, answers) -> dict`` runs the rules on the values typed so far
    # (strings, unsaved) and feeds ``panel_template``; served by GET .../<slug>/check.
    panel: Callable[[Mapping, Answers], dict] | None = None
    panel_template: str | None = None
    # After a live check: fill empty fields from the panel's findings (never overwrite what was typed).
    prefill: Callable[[object, dict], list[str]] | None = None
    # The label of the no-JavaScript button that runs the live check.
    check_label: str | None = None
    # Show the panel right after this field instead of after the last one.
    panel_after: str | None = None
    # ``panel_context(answers) -> {name: value}``: the saved answers the panel needs besides this step's
    # own fields.  When set, htmx asks GET .../<slug>/panel, which is stateless: the rules run on the
    # typed values plus this context (sent by htmx as hx-vals), with no login, no draft read and no
    # session write, so a pause in typing costs no database round trip.  The panel must then depend on
    # nothing but these values (the rules are public; the values are what the user typed).
    panel_context: Callable[[Answers], dict] | None = None
    # A declaration only the applicant makes (terms, truth of the answers): read-only for a desk clerk
    # acting on their behalf, and undone when the desk changes an answer (it covered the old answers).
    applicant_only: bool = False
    # Fields of this step only the applicant answers (a declaration among other questions); a desk
    # clerk sees whether it was given, never the input.
    applicant_fields: tuple[str, ...] = ()
    # The fields the live panel reads, when the step also asks for other personal data (phone, e-mail,
    # name): htmx's GET then carries only these (and the panel's own inputs), never the rest of the
    # form or its CSRF token, in a URL (issue 11 item 18).  None: the whole form.
    panel_fields: tuple[str, ...] | None = None

    @property
    def panel_include(self) -> str:
        """htmx's ``hx-include`` for the live panel: the panel's fields, or the whole form."""
        if self.panel_fields is None:
            return "closest form"
        return ", ".join([*(f"#{name}" for name in self.panel_fields), "#live-panel"])


#: The fields the postal-code lookup reads (the code, and what it must not overwrite).
ADDRESS_PANEL_FIELDS = ("postal_code", "prefecture", "city", "street")


STATUS_NOT_STARTED = "not_started"
STATUS_IN_PROGRESS = "in_progress"
STATUS_DONE = "done"
STATUS_NEEDS_REVIEW = "needs_review"
STATUS_NOT_ELIGIBLE = "not_eligible"


@dataclass(frozen=True)
class Task:
    section: Section
    status: str
    first_slug: str
    steps: tuple[Step, ...]


@dataclass
class Wizard:
    name: str
    title: str
    sections: tuple[Section, ...]
    steps: tuple[Step, ...]
    submit_label: str = ""
    _by_slug: dict = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_slug = {s.slug: s for s in self.steps}
        if len(self._by_slug) != len(self.steps):
            raise ValueError(f"duplicate step slug in wizard {self.name}")
        known = {s.key for s in self.sections}
        for step in self.steps:
            if step.section not in known:
                raise ValueError(f"step {step.slug} names unknown section {step.section}")

    # -- lookups ---------------------------------------------------------------------------------
    def step(self, slug: str) -> Step:
        return self._by_slug[slug]

    def visible_steps(self, answers: Answers) -> list[Step]:
        return [s for s in self.steps if s.show_if(answers)]

    # -- state of one step -------------------------------------------------------------------------
    @staticmethod
    def is_complete(answers: Mapping, slug: str) -> bool:
        return Answers(answers).is_complete(slug)

    @staticmethod
    def is_flagged(answers: Mapping, slug: str) -> bool:
        return Answers(answers).is_flagged(slug)

    @staticmethod
    def data(answers: Mapping, slug: str) -> dict:
        return Answers(answers).data(slug)

    # -- navigation (pure) -----------------------------------------------------------------------
    def first_incomplete_step(self, answers: Answers) -> Step | None:
        for step in self.visible_steps(answers):
            if not self.is_complete(answers, step.slug):
                return step
        return None

    def is_finished(self, answers: Answers) -> bool:
        return self.first_incomplete_step(answers) is None

    def can_open(self, answers: Answers, slug: str) -> bool:
        """A step can be opened when every visible step before it is complete."""
        for step in self.visible_steps(answers):
            if step.slug == slug:
                return True
            if not self.is_complete(answers, step.slug):
                return False
        return False  # hidden on this branch, or unknown

    def next_step(self, answers: Answers, slug: str) -> Step | None:
        """The step after ``slug`` on the branch the answers take; None means check-your-answers.

        When the user came back to change an answer, steps that are complete are skipped so they
        return to the first thing still to do (or to the check page)."""
        visible = self.visible_steps(answers)
        slugs = [s.slug for s in visible]
        start = slugs.index(slug) + 1 if slug in slugs else 0
        for step in visible[start:]:
            if not self.is_complete(answers, step.slug):
                return step
        return self.first_incomplete_step(answers)

    def previous_step(self, answers: Answers, slug: str) -> Step | None:
        visible = self.visible_steps(answers)
        slugs = [s.slug for s in visible]
        if slug not in slugs:
            return None
        index = slugs.index(slug)
        return visible[index - 1] if index > 0 else None

    def progress(self, answers: Answers) -> tuple[int, int]:
        visible = self.visible_steps(answers)
        return sum(1 for s in visible if self.is_complete(answers, s.slug)), len(visible)

    def task_list(self, answers: Answers, blocked: tuple[str, ...] = ()) -> list[Task]:
        """The sections with their status.  ``blocked``: steps whose answers make the application not
        eligible; their section is marked 対象外 and links to the first of them (issue 11 item 4)."""
        visible = self.visible_steps(answers)
        tasks = []
        view = Answers(answers)
        for section in self.sections:
            steps = tuple(s for s in visible if s.section == section.key)
            if not steps:
                continue
            done = [self.is_complete(answers, s.slug) for s in steps]
            stopping = [s for s in steps if s.slug in blocked]
            if stopping:
                tasks.append(Task(section=section, status=STATUS_NOT_ELIGIBLE, first_slug=stopping[0].slug,
                                  steps=steps))
                continue
            if any(self.is_flagged(answers, s.slug) for s in steps):
                status = STATUS_NEEDS_REVIEW
            elif all(done):
                status = STATUS_DONE
            elif any(done) or any(view.has_partial(s.slug) for s in steps):
                status = STATUS_IN_PROGRESS
            else:
                status = STATUS_NOT_STARTED
            first = next((s for s, ok in zip(steps, done, strict=True) if not ok), steps[0])
            tasks.append(Task(section=section, status=status, first_slug=first.slug, steps=steps))
        return tasks

    # -- updates (pure: return new answers) ----------------------------------------------------
    @staticmethod
    def with_step(answers: Mapping, slug: str, raw: dict, data: dict) -> dict:
        return Answers(answers).with_step(slug, raw, data)

    def without_declarations(self, answers: Mapping) -> dict:
        """The answers with every applicant-only step undone (someone else changed an answer)."""
        return Answers(answers).without_steps(*(s.slug for s in self.steps if s.applicant_only))

    @staticmethod
    def with_partial(answers: Mapping, slug: str, raw: dict) -> dict:
        return Answers(answers).with_partial(slug, raw)

    # -- answers from plain values (demo data, test factories) -----------------------------------------
    def fill(self, values: Mapping[str, Mapping], *, start: Mapping | None = None, user=None,
             complete: bool = True) -> dict:
        """The answers a user gets by typing ``values`` ({slug: {field: value}}, in step order) into
        each step's form: the same validation and normalisation as a POST.  Raises ``InvalidAnswers``
        for values a POST would not get through, and (``complete``) when a visible step is left
        unanswered.  ``start``: answers to begin from; ``user``: the current user while the forms
        validate (a documents step looks at that user's uploads).  See dxapp/wizard/filling.py."""
        from dxapp.wizard.filling import fill

        return fill(self, values, start=start, user=user, complete=complete)
