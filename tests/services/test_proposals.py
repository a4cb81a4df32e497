"""services/proposals.py: send (approved experts only, open cases only, one open proposal per expert and
case), withdraw, accept (the others declined and told, the match formed), decline; every status change
audited; the quote panel from typed strings.  Tests run at program time 2021-06-01 10:00 JST."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from dxapp.clock import JST
from dxapp.extensions import db
from dxapp.models import AuditEvent, Match, MessageThread, OutboxMessage, Proposal
from dxapp.services import cases, experts, proposals
from dxapp.services.workflow import Stale
from tests.fixtures import factories
from tests.fixtures.concurrency import parallel


@pytest.fixture
def sme(users):
    user, _application = factories.approved_sme(users)
    return user


@pytest.fixture
def expert(users):
    user, _application = factories.approved_expert(users)
    return user


@pytest.fixture
def case(sme):
    return factories.published_case(sme)


def _actions(proposal) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_type == "proposal", AuditEvent.object_id == str(proposal.id)).order_by(AuditEvent.id)))


def _mails(kind: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)))


def _refused(code, call, *args, **kwargs):
    with pytest.raises(proposals.ProposalRefused) as refused:
        call(*args, **kwargs)
    db.session.rollback()
    assert refused.value.code == code
    return refused.value


# ----------------------------------------------------------------------------------------- send

def test_an_approved_expert_sends_a_proposal_the_thread_is_made_and_the_sme_told(case, expert, sme):
    proposal = factories.proposed(case, expert)
    assert (proposal.status, proposal.version, proposal.half_hours, proposal.hourly_rate_yen) == ("sent", 1, 20, 4000)
    assert _actions(proposal) == ["proposal.sent"]
    assert db.session.scalar(select(MessageThread).where(MessageThread.case_id == case.id,
                                                         MessageThread.expert_user_id == expert.id)) is not None
    [mail] = _mails("proposal-received")
    assert mail.recipient == sme.email and case.reference in mail.subject
    assert f"/sme/cases/{case.id}/proposals" in mail.body


def test_an_expert_not_approved_may_not_propose(case, users):
    user, _application = factories.submitted_expert(users)
    _refused("not_approved", proposals.send, user, case, factories.proposal_fields())
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0


def test_an_sme_account_is_not_an_expert(case, sme):
    _refused("not_approved", proposals.send, sme, case, factories.proposal_fields())


def test_a_second_open_proposal_on_the_same_case_is_refused(case, expert):
    first = factories.proposed(case, expert)
    refused = _refused("already_proposed", proposals.send, expert, case, factories.proposal_fields(hourly_rate_yen=5000))
    assert refused.proposal.id == first.id
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 1


def test_after_withdrawing_the_expert_may_propose_again(case, expert):
    first = factories.proposed(case, expert)
    proposals.withdraw(first, version=first.version, actor=expert)
    db.session.commit()
    second = factories.proposed(case, expert, hourly_rate_yen=3800)
    assert second.id != first.id and second.status == "sent"
    assert _actions(first) == ["proposal.sent", "proposal.withdrawn"]


def test_a_case_past_its_deadline_takes_no_proposal(sme, expert, program_clock):
    case = factories.published_case(sme, deadline=date(2021, 6, 10))
    program_clock.set(datetime(2021, 6, 11, 0, 5, tzinfo=JST))
    assert cases.shown_status(case) == "closed"
    _refused("deadline_passed", proposals.send, expert, case, factories.proposal_fields())


def test_the_deadline_day_itself_still_takes_proposals(sme, expert, program_clock):
    case = factories.published_case(sme, deadline=date(2021, 6, 10))
    program_clock.set(datetime(2021, 6, 10, 23, 59, tzinfo=JST))
    assert factories.proposed(case, expert).status == "sent"


def test_a_withdrawn_case_takes_no_proposal(case, sme, expert):
    cases.withdraw(case, version=case.version, actor=sme)
    db.session.commit()
    _refused("case_withdrawn", proposals.send, expert, case, factories.proposal_fields())


def test_a_case_closed_early_takes_no_proposal(case, sme, expert):
    cases.close_early(case, version=case.version, actor=sme)
    db.session.commit()
    _refused("deadline_passed", proposals.send, expert, case, factories.proposal_fields())


def test_a_hidden_case_is_not_found(case, expert, users):
    admin = users("admin")
    cases.set_hidden(case, True, version=case.version, actor=admin)
    db.session.commit()
    _refused("case_not_found", proposals.send, expert, case, factories.proposal_fields())
    assert proposals.visible_case(case.reference) is None


def test_a_matched_case_takes_no_proposal(case, expert, users):
    other, _ = factories.approved_expert(users, name="鈴木 二郎")
    factories.matched(case, other)
    _refused("case_matched", proposals.send, expert, case, factories.proposal_fields())


def test_a_case_that_asks_for_no_proposals_takes_none_but_a_package_request(sme, expert):
    case = factories.published_case(sme, kind="no_proposals")
    _refused("no_proposals_wanted", proposals.send, expert, case, factories.proposal_fields())
    assert proposals.case_refusal(case, package=True) is None


def test_values_no_form_lets_through_are_a_value_error(case, expert):
    with pytest.raises(ValueError):
        proposals.send(expert, case, factories.proposal_fields(half_hours=0))
    with pytest.raises(ValueError):
        proposals.send(expert, case, factories.proposal_fields(message=" "))


def test_two_parallel_first_proposals_make_one_row_and_one_clear_refusal(app, case, expert):
    case_id, expert_id = case.id, expert.id

    def send():
        from dxapp.models import ConsultationCase, User

        try:
            proposals.send(db.session.get(User, expert_id), db.session.get(ConsultationCase, case_id),
                           factories.proposal_fields())
            db.session.commit()
            return "sent"
        except proposals.ProposalRefused as exc:
            db.session.rollback()
            return exc.code

    results = parallel(app, [send] * 4)
    assert sorted(results) == ["already_proposed"] * 3 + ["sent"], results
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 1


# ----------------------------------------------------------------------------------------- withdraw

def test_withdraw_only_while_sent(case, expert, sme):
    proposal = factories.proposed(case, expert)
    proposals.decline(proposal, case, version=proposal.version, actor=sme)
    db.session.commit()
    _refused("not_open", proposals.withdraw, proposal, version=proposal.version, actor=expert)


def test_withdraw_with_a_stale_version_is_stale(case, expert):
    proposal = factories.proposed(case, expert)
    with pytest.raises(Stale):
        proposals.withdraw(proposal, version=proposal.version + 1, actor=expert)


# ----------------------------------------------------------------------------------------- accept / decline

@pytest.fixture
def three(case, users):
    """Three experts' proposals on the case."""
    made = []
    for n, name in enumerate(("佐藤 一郎", "鈴木 二郎", "高橋 三郎")):
        user, _ = factories.approved_expert(users, name=name)
        made.append((user, factories.proposed(case, user, hourly_rate_yen=4000 + 100 * n)))
    return made


