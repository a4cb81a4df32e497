"""The experts' case search (issue 12, "Experts find cases"): how free text is made comparable, and the
one canonical spelling of a search's query string (what a saved search stores and the URL shows).

Pure: no Flask, no SQLAlchemy, no clock.

Free text is matched on a *search key* computed the same way for the stored text and for what the
expert types: NFKC (full-width letters and digits become half-width, half-width kana full-width),
hiragana to katakana (so 「ねっとしょっぷ」 finds 「ネットショップ」), lower case, every run of
whitespace one space.  Kanji and their readings cannot be matched without a dictionary (「在庫」 does
not find 「ざいこ」); that is the limit of "furigana-insensitive where it can be".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from urllib.parse import urlencode

import jaconv

__all__ = ["FIELDS", "MAX_TERMS", "SORTS", "canonical_query", "search_key", "terms"]

#: The query-string keys of a search, in the order of the canonical spelling.
FIELDS = ("q", "area", "prefecture", "mode", "kind", "closed", "sort")
SORTS = ("deadline", "newest")
MAX_TERMS = 5
MAX_QUERY_CHARS = 100
_DASHES = re.compile(r"(?<=[ァ-ヺ])[-\u2010-\u2015\u2212\uff0d\uff70]")


def search_key(text: str | None) -> str:
    """The comparable form of a text (see the module's docstring); '' for nothing."""
    if not text:
        return ""
    value = jaconv.hira2kata(unicodedata.normalize("NFKC", str(text)))
    value = _DASHES.sub("ー", value)  # a dash typed after kana is the long vowel mark
    return " ".join(value.casefold().split())


def terms(text: str | None) -> tuple[str, ...]:
    """The words of a free-text query (every one must match), as search keys; at most MAX_TERMS,
    duplicates dropped, from the first MAX_QUERY_CHARS characters."""
    words = search_key((text or "")[:MAX_QUERY_CHARS]).split(" ")
    return tuple(dict.fromkeys(w for w in words if w))[:MAX_TERMS]


def canonical_query(values: Mapping[str, str | None]) -> str:
    """The query string of a search in one spelling: only the known keys, in FIELDS order, empty values and
    the page dropped, the free text trimmed with its whitespace collapsed, the default sort left out.  Two
    searches that find the same cases spell the same."""
    out = []
    for key in FIELDS:
        value = values.get(key)
        value = " ".join(str(value).split()) if value is not None else ""
        if key == "sort" and value == SORTS[0]:
            continue
        if value:
            out.append((key, value))
    return urlencode(out)
