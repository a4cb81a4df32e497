"""Error pages in Japanese (and English), never a traceback."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from dxapp import kept, transaction
from dxapp.extensions import db
from dxapp.services.workflow import Stale


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
    return render_template(template, code=code, error=error), code


def _back_url() -> str:
    """Where the object can be seen as it is now: the page the form was on (a local referrer), else
    this path when it is also a page, else the home page."""
    from dxapp.security import local_path

    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host:
        path = local_path(referrer.path + (f"?{referrer.query}" if referrer.query else ""))
        if path:
            return path
    if _page_exists(current_app, request.path):
        return request.path
    return url_for("public.index")


def _status_label(obj) -> str | None:
    from dxapp.labels import PLAN_LABELS, STATUS_LABELS

    status = getattr(obj, "status", None)
    labels = {"application": STATUS_LABELS, "support_plan": PLAN_LABELS}.get(getattr(obj, "__tablename__", None))
    return str(labels[status]) if obj is not None and labels is not None and status in labels else None


def _holder(obj):
    """Who holds a reviewable object under review (the review's ``holder_id`` column)."""
    from dxapp.models import User

    holder_id = getattr(obj, "holder_id", None)
    if holder_id is None or getattr(obj, "status", None) != "under_review":
        return None
    return db.session.get(User, holder_id)


def conflict(stale: Stale, *, typed: dict | None = None, back_url: str | None = None, back_label: str | None = None,
             render=None):
    """The one answer to :class:`~dxapp.services.workflow.Stale` (409): the transaction is rolled back
    (nothing of the refused action stays), then the page says what happened and what to do, with what
    the user typed shown again and a link to the object as it is now (``errors/409.html``).  An area
    whose page shows more (the wizard's, both versions side by side; the inquiry's, the latest thread
    with the reply kept in its form) passes ``render``: called after the rollback, so it reads the
    object as it is now."""
    transaction.rollback()
    stale.keep(typed, back_url=back_url)
    if render is not None:
        result = render()
        return (result[0] if isinstance(result, tuple) else result), 409
    current = stale.current()
    return render_template("errors/409.html", code=409, stale=stale, current=current,
                           reference=getattr(current, "reference", None) or stale.reference,
                           status_label=_status_label(current), holder=_holder(current), typed=stale.typed,
                           back_url=stale.back_url or _back_url(), back_label=back_label), 409


def init_app(app: Flask) -> None:
    @app.errorhandler(Stale)
    def stale_error(stale: Stale):
        """A Stale that no view handled: the generic 409 page."""
        return conflict(stale)

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
        transaction.rollback()
        values = {k: v for k, v in request.form.items() if not kept.is_secret(k)}
        return render_template("errors/csrf.html", kept=values), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        transaction.rollback()  # an aborted request leaves nothing behind (dxapp/transaction.py)
        return _render(error.code, error)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("unhandled error")
        try:
            transaction.rollback()
        except Exception:  # noqa: BLE001  the page must render even if the database is gone
            app.logger.warning("rollback after an unhandled error failed")
        return _render(500, InternalServerError())
