"""One object over a wizard's answers JSON (the shape is documented in dxapp/wizard/__init__.py).

``Answers`` reads: typed getters that never fail on a missing or malformed part (a stored draft, an
older shape of a step, an application written by the demo), so no caller navigates the JSON by hand.
Its ``with_*`` / ``without_*`` updates are pure and return plain dicts, ready to be stored in a JSON
column (the draft row and the application row store dicts, never this object).

``Answers`` is itself a read-only ``Mapping`` over the same dict, so it can be given wherever the raw
answers were (``show_if`` callables, templates) and ``Answers(answers)`` of an ``Answers`` is cheap.
Pure: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

#: The keys of the answers object the engine owns; any other top-level key belongs to a wizard
#: (e.g. "_preset", "carried_over"), is read with ``get`` and is kept by every update.
STEPS, PARTIAL, FLAGS, TOKEN = "steps", "partial", "flags", "token"


def _mapping(value) -> Mapping:
    return value if isinstance(value, Mapping) else {}


class Answers(Mapping):
    """A read-only view of one answers dict."""

    __slots__ = ("_answers",)

    def __init__(self, answers: Mapping | None = None):
        if isinstance(answers, Answers):
            answers = answers._answers
        self._answers: Mapping = answers if isinstance(answers, Mapping) else {}

    # -- the Mapping protocol: the answers dict itself ----------------------------------------------
    def __getitem__(self, key: str) -> Any:
        return self._answers[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._answers)

    def __len__(self) -> int:
        return len(self._answers)

    def __repr__(self) -> str:
        return f"Answers({dict(self._answers)!r})"

    @staticmethod
    def empty() -> dict:
        """The answers of a wizard nobody has started."""
        return {STEPS: {}, PARTIAL: {}, FLAGS: {}}

    def to_dict(self) -> dict:
        """A plain dict (one level copied), to store or to change."""
        return dict(self._answers)

    # -- steps ---------------------------------------------------------------------------------
    @property
    def steps(self) -> dict[str, Mapping]:
        """The completed steps, {slug: {"raw": ..., "data": ...}} (malformed entries left out)."""
        return {slug: step for slug, step in _mapping(self._answers.get(STEPS)).items() if isinstance(step, Mapping)}

    @property
    def answered(self) -> list[str]:
        """The slugs of the completed steps, in the order they were saved."""
        return list(self.steps)

    def has(self, slug: str) -> bool:
        """The step was completed (saved with valid answers), whether or not it is flagged since."""
        return isinstance(_mapping(self._answers.get(STEPS)).get(slug), Mapping)

    def data(self, slug: str) -> dict:
        """The normalised values of a completed step ({} when it is not)."""
        return dict(_mapping(_mapping(_mapping(self._answers.get(STEPS)).get(slug)).get("data")))

    def raw(self, slug: str) -> dict:
        """What was typed in a completed step, {field: [strings]} ({} when it is not)."""
        return dict(_mapping(_mapping(_mapping(self._answers.get(STEPS)).get(slug)).get("raw")))

    def partial(self, slug: str) -> dict:
        """What was typed in a step saved for later without validation ({} when nothing was)."""
        return dict(_mapping(_mapping(self._answers.get(PARTIAL)).get(slug)))

    def stored(self, slug: str) -> dict | None:
        """What a step's form is refilled with: the completed answers, else the ones saved for later,
        else None (an empty form)."""
        return self.raw(slug) or self.partial(slug) or None

    def value(self, slug: str, field: str, default: Any = None) -> Any:
        """One normalised value of a completed step; ``default`` when it is missing or None."""
        value = self.data(slug).get(field)
        return default if value is None else value

    def text(self, slug: str, field: str) -> str:
        """A value as text ("" when missing)."""
        value = self.value(slug, field)
        return value if isinstance(value, str) else ("" if value is None else str(value))

    def many(self, slug: str, field: str) -> list:
        """A multiple-choice value as a list ([] when missing)."""
        value = self.value(slug, field)
        if isinstance(value, list | tuple):
            return list(value)
        return [] if value in (None, "") else [value]

    # -- flags, partial, token -------------------------------------------------------------------------
    @property
    def flags(self) -> dict[str, str]:
        """{slug: note} of the steps returned for correction."""
        return dict(_mapping(self._answers.get(FLAGS)))

    def flag(self, slug: str) -> str | None:
        return self.flags.get(slug)

    def is_flagged(self, slug: str) -> bool:
        return slug in _mapping(self._answers.get(FLAGS))

    def is_complete(self, slug: str) -> bool:
        """Completed and not returned for correction."""
        return slug in _mapping(self._answers.get(STEPS)) and not self.is_flagged(slug)

    def has_partial(self, slug: str) -> bool:
        return slug in _mapping(self._answers.get(PARTIAL))

    @property
    def token(self) -> str:
        """The one-time submit token ("" when there is none)."""
        token = self._answers.get(TOKEN)
        return token if isinstance(token, str) else ""

    # -- pure updates: new plain dicts -----------------------------------------------------------------
    def with_step(self, slug: str, raw: Mapping, data: Mapping) -> dict:
        """The step completed with these answers: its partial answers and its flag go."""
        new = self.to_dict()
        new[STEPS] = {**_mapping(self._answers.get(STEPS)), slug: {"raw": dict(raw), "data": dict(data)}}
        new[PARTIAL] = {k: v for k, v in _mapping(self._answers.get(PARTIAL)).items() if k != slug}
        new[FLAGS] = {k: v for k, v in _mapping(self._answers.get(FLAGS)).items() if k != slug}
        return new

    def with_partial(self, slug: str, raw: Mapping) -> dict:
        """What was typed in a step, kept unvalidated (the completed answers of the step stay)."""
        new = self.to_dict()
        new[PARTIAL] = {**_mapping(self._answers.get(PARTIAL)), slug: dict(raw)}
        return new

    def without_steps(self, *slugs: str) -> dict:
        """These steps no longer complete (their partial answers and flags stay)."""
        new = self.to_dict()
        new[STEPS] = {k: v for k, v in _mapping(self._answers.get(STEPS)).items() if k not in slugs}
        return new

    def without_partial(self, *slugs: str) -> dict:
        new = self.to_dict()
        new[PARTIAL] = {k: v for k, v in _mapping(self._answers.get(PARTIAL)).items() if k not in slugs}
        return new

    def with_flags(self, flags: Mapping | None) -> dict:
        new = self.to_dict()
        new[FLAGS] = dict(flags or {})
        return new

    def with_key(self, key: str, value: Any) -> dict:
        new = self.to_dict()
        new[key] = value
        return new

    def without_keys(self, *keys: str) -> dict:
        return {k: v for k, v in self._answers.items() if k not in keys}

    def carried(self, *, flags: Mapping | None = None, keep_flags: bool = False) -> dict:
        """The answers a new draft starts from (a change request, a returned application): the completed
        steps only, with ``flags`` (or this object's own with ``keep_flags``)."""
        new = {STEPS: dict(_mapping(self._answers.get(STEPS)))}
        if flags is not None or keep_flags:
            new[FLAGS] = dict(flags if flags is not None else self.flags)
        return new

    def fresh(self) -> dict:
        """steps / partial / flags copied, every other key dropped (what a new draft keeps of these)."""
        return {key: dict(_mapping(self._answers.get(key))) for key in (STEPS, PARTIAL, FLAGS)}
