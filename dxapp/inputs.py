"""What every request's input must be before any view, form or database sees it (issue 11 item 23).

* ``guard_request`` runs before every other request hook (after the trusted-host check, before CSRF,
  the session gates and the views): a NUL character anywhere in the path, the query string, a form
  field's name or value or an uploaded file's name, and a multipart part without ``name=``, answer the
  project's 400 page.  No keyboard types NUL and no browser sends a nameless part, so the request is
  refused as a whole instead of being cleaned at a hundred places (PostgreSQL refuses NUL in text, and
  a NUL kept in a draft would fail only later, at submission).
* ``form_int`` is the one parser for integers that come back from the page (hidden version fields):
  ASCII digits only, within the 32-bit range every database stores, else ``None``.
* URL converters (``ROUTE_CONVERTERS``): ``<int:...>`` ids within the database's range (a larger
  number is a page that does not exist, 404, not a query the database refuses), ``<token:...>`` random
  URL-safe ids (``secrets.token_urlsafe``).  tests/conventions/test_routes.py keeps every id typed.
* ``same_token`` compares one-time tokens typed or posted back by the client without the ``TypeError``
  ``hmac.compare_digest`` raises for non-ASCII text.
"""

from __future__ import annotations

import hmac

from flask import abort, request
from werkzeug.routing import BaseConverter, IntegerConverter

NUL = "\x00"
INT_MAX = 2**31 - 1  # PostgreSQL ``integer``; SQLite's 64-bit range includes it


def _has_nul(values) -> bool:
    return any(value is not None and NUL in value for value in values)


def guard_request():
    if NUL in request.path or _has_nul(request.args.keys()) or _has_nul(request.args.values()):
        abort(400)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    form, files = request.form, request.files
    if None in form or None in files:
        abort(400)  # a multipart part without ``name=`` (werkzeug keeps it under None)
    if _has_nul(form.keys()) or _has_nul(form.values()) or _has_nul(files.keys()):
        abort(400)
    if _has_nul(f.filename for f in files.values()):
        abort(400)
    return None


def form_int(value: str | None, *, minimum: int = 0, maximum: int = INT_MAX) -> int | None:
    """An integer posted back by a page (a version number), or None when it is not one the database
    could hold: ``int()`` alone takes ``"１２"``, ``"1_000"``, ``" 3 "`` and numbers of any size."""
    if value is None or not value.isascii() or not value.isdigit() or len(value) > len(str(maximum)):
        return None
    number = int(value)
    return number if minimum <= number <= maximum else None


def posted_version(name: str = "version") -> int:
    """The version number a form posted back (hidden field), or the 400 page."""
    version = form_int(request.form.get(name), maximum=INT_MAX - 1)  # the UPDATE writes version + 1
    if version is None:
        abort(400)
    return version


def same_token(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison of two tokens, whatever characters the client sent."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))


class IdConverter(IntegerConverter):
    """``<int:...>``: a positive id the database can hold (1 .. INT_MAX); anything else does not match."""

    def __init__(self, map, fixed_digits=0, min=1, max=INT_MAX, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class TokenConverter(BaseConverter):
    """``<token:...>``: a random URL-safe id (``secrets.token_urlsafe``), 16 to 64 characters."""

    regex = r"[A-Za-z0-9_-]{16,64}"


#: The converters of the app's routes (registered before the blueprints, dxapp.create_app).
ROUTE_CONVERTERS = {"int": IdConverter, "token": TokenConverter}


def init_app(app) -> None:
    # Right after the trusted-host check (dxapp.security), before CSRF and every other hook.
    funcs = app.before_request_funcs.setdefault(None, [])
    funcs.insert(1 if funcs else 0, guard_request)
