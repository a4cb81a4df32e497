"""Error pages in Japanese (and English), never a traceback."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from dxapp.extensions import db

PAGES = {400, 403, 404, 405, 409, 413, 422, 429, 500}


def _render(code: int, error=None):
    template = f"errors/{code}.html" if code in PAGES else "errors/generic.html"
    return render_template(template, code=code, error=error, has_errors=False), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        # Keep what was typed: the page offers the values back in a fresh form (UX.md rule 11).
        kept = {k: v for k, v in request.form.items() if k not in ("csrf_token", "submit_token")
                and "password" not in k}
        return render_template("errors/csrf.html", kept=kept, has_errors=False), 400

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
        except Exception:  # noqa: BLE001,S110  the page must render even if the database is gone
            pass
        return _render(500, InternalServerError())
