"""Security headers and cookies (SECURITY.md), and the trusted-host check."""

from __future__ import annotations

from flask import Flask, Response, request

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


def init_app(app: Flask) -> None:
    hosts = [h.strip() for h in app.config.get("SERVER_NAME_ALLOWED", "").split(",") if h.strip()]
    if hosts:
        app.config["TRUSTED_HOSTS"] = hosts
    app.after_request(_headers)
