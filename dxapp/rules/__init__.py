"""The program's rules as pure Python.

Nothing in this package reads the clock, the request or the database: every instant is an argument
(an aware ``datetime``), money is ``int`` yen, hours are ``Decimal`` in half-hour steps and ratios are
compared exactly.  Each decision carries ``reasons`` (:class:`Reason`: a code, a Japanese message shown
to users, and the clause it applies), so the live panel, the secretariat's screens and the tests all
show *why*.

Sources: the program's announcement page (``shared/seed/000_c4bb970b4a93e6ec.txt``, quoted as "seed"),
``DOMAIN.md`` sections 3-5 and the "Japanese input" section of ``UX.md``.

Shared pieces live here:

* :class:`Reason` and :class:`Decision`, the shape every decision shares;
* :class:`Dated`, a parameter whose value changes at given instants, looked up with ``as_of``
  (values are added as new rows, never edited in place);
* :data:`JST`, :data:`PHASE2_START` and :func:`require_aware`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

__all__ = ["JST", "PHASE2_START", "Dated", "Decision", "Reason", "require_aware"]

JST = ZoneInfo("Asia/Tokyo")

#: Phase II starts for Phase I registrants (seed, 各種期間: 「2021年4月26日(月)10時〜」).
PHASE2_START = datetime(2021, 4, 26, 10, 0, tzinfo=JST)

T = TypeVar("T")


@dataclass(frozen=True)
class Reason:
    """One line of a decision's explanation.

    ``code`` is stable (tests and templates match on it), ``message`` is Japanese and addressed to the
    user (what was found, or what to enter next), ``citation`` names the clause (seed table row,
    DOMAIN.md section, terms article).
    """

    code: str
    message: str
    citation: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "citation": self.citation}


@dataclass(frozen=True, kw_only=True)
class Decision:
    """Base of every decision: the reasons, in the order they were found."""

    reasons: tuple[Reason, ...] = ()

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(reason.code for reason in self.reasons)

    @property
    def messages(self) -> tuple[str, ...]:
        return tuple(reason.message for reason in self.reasons)


def require_aware(at: object, what: str = "日時") -> datetime:
    """Return ``at`` if it is an aware ``datetime``; otherwise raise ``ValueError`` (Japanese)."""
    if not isinstance(at, datetime):
        raise ValueError(f"{what}はタイムゾーン付きの日時（例：2021年10月19日 0時 日本時間）で指定してください。")
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{what}にタイムゾーンがありません。日本時間（Asia/Tokyo）などのタイムゾーンを付けて指定してください。")
    return at


@dataclass(frozen=True)
class Dated(Generic[T]):
    """A parameter that changes over time (OpenFisca-style dated value).

    ``history`` is a sequence of ``(since, value, source)`` rows in ascending order of ``since``; the
    first row's ``since`` may be ``None``, meaning "from the start of the records" (no earlier value is
    known).  A change is recorded by adding a row, never by editing one, so a past decision can always be
    recomputed as it was.
    """

    name: str
    history: tuple[tuple[datetime | None, T, str], ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.history:
            raise ValueError(f"{self.name}: 値が1件も登録されていません。")
        previous: datetime | None = None
        for index, (since, _value, _source) in enumerate(self.history):
            if since is None:
                if index != 0:
                    raise ValueError(f"{self.name}: 開始日時なしの値は最初の1件だけにしてください。")
                continue
            require_aware(since, f"{self.name}の適用開始日時")
            if previous is not None and since <= previous:
                raise ValueError(f"{self.name}: 適用開始日時は古い順に並べてください。")
            previous = since

    def row_as_of(self, at: datetime) -> tuple[datetime | None, T, str]:
        """The row in force at the aware instant ``at`` (its ``since`` <= ``at``)."""
        require_aware(at, "基準日時")
        found = None
        for row in self.history:
            since = row[0]
            if since is None or since <= at:
                found = row
            else:
                break
        if found is None:
            raise ValueError(f"{self.name}: {at.astimezone(JST):%Y-%m-%d %H:%M} 時点の値は定められていません。"
                             "本事業の期間内の日時を指定してください。")
        return found

    def as_of(self, at: datetime) -> T:
        """The value in force at the aware instant ``at``."""
        return self.row_as_of(at)[1]

    def source_as_of(self, at: datetime) -> str:
        """The citation of the value in force at ``at``."""
        return self.row_as_of(at)[2]

    def changes(self) -> Iterable[datetime]:
        """The instants at which the value changes (for boundary tests)."""
        return tuple(since for since, _value, _source in self.history if since is not None)
