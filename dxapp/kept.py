"""Nothing typed is ever lost (UX.md rule 11).

When a POST cannot be processed because the session timed out or the CSRF token expired, the values
typed (never passwords or tokens) are kept in the signed session cookie under the page's path; the
next GET of that page shows them again in the form.  The values are capped so the cookie stays small.
"""

from __future__ import annotations

from flask import request, session
from werkzeug.datastructures import MultiDict

_KEY = "kept_form"
_MAX_CHARS = 2500
_NEVER = ("csrf_token", "submit_token", "draft_version", "action")
# Never kept in the (signed, not encrypted) session cookie.
_SENSITIVE = ("password", "account_number", "my_number", "bank", "totp", "code")


def _secret(name: str) -> bool:
    return name in _NEVER or name.endswith("token") or any(word in name for word in _SENSITIVE)


def keep_posted_values(path: str | None = None) -> bool:
    items = [(k, v) for k, v in request.form.items(multi=True) if not _secret(k)]
    if not items or sum(len(k) + len(v) for k, v in items) > _MAX_CHARS:
        return False
    session[_KEY] = {"path": path or request.path, "items": items}
    return True


def take(path: str | None = None) -> MultiDict | None:
    """The values kept for this page (once), or None."""
    kept = session.get(_KEY)
    if not kept or kept.get("path") != (path or request.path):
        return None
    session.pop(_KEY, None)
    return MultiDict([tuple(pair) for pair in kept["items"]])
