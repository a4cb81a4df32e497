"""A request context for work done outside a request: the CLI, the outbox worker and services called
from them, which render e-mails and build links.

It is made on the public base URL (``EXTERNAL_BASE_URL``), whose host is one of ``ALLOWED_HOSTS`` in
production: a bare ``test_request_context("/")`` has the host ``localhost``, which the trusted-host check
refuses, so ``url_for`` had no URL adapter and ``flask create-admin`` crashed."""

from __future__ import annotations

from flask import current_app, has_request_context, url_for


def request_context():
    return current_app.test_request_context("/", base_url=current_app.config["EXTERNAL_BASE_URL"])


def external_url(endpoint: str, **values) -> str:
    """The absolute link (on ``EXTERNAL_BASE_URL``) to ``endpoint``, for an e-mail: inside a request or
    outside one (CLI, worker), so services build links without looking at the request."""
    base = current_app.config["EXTERNAL_BASE_URL"].rstrip("/")
    if has_request_context():
        return base + url_for(endpoint, **values)
    with request_context():  # CLI and workers: no request of their own
        return base + url_for(endpoint, **values)
