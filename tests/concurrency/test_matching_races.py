"""Matching at the same moment (issue 12): the expert confirming a self-match in two tabs at once, the
SME choosing two accepted introductions of one case at once, two clerks introducing the same expert,
and a package requested twice with one form token -> exactly one row each time, the others refused
with the normal outcome (Stale, a refusal, the first request's case), never another error."""

from __future__ import annotations

from sqlalchemy import func, select

from dxapp.extensions import db
from dxapp.models import ConsultationCase, Introduction, Match, SelfMatch, SupportPackage, User
from dxapp.services import introductions, matches, packages, self_matches, workflow
from dxapp.transaction import transaction
from tests.fixtures import factories
from tests.fixtures.concurrency import parallel


def _in_transaction(fn):
    def run():
        with transaction():
            return fn()
    return run


def test_a_self_match_confirmed_twice_at_once_makes_one_match(app, users):
    sme, _ = factories.approved_sme(users)
    expert, _ = factories.approved_expert(users)
    request_id, expert_id = factories.self_match_requested(sme, expert).id, expert.id  # read before the threads

    def confirm():
        item = db.session.get(SelfMatch, request_id)
        return self_matches.confirm(item, version=1, actor=db.session.get(User, expert_id)).id

    results = parallel(app, [_in_transaction(confirm) for _ in range(4)])
    assert sum(isinstance(r, int) for r in results) == 1, results
    assert all(isinstance(r, (int, workflow.Stale, matches.AlreadyMatched)) for r in results), results
    assert db.session.scalar(select(func.count()).select_from(Match)) == 1


def test_two_introductions_chosen_at_once_make_one_match(app, users):
    sme, _ = factories.approved_sme(users)
    clerk = users("desk")
    case = factories.published_case(sme, kind="support_wanted")
    chosen = []
    for _ in range(3):
        expert, _ = factories.approved_expert(users, user=users("expert"))
        chosen.append(factories.introduced(case, expert, clerk, status="accepted").id)

    case_id, sme_id = case.id, sme.id  # read before the threads

    def choose(introduction_id):
        def run():
            return introductions.choose(db.session.get(Introduction, introduction_id),
                                        actor=db.session.get(User, sme_id)).id
        return _in_transaction(run)

    results = parallel(app, [choose(i) for i in chosen])
    assert sum(isinstance(r, int) for r in results) == 1, results
    assert all(isinstance(r, (int, workflow.Stale, matches.AlreadyMatched, introductions.IntroductionRefused))
               for r in results), results
    assert db.session.scalar(select(func.count()).select_from(Match)) == 1
    assert db.session.get(ConsultationCase, case_id).status == "matched"


def test_two_clerks_introducing_the_same_expert_make_one_introduction(app, users):
    sme, _ = factories.approved_sme(users)
    expert, _ = factories.approved_expert(users)
    clerks = [users("desk"), users("desk")]
    case_id, expert_id = factories.published_case(sme, kind="support_wanted").id, expert.id
    clerk_ids = [c.id for c in clerks]

    def introduce(clerk_id):
        def run():
            return introductions.introduce(db.session.get(ConsultationCase, case_id), db.session.get(User, expert_id),
                                           note=None, actor=db.session.get(User, clerk_id)).id
        return _in_transaction(run)

    results = parallel(app, [introduce(c) for c in clerk_ids])
    assert sum(isinstance(r, int) for r in results) == 1, results
    assert [r.code for r in results if not isinstance(r, int)] == ["already_introduced"], results
    assert db.session.scalar(select(func.count()).select_from(Introduction)) == 1


def test_a_package_requested_twice_with_one_token_makes_one_case(app, users):
    sme, _ = factories.approved_sme(users)
    expert, _ = factories.approved_expert(users)
    package_id, sme_id, token = factories.support_package(expert).id, sme.id, packages.new_token()

    def request():
        case, _proposal, _created = packages.request(db.session.get(User, sme_id),
                                                     db.session.get(SupportPackage, package_id), token=token)
        return case.id

    results = parallel(app, [_in_transaction(request) for _ in range(4)])
    assert all(isinstance(r, int) for r in results) and len(set(results)) == 1, results
    assert db.session.scalar(select(func.count()).select_from(ConsultationCase)) == 1
