"""services/matches.py: one match per (SME, expert, case); the case moves to matched, the thread is tied
to the match, the review signals between the two sides are recorded (the match still forms)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dxapp.extensions import db
from dxapp.models import AuditEvent, Match, MatchSignal, MessageThread
from dxapp.services import matches, messages
from tests.fixtures import factories


@pytest.fixture
def sides(users):
    sme, _ = factories.approved_sme(users)
    expert, _ = factories.approved_expert(users)
    return sme, expert


def test_a_match_moves_the_case_and_ties_the_thread(sides):
    sme, expert = sides
    case = factories.published_case(sme)
    thread = messages.thread_for_case(case, expert.id)
    db.session.commit()
    match = factories.matched(case, expert)
    assert case.status == "matched"
    assert match.sme_user_id == sme.id and match.organisation_id == sme.organisation_id
    assert db.session.get(MessageThread, thread.id).match_id == match.id
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_type == "match")) == "match.formed"


def test_a_second_match_on_the_same_case_and_expert_is_refused_and_writes_nothing(sides):
    sme, expert = sides
    case = factories.published_case(sme)
    first = factories.matched(case, expert)
    with pytest.raises(matches.AlreadyMatched) as refused:
        matches.form(matches.sides_of_case(case, expert.id), origin="proposal", actor=expert, case=case)
    db.session.rollback()
    assert refused.value.match.id == first.id
    assert db.session.scalar(select(func.count()).select_from(Match)) == 1


def test_a_self_match_without_a_case_gets_its_own_thread(sides):
    sme, expert = sides
    match = matches.form(matches.Sides(sme.organisation_id, sme.id, expert.id), origin="self_match", actor=expert)
    db.session.commit()
    thread = db.session.scalar(select(MessageThread).where(MessageThread.match_id == match.id))
    assert thread is not None and thread.case_id is None
    with pytest.raises(matches.AlreadyMatched):
        matches.form(matches.Sides(sme.organisation_id, sme.id, expert.id), origin="self_match", actor=expert)


def test_no_signal_between_unrelated_sides(users):
    sme, _ = factories.approved_sme(users)
    expert, expert_application = factories.approved_expert(users)
    expert_application.address_key = "大阪府大阪市北区梅田1-1"  # the fixtures share one address
    db.session.commit()
    match = factories.matched(factories.published_case(sme), expert)
    assert match.signals == []


def test_the_same_phone_on_both_sides_is_a_signal_but_the_match_forms(users):

    sme, sme_application = factories.approved_sme(users)
    expert, expert_application = factories.approved_expert(users)
    expert_application.phone_digits = sme_application.phone_digits = "0312345678"
    expert_application.address_key = sme_application.address_key
    db.session.commit()
    match = factories.matched(factories.published_case(sme), expert)
    codes = {s.code for s in db.session.scalars(select(MatchSignal).where(MatchSignal.match_id == match.id))}
    assert {"shared_phone", "shared_address"} <= codes
    assert [s.match_id for s in matches.open_signals()] == [match.id] * len(codes)
