"""Shared fixtures: an app per test on its own migrated database, a page-checking client, users per
role and login helpers."""

from __future__ import annotations

import pyotp
import pytest

from tests.fixtures.app import PASSWORD, base_config, totp_now
from tests.fixtures.databases import PostgresDatabases, SQLiteDatabases, pg_url
from tests.fixtures.pages import PageClient


@pytest.fixture(autouse=True)
def fast_argon2(request, monkeypatch):
    """argon2id with the library defaults costs ~0.3 s per hash or check; the tests log in many
    of times, so they use argon2id with a small cost.  Tests marked ``real_argon2`` (the hashing
    policy itself) keep the production hasher."""
    if request.node.get_closest_marker("real_argon2"):
        return
    from argon2 import PasswordHasher

    from dxapp.services import passwords

    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    """Migrate a template database once per test process (this runs every Alembic migration)."""
    from flask_migrate import upgrade

    from dxapp import create_app
    from dxapp.cli import seed_terms

    url = pg_url()
    dbs = PostgresDatabases(url) if url else SQLiteDatabases(tmp_path_factory.mktemp("db"))
    app = create_app(base_config(dbs.template_url(), tmp_path_factory.mktemp("tpl")))
    with app.app_context():
        upgrade()
        seed_terms()
        from dxapp.extensions import db

        db.session.remove()
        db.engine.dispose()
    yield dbs
    if hasattr(dbs, "close"):
        dbs.close()


@pytest.fixture
def make_app(databases, tmp_path):
    """Factory: a fresh app on a fresh copy of the migrated database (config overrides allowed)."""
    made = []

    def factory(**overrides):
        from dxapp import create_app

        url = databases.new()
        app = create_app({**base_config(url, tmp_path), **overrides})
        app.test_client_class = PageClient
        made.append((app, url))
        return app

    yield factory
    from dxapp.extensions import db
    from dxapp.services import budget

    differences = []
    for app, url in made:
        with app.app_context():
            db.session.rollback()
            if app.config.get("BUDGET_VERIFY_AT_TEARDOWN", True):
                # `flask budget verify` after every test (MONEY.md §2): no test leaves the counters
                # different from what the ledger adds up to.
                differences += budget.verify()
            db.session.remove()
            db.engine.dispose()
        databases.drop(url)
    assert not differences, f"budget verify found differences: {differences}"


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def client(app) -> PageClient:
    return app.test_client()


@pytest.fixture
def program_clock(app):
    return app.extensions["dxapp_clock"]


@pytest.fixture
def users(app):
    """Factory for accounts of any role, verified and consented unless asked otherwise."""
    from dxapp import clock
    from dxapp.extensions import db
    from dxapp.services import accounts, passwords, terms

    counter = {"n": 0}

    def make(role="sme", *, email=None, verified=True, consented=True, password=PASSWORD, name=None):
        counter["n"] += 1
        email = email or f"{role}{counter['n']}@example.jp"
        if role in ("desk", "admin"):
            user = accounts.create_staff(email=email, name=name or f"職員{counter['n']}", role=role, actor=None,
                                         password=password, totp_secret=pyotp.random_base32())
        else:
            user = accounts.sign_up(role=role, name=name or f"利用者{counter['n']}", email=email,
                                    password_hash=passwords.hash_password(password),
                                    consented_version_ids=[v.id for v in terms.current_versions()] if consented else [])
            if verified:
                user.email_verified_at = clock.wall_now()
        db.session.commit()
        return user

    return make


@pytest.fixture
def login(app):
    """Log a client in through the real login form (and TOTP for staff)."""

    def do(client, user, password=PASSWORD):
        response = client.submit("/account/login", {"email": user.email, "password": password})
        if user.role in ("desk", "admin"):
            assert response.status_code == 303, response.status_code
            app.extensions["dxapp_clock"].advance_wall(31)  # a fresh TOTP step for each login
            response = client.submit("/account/login/code", {"code": totp_now(app, user)})
        assert response.status_code == 303, (response.status_code, response.get_data(as_text=True)[:2000])
        return response

    return do
