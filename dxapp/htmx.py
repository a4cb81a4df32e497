"""The one place in dxapp that reads HX-* request headers (htmx 4).

Views call ``is_htmx()`` or ``page_or_partial()``; responses that may differ by ``HX-Request`` carry
``Vary: HX-Request`` (set for every response by ``init_app``) so caches never serve a fragment as a page.
"""

from __future__ import annotations

from flask import Flask, Response, render_template, request


def is_htmx() -> bool:
    """True for requests issued by htmx (``HX-Request: true``), except history restores."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def is_partial() -> bool:
    """htmx 4 sends ``HX-Request-Type: partial`` for targeted swaps and ``full`` for body swaps."""
    return is_htmx() and request.headers.get("HX-Request-Type", "partial") == "partial"


def is_boosted() -> bool:
    return is_htmx() and request.headers.get("HX-Boosted") == "true"


def target() -> str | None:
    return request.headers.get("HX-Target") if is_htmx() else None


def page_or_partial(page: str, partial: str, **context) -> str:
    """Render the fragment for a targeted htmx request, else the full page that includes it."""
    return render_template(partial if is_partial() else page, **context)


def push_url(response: Response, url: str) -> Response:
    response.headers["HX-Push-Url"] = url
    return response


def replace_url(response: Response, url: str) -> Response:
    """The address bar shows ``url`` without a new history entry (e.g. a form's error page answered to a
    POST-only URL stays on the page the form is on)."""
    response.headers["HX-Replace-Url"] = url
    return response


def retarget_main(response: Response) -> Response:
    """A whole page answered to a targeted request (an error or a refusal where a fragment was expected):
    htmx swaps the page's ``<main>`` for the answer's (and takes its title), the address unchanged."""
    response.headers["HX-Retarget"] = "main"
    response.headers["HX-Reswap"] = "outerHTML"
    response.headers["HX-Reselect"] = "main"
    return response


def _vary(response: Response) -> Response:
    response.vary.add("HX-Request")
    return response


def init_app(app: Flask) -> None:
    app.after_request(_vary)
