"""Helpers shared by the security tests (SECURITY.md, "Tests that make it trustworthy")."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

ROLES = ("sme", "expert", "supporter_admin", "desk", "admin")
SIGNUP = "/account/sign-up"

# Dummy values for URL parameters, so that every rule can be turned into a URL.
DUMMY_VALUES = {"slug": "role", "token": "x", "reference": "x", "filename": "css/app.css"}


@pytest.fixture(autouse=True)
def fast_argon2(request, monkeypatch):
    """argon2id with the library defaults costs ~0.3 s per hash or check; these tests log in dozens
    of times, so they use argon2id with a small cost.  Tests marked ``real_argon2`` (the hashing
    policy itself) keep the production hasher."""
    if request.node.get_closest_marker("real_argon2"):
        return
    from argon2 import PasswordHasher

    from dxapp.services import passwords

    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture(scope="session")
def bare_app(tmp_path_factory):
    """An app without a database, for tests that only read its url_map, views and config."""
    from dxapp import create_app
    from tests.conftest import base_config

    return create_app(base_config("sqlite://", tmp_path_factory.mktemp("bare")))


def pytest_configure(config):
    config.addinivalue_line("markers", "real_argon2: use the production argon2 parameters")


def row_counts() -> dict[str, int]:
    """Rows in every table of the schema; the test's own transaction is closed afterwards so that it
    never holds a lock or a stale snapshot while requests run."""
    from dxapp.extensions import db

    counts = {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}
    db.session.rollback()
    return counts


def snapshot() -> dict[str, list[str]]:
    """Every row of every table (as text, sorted): a GET must leave it exactly as it was."""
    from dxapp.extensions import db

    state = {}
    for table in db.metadata.sorted_tables:
        state[table.name] = sorted(repr(tuple(row)) for row in db.session.execute(select(table)))
    db.session.rollback()
    return state


def _dummy(rule, arg: str):
    converter = rule._converters.get(arg)
    kind = type(converter).__name__
    if kind == "AnyConverter":  # only some values build (e.g. the slugs of the documents steps)
        return sorted(converter.items)[0]
    if kind in ("IntegerConverter", "FloatConverter"):
        return 1
    if kind == "UUIDConverter":
        return "00000000-0000-0000-0000-000000000000"
    return DUMMY_VALUES.get(arg, "x")


def url_for_rule(app, rule) -> str:
    """A URL for a url_map rule, with dummy values for its parameters (by name, else by converter)."""
    # An argument the rule fixes by a default (a documents route mounted at one step's slug) is not given.
    values = {arg: _dummy(rule, arg) for arg in rule.arguments if arg not in (rule.defaults or {})}
    with app.test_request_context("/"):
        from flask import url_for

        return url_for(rule.endpoint, **values)


def rules(app, method: str, *, parameterless: bool | None = None):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static" or method not in rule.methods:
            continue
        if parameterless is True and rule.arguments:
            continue
        yield rule


def location_path(response) -> str:
    return urlsplit(response.headers.get("Location", "")).path


@pytest.fixture
def role_clients(app, users, login):
    """One logged-in client per role (staff through the TOTP step): {role: (user, client)}."""
    made = {}
    for role in ROLES:
        user = users(role)
        client = app.test_client()
        login(client, user)
        made[role] = (user, client)
    return made


def sign_up(client, *, password: str, role="sme", name="山田 花子", email="hanako@example.jp"):
    """Sign up through the wizard pages, as a browser would; returns the confirmation page URL."""
    steps = [("role", {"role": role}), ("account", {"name": name, "email": email}),
             ("password", {"password": password, "password_confirm": password}),
             ("consent", {"agree_terms": "y", "agree_privacy": "y"})]
    for slug, data in steps:
        response = client.submit(f"{SIGNUP}/{slug}", data)
        assert response.status_code in (302, 303), (slug, response.status_code)
    response = client.submit(f"{SIGNUP}/submit", page=f"{SIGNUP}/check-answers")
    assert response.status_code == 303 and "/sent/" in response.headers["Location"]
    return response.headers["Location"]


def mail_link(recipient: str, kind: str) -> str:
    """The site-relative link in the latest e-mail of this kind to this address (from the outbox)."""
    from dxapp.extensions import db
    from dxapp.models import OutboxMessage

    body = db.session.scalars(
        select(OutboxMessage.body).where(OutboxMessage.recipient == recipient, OutboxMessage.kind == kind)
        .order_by(OutboxMessage.id.desc())
    ).first()
    db.session.rollback()
    assert body, (recipient, kind)
    return re.search(r"http://localhost(/\S+)", body).group(1)
