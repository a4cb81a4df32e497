"""Fixtures shared by the blueprint tests: secretariat staff logged in, and an SME application sent
(built by tests/fixtures/factories.py, not by walking the SME wizard)."""

from __future__ import annotations

import pytest

from tests.fixtures import factories


@pytest.fixture
def signed_in(app, users, login):
    """Factory: an account of ``role`` (``users`` options allowed) logged in on a client of its own:
    (user, client)."""

    def make(role: str, **options):
        user = users(role, **options)
        client = app.test_client()
        login(client, user)
        return user, client

    return make


@pytest.fixture
def desk(signed_in):
    """A desk clerk logged in: (user, client)."""
    return signed_in("desk", name="窓口 一子")


@pytest.fixture
def clerk(signed_in):
    """Another desk clerk logged in (no name given): (user, client)."""
    return signed_in("desk")


@pytest.fixture
def admin(signed_in):
    """A secretariat administrator logged in: (user, client)."""
    return signed_in("admin", name="管理 太郎")


@pytest.fixture
def submitted_sme(app, users, login):
    """An SME that uploaded its certificate and sent its application, logged in: (user, client, application)."""
    user, application = factories.submitted_sme(users)
    client = app.test_client()
    login(client, user)
    return user, client, application
