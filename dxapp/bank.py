"""Banks and branches from offline data: the ``zengin-code`` package carries the Zengin bank and branch
code tables as JSON, so nothing is downloaded at run time (or in tests).  Read-only: no state changes.

The package loads every bank and branch when it is first imported (about 0.3 s, ~29,000 branches), so
it is imported on first use, not when the app starts.
"""

from __future__ import annotations

import threading
from typing import NamedTuple

from dxapp.rules.bank import full_bank_name, search_key

_lock = threading.Lock()
_index: dict | None = None
LIMIT = 10


class Found(NamedTuple):
    code: str
    name: str
    kana: str


def _banks() -> dict:
    """{bank code: (bank, [(branch search key, branch)])}, built once per process."""
    global _index
    if _index is None:
        with _lock:
            if _index is None:
                import zengin_code  # noqa: F401  (fills Bank.all on import)
                from zengin_code import Bank

                _index = {code: (bank, search_key(bank.name) + "|" + search_key(full_bank_name(code, bank.name))
                                 + "|" + search_key(bank.kana) + "|" + bank.roma.lower())
                          for code, bank in Bank.all.items()}
    return _index


def _found(item) -> Found:
    return Found(item.code, item.name, item.kana)


def _bank_found(item) -> Found:
    """A bank by the name people know (北海道銀行, not the table's 「北海道」)."""
    return Found(item.code, full_bank_name(item.code, item.name), item.kana)


def bank(code: str | None) -> Found | None:
    entry = _banks().get(code or "")
    return _bank_found(entry[0]) if entry else None


def branch(bank_code: str | None, code: str | None) -> Found | None:
    entry = _banks().get(bank_code or "")
    if entry is None:
        return None
    found = entry[0].branches.get(code or "")
    return _found(found) if found is not None else None


def _matches(query: str, code: str, key: str) -> tuple[int, bool]:
    q = search_key(query)
    if q.isdigit() and q.isascii():
        return (0, code.startswith(q))
    if not q:
        return (9, False)
    if key.startswith(q) or f"|{q}" in key:
        return (1, True)
    return (2, q in key)


def search_banks(query: str, limit: int = LIMIT) -> list[Found]:
    """Banks whose code starts with the digits typed, or whose name (kanji, kana, hiragana or romaji)
    contains the text; names that start with it first."""
    hits = []
    for code, (item, key) in _banks().items():
        rank, ok = _matches(query, code, key)
        if ok:
            hits.append((rank, code, item))
    hits.sort(key=lambda h: (h[0], h[1]))
    return [_bank_found(item) for _rank, _code, item in hits[:limit]]


def search_branches(bank_code: str, query: str, limit: int = LIMIT) -> list[Found]:
    entry = _banks().get(bank_code or "")
    if entry is None:
        return []
    hits = []
    for code, item in entry[0].branches.items():
        key = search_key(item.name) + "|" + search_key(item.kana) + "|" + item.roma.lower()
        rank, ok = _matches(query, code, key)
        if ok:
            hits.append((rank, code, item))
    hits.sort(key=lambda h: (h[0], h[1]))
    return [_found(item) for _rank, _code, item in hits[:limit]]