def test_accept_declines_the_others_forms_the_match_and_sends_the_mails(case, sme, three):
    (chosen_user, chosen), *others = three
    match = proposals.accept(chosen, case, version=chosen.version, actor=sme)
    db.session.commit()
    assert (chosen.status, case.status) == ("accepted", "matched")
    assert [db.session.get(Proposal, p.id).status for _u, p in others] == ["declined", "declined"]
    assert (match.proposal_id, match.origin, match.expert_user_id) == (chosen.id, "proposal", chosen_user.id)
    assert _actions(chosen) == ["proposal.sent", "proposal.accepted"]
    assert all(_actions(p) == ["proposal.sent", "proposal.declined"] for _u, p in others)
    [accepted] = _mails("proposal-accepted")
    assert accepted.recipient == chosen_user.email
    declined = _mails("proposal-declined")
    assert sorted(m.recipient for m in declined) == sorted(u.email for u, _p in others)
    assert all("ありがとうございました" in m.body for m in declined)


def test_a_withdrawn_proposal_is_not_declined_again_nor_told(case, sme, three):
    (_u, chosen), (other_user, withdrawn), _third = three
    proposals.withdraw(withdrawn, version=withdrawn.version, actor=other_user)
    db.session.commit()
    proposals.accept(chosen, case, version=chosen.version, actor=sme)
    db.session.commit()
    assert db.session.get(Proposal, withdrawn.id).status == "withdrawn"
    assert other_user.email not in [m.recipient for m in _mails("proposal-declined")]


def test_accept_on_a_withdrawn_case_is_refused(case, sme, three):
    (_u, chosen), *_ = three
    cases.withdraw(case, version=case.version, actor=sme)
    db.session.commit()
    _refused("case_withdrawn", proposals.accept, chosen, case, version=chosen.version, actor=sme)


def test_a_second_accept_is_refused(case, sme, three):
    (_u, first), (_v, second), _third = three
    proposals.accept(first, case, version=first.version, actor=sme)
    db.session.commit()
    _refused("case_matched", proposals.accept, second, case, version=second.version, actor=sme)


