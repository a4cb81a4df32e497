"""Error pages in Japanese (and English), never a traceback."""

from __future__ import annotations

from flask import Flask, flash, redirect, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from dxapp import kept
from dxapp.extensions import db


def _page_exists(app: Flask, path: str) -> bool:
    """True when the path is also a page (it answers GET), so the form can be shown again."""
    try:
        app.url_map.bind("localhost").match(path, method="GET")
    except Exception:  # noqa: BLE001  NotFound, MethodNotAllowed, RequestRedirect
        return False
    return True

PAGES = {400, 403, 404, 405, 409, 413, 422, 429, 500}


def _render(code: int, error=None):
    template = f"errors/{code}.html" if code in PAGES else "errors/generic.html"
    return render_template(template, code=code, error=error, has_errors=False), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        """An expired or missing CSRF token: keep what was typed and show the same page again with
        the values filled in and a fresh token (UX.md rule 11).  Where the page cannot be shown
        again by GET, explain and list the values."""
        # Only an expired token (a form left open for hours) is refilled; a missing or foreign token
        # (a forged cross-site POST) gets the plain 400 page, so nobody can pre-fill a victim's form.
        expired = "expired" in (error.description or "")
        if expired and request.method == "POST" and _page_exists(app, request.path) and kept.keep_posted_values():
            flash(gettext("For your security the page had expired. We have kept what you typed: check it "
                          "and send it again."), "info")
            return redirect(request.path, 303)
        values = {k: v for k, v in request.form.items() if not kept._secret(k)}
        return render_template("errors/csrf.html", kept=values, has_errors=False), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return _render(error.code, error)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("unhandled error")
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001  the page must render even if the database is gone
            app.logger.warning("rollback after an unhandled error failed")
        return _render(500, InternalServerError())
