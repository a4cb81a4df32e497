"""Helpers shared by the security tests (SECURITY.md, "Tests that make it trustworthy")."""

from __future__ import annotations

import pytest

from tests.fixtures.security import ROLES


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
    from tests.fixtures.app import base_config

    return create_app(base_config("sqlite://", tmp_path_factory.mktemp("bare")))


def pytest_configure(config):
    config.addinivalue_line("markers", "real_argon2: use the production argon2 parameters")


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
