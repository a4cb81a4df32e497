"""Hostile versions on the plan forms (found by the form fuzzer): the largest 32-bit version is a stale
page (409), never a 500."""

from __future__ import annotations

import pytest

from dxapp.extensions import db
from dxapp.services import plans
from tests.fixtures import factories


@pytest.fixture
def world(users):
    sme, _ = factories.approved_sme(users)
    expert, _ = factories.approved_expert(users)
    match = factories.matched(factories.published_case(sme), expert)
    return sme, expert, match


@pytest.mark.parametrize("version", ["2147483647", "2147483648", "99999999999999999999", "-1", "x"])
def test_a_huge_or_foreign_version_is_a_stale_page(world, app, login, version):
    sme, expert, match = world
    draft = plans.start(match, factories.plan_fields(), actor=expert)
    waiting = plans.start(factories.matched(factories.published_case(sme), expert), factories.plan_fields(),
                          actor=expert)
    plans.send_to_sme(waiting, version=waiting.version, actor=expert)
    db.session.commit()
    expert_client, sme_client = app.test_client(), app.test_client()
    login(expert_client, expert)
    login(sme_client, sme)
    sent = expert_client.submit(f"/expert/plans/{draft.id}/send", {"version": version}, page=f"/expert/plans/{draft.id}")
    assert sent.status_code == 409
    returned = sme_client.submit(f"/sme/plans/{waiting.id}/return", {"version": version, "comment": "<script>x</script>"},
                                 page=f"/sme/plans/{waiting.id}")
    assert returned.status_code == 409
