"""services/self_matches.py: the SME names an expert by registration number; nothing is revealed before
the expert confirms; a confirmation forms one match without a case."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dxapp.extensions import db
from dxapp.models import Match, OutboxMessage, SelfMatch
from dxapp.services import self_matches, workflow
from tests.fixtures import factories


@pytest.fixture
def pair(users):
    sme, _ = factories.approved_sme(users)
    expert, _ = factories.approved_expert(users)
    return sme, expert


def test_request_confirm_forms_a_match_without_a_case(pair):
    sme, expert = pair
    number = self_matches.registration_number(expert)
    assert number and number.startswith("E")
    typed = "ｅ" + number[1:5] + "－" + number[5:]  # full width, lower case, a dash: still found
    request = self_matches.request(sme, typed, "よろしくお願いします")
    db.session.commit()
    assert request is not None and request.status == "requested"
    assert db.session.scalar(select(OutboxMessage.recipient).where(OutboxMessage.kind == "self-match-requested")) \
        == expert.email
    again = self_matches.request(sme, number, None)  # a second request while one waits: the same one
    assert again.id == request.id
    match = self_matches.confirm(request, version=request.version, actor=expert)
    db.session.commit()
    assert request.status == "confirmed" and match.case_id is None and match.self_match_id == request.id
    assert match.origin == "self_match" and match.sme_user_id == sme.id
    with pytest.raises(workflow.Stale):  # a second confirmation (a double click, another tab)
        self_matches.confirm(request, version=1, actor=expert)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Match)) == 1
    # Matched already: a new request names nobody (the same answer as an unknown number).
    assert self_matches.request(sme, number, None) is None


def test_unknown_and_not_approved_numbers_send_nothing(users, pair):
    sme, _expert = pair
    pending, application = factories.submitted_expert(users, user=users("expert"))
    for number in ("E99999999", "nonsense", "", application.reference):
        assert self_matches.request(sme, number, None) is None
    assert db.session.scalar(select(func.count()).select_from(SelfMatch)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.kind == "self-match-requested")) == 0


def test_an_sme_not_approved_is_refused(users, pair):
    _sme, expert = pair
    sme, _ = factories.submitted_sme(users)
    with pytest.raises(self_matches.SelfMatchRefused) as refused:
        self_matches.request(sme, self_matches.registration_number(expert), None)
    assert refused.value.code == "not_approved"


def test_cancel_then_confirm_is_stale_and_decline(pair):
    sme, expert = pair
    request = factories.self_match_requested(sme, expert)
    self_matches.cancel(request, version=request.version, actor=sme)
    db.session.commit()
    with pytest.raises(workflow.Stale):
        self_matches.confirm(request, version=request.version, actor=expert)
    db.session.rollback()
    second = factories.self_match_requested(sme, expert)
    self_matches.decline(second, version=second.version, actor=expert)
    db.session.commit()
    assert second.status == "declined"
    assert db.session.scalar(select(func.count()).select_from(Match)) == 0


def test_scopes(users, pair):
    sme, expert = pair
    request = factories.self_match_requested(sme, expert)
    other_sme, _ = factories.approved_sme(users, user=users("sme"))
    other_expert = users("expert")
    assert self_matches.owned_by_sme(sme, request.id) == request
    assert self_matches.owned_by_sme(other_sme, request.id) is None
    assert self_matches.owned_by_expert(expert, request.id) == request
    assert self_matches.owned_by_expert(other_expert, request.id) is None
    assert self_matches.owned_by_expert(expert, "x") is None
