"""The one place in dxapp that reads the time.

Two clocks:

* **program time** (``program_now``) decides deadlines and dated rules.  ``DXAPP_NOW`` sets where it
  starts; from there it runs forward with the wall clock, so a demo that starts on 2021-06-01 10:00 JST
  shows 10:05 five minutes later.  ``DXAPP_NOW_FROZEN`` stops it (tests).
* **wall time** (``wall_now``) drives security timers: TOTP, token expiry, rate limits, session timeouts.
  Moving the program clock never extends a password-reset link.  Shown to people, a wall instant goes
  through ``shown`` (the ``program_time`` template filter) so that a page shows one clock only.

Both return aware datetimes.  Code outside this module calls these functions; it never calls
``datetime.now``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")


def parse_instant(text: str) -> datetime:
    """ISO 8601; a value without an offset is read as JST (the program's own zone)."""
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=JST)
    return value


@dataclass
class Clock:
    start: datetime | None = None
    frozen: bool = False
    _wall_anchor: float = field(default_factory=time.time)
    # Tests move wall time forward to expire tokens and sessions; production never sets it.
    wall_offset: float = 0.0

    def wall_timestamp(self) -> float:
        return time.time() + self.wall_offset

    def wall_now(self) -> datetime:
        return datetime.fromtimestamp(self.wall_timestamp(), UTC)

    def advance_wall(self, seconds: float) -> None:
        self.wall_offset += seconds

    def program_now(self) -> datetime:
        if self.start is None:
            return datetime.now(UTC).astimezone(JST)
        if self.frozen:
            return self.start.astimezone(JST)
        elapsed = time.time() - self._wall_anchor
        return (self.start + timedelta(seconds=elapsed)).astimezone(JST)

    def shown(self, instant: datetime) -> datetime:
        """A wall-clock instant (a row's timestamp, a code's expiry) on the program's clock, as people see
        it: in demo mode the banner's time and every time on the pages are one clock.  Unshifted: as is."""
        if self.start is None:
            return instant
        return instant + (self.program_now() - self.wall_now())

    @property
    def is_shifted(self) -> bool:
        return self.start is not None

    def set(self, instant: datetime, *, frozen: bool = True) -> None:
        """Move program time (tests, demo).  Wall time is never moved."""
        if instant.tzinfo is None:
            raise ValueError("instant must be timezone-aware")
        self.start = instant
        self.frozen = frozen
        self._wall_anchor = time.time()


def from_config(config) -> Clock:
    start = config.get("DXAPP_NOW")
    if isinstance(start, str):
        start = parse_instant(start)
    return Clock(start=start, frozen=bool(config.get("DXAPP_NOW_FROZEN")))


def _current() -> Clock:
    from flask import current_app

    return current_app.extensions["dxapp_clock"]


def program_now() -> datetime:
    """Aware now in JST for deadlines and dated rules (moved by DXAPP_NOW)."""
    return _current().program_now()


def program_today() -> date:
    return program_now().astimezone(JST).date()


def wall_now() -> datetime:
    """Aware real now in UTC, for security timers."""
    return _current().wall_now()


def shown(instant: datetime | None) -> datetime | None:
    """A wall-time instant as shown to people: on the program's clock (see :meth:`Clock.shown`)."""
    return None if instant is None else _current().shown(instant)


def wall_timestamp() -> float:
    return _current().wall_timestamp()
