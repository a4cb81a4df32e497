"""services/cases.py: publish (approved SMEs only, deadline allowed), edit with a version check, close
early, withdraw, matched (for later), hidden; every status change audited, stale versions refused."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from dxapp.extensions import db
from dxapp.models import AuditEvent, ConsultationCase
from dxapp.rules import cases as case_rules
from dxapp.services import cases
from dxapp.services.workflow import Stale
from tests.fixtures import factories

# Tests run at program time 2021-06-01 10:00 JST (tests/fixtures/app.py).


def _fields(**changes) -> cases.CaseFields:
    values = {"title": "ネットショップを始めたい", "goals": "通販で売上を伸ばしたい", "situation": "店頭販売のみ",
              "areas": ("ec_sites", "cashless"), "kind": "proposals_wanted", "half_hours": 20, "period_months": 3,
              "mode": "either", "deadline": date(2021, 6, 30), "prefecture": "東京都", "place": "台東区"}
    return cases.CaseFields(**{**values, **changes})


def _actions(case) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_type == "consultation_case", AuditEvent.object_id == str(case.id)).order_by(AuditEvent.id)))


@pytest.fixture
def sme(users):
    user, _application = factories.approved_sme(users)
    return user


def test_an_approved_sme_publishes_a_case_with_a_k_reference(sme):
    case = cases.publish(sme, _fields())
    assert case_rules.is_reference(case.reference) and case.reference == case_rules.format_reference(case.id)
    assert (case.status, case.version, case.hidden) == ("published", 2, False)
    assert [a.area for a in case.areas] == ["ec_sites", "cashless"]
    assert case.published_at is not None and case.industry
    assert _actions(case) == ["case.created", "case.published"]
    assert cases.of_sme(sme) == [case]


def test_an_sme_not_approved_may_not_publish(users):
    user, _application = factories.submitted_sme(users)
    with pytest.raises(cases.CaseRefused) as refused:
        cases.publish(user, _fields())
    assert refused.value.code == "not_approved"
    assert db.session.scalar(select(ConsultationCase)) is None


@pytest.mark.parametrize(("deadline", "code"), [
    (date(2021, 5, 31), "deadline_past"), (date(2021, 12, 1), "deadline_after_contract_window")])
def test_a_deadline_not_allowed_is_refused(sme, deadline, code):
    with pytest.raises(cases.CaseRefused) as refused:
        cases.publish(sme, _fields(deadline=deadline))
    assert refused.value.code == code and refused.value.reasons
    assert db.session.scalar(select(ConsultationCase)) is None


def test_edit_checks_the_version(sme):
    case = cases.publish(sme, _fields())
    cases.edit(case, _fields(title="新しい題名", areas=("security",)), version=2, actor=sme)
    assert (case.title, case.version, [a.area for a in case.areas]) == ("新しい題名", 3, ["security"])
    with pytest.raises(Stale):
        cases.edit(case, _fields(title="古い画面から"), version=2, actor=sme)
    assert case.title == "新しい題名"
    with pytest.raises(cases.CaseRefused):
        cases.edit(case, _fields(deadline=date(2021, 5, 1)), version=3, actor=sme)


def test_close_early_then_withdraw(sme):
    case = cases.publish(sme, _fields())
    cases.close_early(case, version=2, actor=sme)
    assert case.status == "closed"
    with pytest.raises(Stale):
        cases.edit(case, _fields(), version=3, actor=sme)  # a closed case is no longer edited
    cases.withdraw(case, version=3, actor=sme)
    assert case.status == "withdrawn"
    assert _actions(case)[-2:] == ["case.closed", "case.withdrawn"]


@pytest.mark.parametrize("move", [cases.close_early, cases.withdraw, cases.mark_matched])
def test_a_withdrawn_case_moves_no_more(sme, move):
    case = cases.publish(sme, _fields())
    cases.withdraw(case, version=2, actor=sme)
    with pytest.raises(Stale):
        move(case, version=3, actor=sme)
    assert case.status == "withdrawn"


def test_matched_from_published_or_closed(sme):
    first = cases.publish(sme, _fields())
    cases.mark_matched(first, version=2, actor=sme)
    second = cases.publish(sme, _fields())
    cases.close_early(second, version=2, actor=sme)
    cases.mark_matched(second, version=3, actor=sme)
    assert (first.status, second.status) == ("matched", "matched")
    with pytest.raises(Stale):
        cases.withdraw(first, version=3, actor=sme)


def test_a_stale_version_is_refused_for_every_move(sme):
    case = cases.publish(sme, _fields())
    with pytest.raises(Stale):
        cases.close_early(case, version=1, actor=sme)
    assert (case.status, case.version) == ("published", 2)


def test_the_secretariat_hides_a_case(sme, users):
    case = cases.publish(sme, _fields())
    clerk = users("desk")
    cases.set_hidden(case, True, version=2, actor=clerk)
    assert case.hidden and case.status == "published"
    assert _actions(case)[-1] == "case.hidden"


def test_the_deadline_passed_shows_closed(sme):
    from datetime import datetime

    from dxapp.rules import JST

    case = cases.publish(sme, _fields(deadline=date(2021, 6, 1)))
    assert cases.shown_status(case, datetime(2021, 6, 1, 23, tzinfo=JST)) == "published"
    assert cases.shown_status(case, datetime(2021, 6, 2, 0, tzinfo=JST)) == "closed"


def test_another_smes_case_is_not_owned(sme, users):
    case = cases.publish(sme, _fields())
    other, _application = factories.approved_sme(users)
    assert cases.owned(other, case.id) is None
    assert cases.owned(sme, case.id) is case
    assert cases.owned(sme, "x") is None
