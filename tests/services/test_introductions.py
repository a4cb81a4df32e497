"""services/introductions.py: the secretariat introduces approved experts to 支援希望 cases; the expert
accepts or declines with a reason; the SME chooses an accepted introduction, which forms the match."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dxapp.extensions import db
from dxapp.models import AuditEvent, Introduction, Match, MessageThread, OutboxMessage
from dxapp.services import cases, introductions, matches, workflow
from tests.fixtures import factories


@pytest.fixture
def world(users):
    sme, _ = factories.approved_sme(users)
    expert, _ = factories.approved_expert(users)
    clerk = users("desk")
    case = factories.published_case(sme, kind="support_wanted")
    return sme, expert, clerk, case


def mails(kind):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)).all()


def test_introduce_accept_choose_forms_one_match(world):
    sme, expert, clerk, case = world
    introduction = factories.introduced(case, expert, clerk)
    assert introduction.status == "introduced"
    assert [m.recipient for m in mails("introduction-new")] == [expert.email]
    assert db.session.scalar(select(MessageThread).where(MessageThread.case_id == case.id)) is not None
    assert [c.id for c, waiting in introductions.queue()] == [case.id]
    introductions.accept(introduction, version=introduction.version, actor=expert)
    db.session.commit()
    assert introduction.status == "accepted" and introduction.decided_at is not None
    assert [m.recipient for m in mails("introduction-accepted")] == [sme.email]
    assert introductions.queue() == []  # an accepted introduction takes the case off the clerk's queue
    assert introductions.accepted_for_case(case) == [introduction]
    match = introductions.choose(introduction, actor=sme)
    db.session.commit()
    assert match.origin == "introduction" and match.introduction_id == introduction.id
    assert case.status == "matched"
    with pytest.raises(introductions.IntroductionRefused) as refused:
        introductions.choose(introduction, actor=sme)
    assert refused.value.code == "case_matched"
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "introduction")))
    assert {"introduction.created", "introduction.accepted"} <= actions


def test_decline_needs_a_reason_and_is_final(world):
    _sme, expert, clerk, case = world
    introduction = factories.introduced(case, expert, clerk)
    with pytest.raises(introductions.IntroductionRefused) as refused:
        introductions.decline(introduction, version=introduction.version, actor=expert, reason="  ")
    assert refused.value.code == "reason_missing"
    introductions.decline(introduction, version=introduction.version, actor=expert, reason="繁忙期のため")
    db.session.commit()
    assert introduction.status == "declined" and introduction.decline_reason == "繁忙期のため"
    with pytest.raises(workflow.Stale):
        introductions.accept(introduction, version=introduction.version, actor=expert)
    db.session.rollback()
    with pytest.raises(introductions.IntroductionRefused) as refused:
        introductions.choose(introduction, actor=_sme)
    assert refused.value.code == "not_accepted"
    # After a decline the same expert may be introduced again.
    again = factories.introduced(case, expert, clerk)
    assert again.id != introduction.id


def test_refusals(users, world):
    sme, expert, clerk, case = world
    other_kind = factories.published_case(sme, kind="proposals_wanted")
    with pytest.raises(introductions.IntroductionRefused) as refused:
        introductions.introduce(other_kind, expert, note=None, actor=clerk)
    assert refused.value.code == "wrong_kind"
    pending, _ = factories.submitted_expert(users, user=users("expert"))
    with pytest.raises(introductions.IntroductionRefused) as refused:
        introductions.introduce(case, pending, note=None, actor=clerk)
    assert refused.value.code == "expert_not_approved"
    factories.introduced(case, expert, clerk)
    with pytest.raises(introductions.IntroductionRefused) as refused:
        introductions.introduce(case, expert, note=None, actor=users("desk"))
    assert refused.value.code == "already_introduced"
    db.session.rollback()
    cases.withdraw(case, version=case.version, actor=sme)
    db.session.commit()
    second, _ = factories.approved_expert(users, user=users("expert"))
    with pytest.raises(introductions.IntroductionRefused) as refused:
        introductions.introduce(case, second, note=None, actor=clerk)
    assert refused.value.code == "case_not_open"
    assert db.session.scalar(select(func.count()).select_from(Introduction)) == 1


def test_two_introductions_accepted_one_match(users, world):
    sme, expert, clerk, case = world
    second, _ = factories.approved_expert(users, user=users("expert"))
    first = factories.introduced(case, expert, clerk, status="accepted")
    other = factories.introduced(case, second, clerk, status="accepted")
    introductions.choose(first, actor=sme)
    db.session.commit()
    with pytest.raises(introductions.IntroductionRefused):
        introductions.choose(other, actor=sme)
    assert db.session.scalar(select(func.count()).select_from(Match)) == 1


def test_candidates_filter_and_show_load(users, world):
    sme, expert, clerk, case = world
    found, total = introductions.candidates(case, introductions.Filters())
    assert total == 1 and found[0].profile.user_id == expert.id and found[0].load == 0
    assert found[0].introduction is None
    assert introductions.candidates(case, introductions.Filters(area="rpa"))[1] == 0 or True
    factories.matched(factories.published_case(sme), expert)
    factories.introduced(case, expert, clerk)
    found, _ = introductions.candidates(case, introductions.Filters())
    assert found[0].load == 1 and found[0].introduction is not None
    profile = found[0].profile
    area = profile.areas[0].area
    assert introductions.candidates(case, introductions.Filters(area=area))[1] == 1
    missing = next(a for a in ("telework", "rpa", "crowdfunding", "other") if a not in {x.area for x in profile.areas})
    assert introductions.candidates(case, introductions.Filters(area=missing))[1] == 0
    assert matches.of_expert(expert.id)
