"""One registry of reference prefixes (issue 10): every reference the app mints or will mint starts
with a letter listed here, and no letter means two things.  Pure: no Flask, no SQLAlchemy; the time
(for the dated submission references) is passed in.

Two shapes:

* ``PLAIN``: letter + a fixed number of digits (``C12345678``), for records people quote (applications,
  cases, plans, reports, claims);
* ``DATED``: letter-YYMM-six digits (``R-2106-123456``), the reception reference of a wizard submission;
* ``DASHED``: letter-digits (``Q-12345678``), inquiries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

PLAIN, DATED, DASHED = "plain", "dated", "dashed"


@dataclass(frozen=True)
class Reference:
    name: str
    letter: str
    digits: int
    shape: str = PLAIN

    def format(self, number: int, when: date | datetime | None = None) -> str:
        if not 0 <= number < 10 ** self.digits:
            raise ValueError(f"{number} does not fit {self.digits} digits")
        if self.shape == DATED:
            if when is None:
                raise ValueError("a dated reference needs the time")
            return f"{self.letter}-{when:%y%m}-{number:0{self.digits}d}"
        if self.shape == DASHED:
            return f"{self.letter}-{number:0{self.digits}d}"
        return f"{self.letter}{number:0{self.digits}d}"

    @property
    def pattern(self) -> re.Pattern:
        if self.shape == DATED:
            return re.compile(rf"{self.letter}-\d{{4}}-\d{{{self.digits}}}")
        if self.shape == DASHED:
            return re.compile(rf"{self.letter}-\d{{{self.digits}}}")
        return re.compile(rf"{self.letter}\d{{{self.digits}}}")

    def valid(self, value: str) -> bool:
        return isinstance(value, str) and self.pattern.fullmatch(value) is not None


REFERENCES: tuple[Reference, ...] = (
    # registrations (the application records)
    Reference("sme_application", "C", 8),
    Reference("expert_application", "E", 8),
    Reference("supporter_application", "B", 8),  # was "S" until issue 10: S is the support plans'
    # reception references of wizard submissions
    Reference("sme_registration", "R", 6, DATED),
    Reference("expert_registration", "X", 6, DATED),
    Reference("supporter_registration", "G", 6, DATED),  # was "S" until issue 10
    Reference("signup", "U", 6, DATED),
    Reference("desk", "D", 6, DATED),
    Reference("consultation_case", "W", 6, DATED),  # the case wizard's submission (the case itself: K)
    Reference("inquiry", "Q", 8, DASHED),
    # the support process (issue 10)
    Reference("consultation", "K", 8),
    Reference("support_plan", "S", 11),
    Reference("report", "J", 10),
    Reference("honorarium_claim", "H", 10),
)

BY_NAME: dict[str, Reference] = {r.name: r for r in REFERENCES}
BY_LETTER: dict[str, Reference] = {r.letter: r for r in REFERENCES}


def get(name: str) -> Reference:
    return BY_NAME[name]


def by_letter(letter: str) -> Reference:
    return BY_LETTER[letter]


def mint(name: str, number: int, when: date | datetime | None = None) -> str:
    """The reference ``name`` with this number (the caller draws it: rules stay deterministic)."""
    return BY_NAME[name].format(number, when)


def valid(name: str, value: str) -> bool:
    return BY_NAME[name].valid(value)


def kind_of(value: str) -> Reference | None:
    """The registry entry a reference belongs to, or None."""
    if not isinstance(value, str) or not value:
        return None
    ref = BY_LETTER.get(value[0])
    return ref if ref is not None and ref.valid(value) else None
