"""Nothing typed is ever lost (UX.md rule 11).

When a POST cannot be processed because the session timed out or the CSRF token expired, the values
typed (never passwords or tokens) are kept in the signed session cookie under the page's path; the
next GET of that page shows them again in the form.  The values are capped so the cookie stays small.
"""

from __future__ import annotations

from flask import request, session
from flask_login import current_user
from werkzeug.datastructures import MultiDict

_KEY = "kept_form"
_MAX_CHARS = 2500
_NEVER = ("csrf_token", "submit_token", "draft_version", "action")
# Never kept in the (signed, not encrypted) session cookie.
_SENSITIVE = ("password", "account_number", "my_number", "bank", "totp", "code")


def is_secret(name: str) -> bool:
    """A field never kept nor shown again (passwords, tokens, bank and identity numbers, codes)."""
    return name in _NEVER or name.endswith("token") or any(word in name for word in _SENSITIVE)


def _current_id() -> int | None:
    return current_user.id if current_user and current_user.is_authenticated else None


def keep_posted_values(path: str | None = None, *, owner: int | None = None) -> bool:
    """Keep what was typed for ``path``, for the person who typed it (``owner``: the account whose session
    just ended; default: the current user, None when nobody is logged in)."""
    items = [(k, v) for k, v in request.form.items(multi=True) if not is_secret(k)]
    if not items or sum(len(k) + len(v) for k, v in items) > _MAX_CHARS:
        return False
    session[_KEY] = {"path": path or request.path, "items": items,
                     "owner": owner if owner is not None else _current_id()}
    return True


def for_login(user_id: int) -> dict | None:
    """What is kept, to carry through the login of ``user_id``: only their own values.  Another person
    logging in on the same browser never sees what the previous one typed (issue 11 item 25)."""
    kept = session.get(_KEY)
    return kept if kept and kept.get("owner") == user_id else None


def take(path: str | None = None) -> MultiDict | None:
    """The values kept for this page (once) and for the person now using it, or None."""
    kept = session.get(_KEY)
    if not kept or kept.get("path") != (path or request.path):
        return None
    session.pop(_KEY, None)
    if kept.get("owner") != _current_id():
        return None
    return MultiDict([tuple(pair) for pair in kept["items"]])