def test_accept_after_the_deadline_is_allowed(case, sme, three, program_clock):
    program_clock.set(datetime(2021, 7, 2, 10, 0, tzinfo=JST))
    (_u, chosen), *_ = three
    proposals.accept(chosen, case, version=chosen.version, actor=sme)
    db.session.commit()
    assert case.status == "matched"


def test_decline_one_tells_its_expert(case, sme, three):
    (user, proposal), *_ = three
    proposals.decline(proposal, case, version=proposal.version, actor=sme)
    db.session.commit()
    assert proposal.status == "declined" and proposal.decided_at is not None
    assert [m.recipient for m in _mails("proposal-declined")] == [user.email]
    _refused("not_open", proposals.decline, proposal, case, version=proposal.version, actor=sme)


def test_double_accept_race_gives_one_match(app, case, sme, three):
    ids = [(p.id, p.version) for _u, p in three[:2]]
    case_id, sme_id = case.id, sme.id

    def accept(proposal_id, version):
        def run():
            from dxapp.models import ConsultationCase, User

            try:
                proposals.accept(db.session.get(Proposal, proposal_id), db.session.get(ConsultationCase, case_id),
                                 version=version, actor=db.session.get(User, sme_id))
                db.session.commit()
                return "accepted"
            except (Stale, proposals.ProposalRefused) as exc:
                db.session.rollback()
                return type(exc).__name__
        return run

    results = parallel(app, [accept(*ids[0]), accept(*ids[1]), accept(*ids[0])])
    assert results.count("accepted") == 1, results
    assert all(r in ("accepted", "Stale", "ProposalRefused") for r in results), results
    assert db.session.scalar(select(func.count()).select_from(Match)) == 1
    statuses = sorted(db.session.scalars(select(Proposal.status).where(Proposal.case_id == case_id)))
    assert statuses == ["accepted", "declined", "declined"]


# ----------------------------------------------------------------------------------------- reading

def test_the_comparison_shows_the_sme_share_and_no_rating(case, three):
    rows, total = proposals.comparison(case)
    assert total == 3
    assert [r.proposal.id for r in rows] == [p.id for _u, p in three]
    assert all(r.expert_name and r.profile_id and "telework" in r.areas for r in rows), rows
    first = rows[0]
    # 4,000 yen x 10 hours: the honorarium is 3,500 an hour, the SME pays 500 an hour = 5,000 yen.
    assert (first.quote.sme_burden_per_hour, first.quote.sme_burden_total, first.quote.capped) == (500, 5000, False)
    assert first.rating is None
    assert proposals.counts_by_case(case.organisation_id) == [(case, 3, 3)]


def test_the_expert_prior_amount_counts_the_phase1_honoraria(case, users):
    user, _ = factories.approved_expert(users)
    experts.carry_over(user, 1_480_000)
    proposal = factories.proposed(case, user, half_hours=20, hourly_rate_yen=4000)
    quote = proposals.quote_of(proposal, case)
    assert (quote.subsidy_total, quote.capped, quote.sme_burden_total) == (20_000, True, 20_000)


@pytest.mark.parametrize(("rate", "hours", "state"), [
    ("", "10", "empty"), ("4000", "", "empty"), ("よんせん", "10", "invalid"), ("4000", "0.3", "invalid"),
    ("4,000円", "１０", "quoted")])
def test_the_quote_panel_from_typed_strings(app, rate, hours, state):
    panel = proposals.quote_panel(rate, hours)
    assert panel["state"] == state
    if state == "quoted":
        assert (panel["quote"].subsidy_total, panel["quote"].sme_burden_total) == (35_000, 5_000)


def test_the_quote_panel_shows_a_cap_cutting_the_honorarium(app):
    panel = proposals.quote_panel("4000", "10", sme_prior_yen=290_000)
    assert panel["quote"].capped and panel["quote"].subsidy_total == 10_000
    assert "sme_cap" in [r["code"] for r in panel["reasons"]]


def test_the_comparison_reads_the_same_few_queries_for_any_number_of_rows(app, case, three, users):
    from sqlalchemy import event

    def statements() -> int:
        seen = []
        record = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            db.session.expire_all()
            proposals.comparison(case)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return len(seen)

    few = statements()
    for name in ("伊藤 四郎", "渡辺 五郎", "山本 六郎"):
        user, _ = factories.approved_expert(users, name=name)
        factories.proposed(case, user)
    assert statements() == few, few
    assert few <= 12
