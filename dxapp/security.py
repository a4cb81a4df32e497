"""Security headers and cookies (SECURITY.md), and the trusted-host check."""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.exceptions import SecurityError

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)


def _headers(response: Response) -> Response:
    h = response.headers
    h.setdefault("Content-Security-Policy", CSP)
    h["X-Content-Type-Options"] = "nosniff"
    h["Referrer-Policy"] = "same-origin"
    h["X-Frame-Options"] = "DENY"
    h["Cross-Origin-Opener-Policy"] = "same-origin"
    h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.is_secure:
        h["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    if request.endpoint == "static":
        if request.args.get("v"):
            h["Cache-Control"] = "public, max-age=31536000, immutable"
    elif "Cache-Control" not in h or h.get("Cache-Control") == "":
        # Pages may show personal data: never keep them in shared or browser caches.
        h["Cache-Control"] = "no-store"
    return response


def local_path(target: str | None) -> str | None:
    r"""``target`` when it is a path on this site (for ``next`` redirects), else None.  Browsers drop
    tabs and newlines from URLs and read a backslash as a slash, so ``/\t/evil.example`` and
    ``/\evil.example`` would leave the site; a newline would also break the Location header."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) <= 0x20 or ord(ch) == 0x7F for ch in target):
        return None
    return target


def _reject_untrusted_host():
    """A Host outside TRUSTED_HOSTS leaves the request without a URL adapter, so no page (nor the
    CSRF, login or error pages, which build URLs) can be rendered for it: answer a plain 400 first."""
    if isinstance(request.routing_exception, SecurityError):
        return Response("400 Bad Request: unknown host\n", 400, mimetype="text/plain")
    return None


def init_app(app: Flask) -> None:
    hosts = [h.strip() for h in app.config.get("SERVER_NAME_ALLOWED", "").split(",") if h.strip()]
    if hosts:
        app.config["TRUSTED_HOSTS"] = hosts
    # Before every other before_request function (CSRF, rate limits, session gates).
    app.before_request_funcs.setdefault(None, []).insert(0, _reject_untrusted_host)
    app.after_request(_headers)
