"""Helpers shared by the security tests (SECURITY.md, "Tests that make it trustworthy")."""

from __future__ import annotations

import pytest

from tests.fixtures.security import ROLES


@pytest.fixture(scope="session")
def bare_app(tmp_path_factory):
    """An app without a database, for tests that only read its url_map, views and config."""
    from dxapp import create_app
    from tests.fixtures.app import base_config

    return create_app(base_config("sqlite://", tmp_path_factory.mktemp("bare")))


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
