"""Fixtures shared by the blueprint tests: secretariat staff logged in, and an SME application sent
(built by tests/fixtures/factories.py, not by walking the SME wizard)."""

from __future__ import annotations

import pytest

from tests.fixtures import factories


@pytest.fixture
def desk(app, users, login):
    """A desk clerk logged in: (user, client)."""
    user = users("desk", name="窓口 一子")
    client = app.test_client()
    login(client, user)
    return user, client


@pytest.fixture
def admin(app, users, login):
    """A secretariat administrator logged in: (user, client)."""
    user = users("admin", name="管理 太郎")
    client = app.test_client()
    login(client, user)
    return user, client


@pytest.fixture
def submitted_sme(app, users, login):
    """An SME that uploaded its certificate and sent its application, logged in: (user, client, application)."""
    user, application = factories.submitted_sme(users)
    client = app.test_client()
    login(client, user)
    return user, client, application
