"""The proposal pages (issue 12): the expert's proposal form with the live quote panel (stateless: no SQL,
no cookie), my proposals and withdraw; the SME's comparison table, accept (confirmation, POST -> 303) and
decline; every refusal a page that says why; a foreign case or proposal is a 404."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import event, func, select

from dxapp.clock import JST
from dxapp.extensions import db
from dxapp.models import Match, OutboxMessage, Proposal
from dxapp.services import cases
from tests.fixtures import factories
from tests.fixtures.pages import text_of

HX = {"HX-Request": "true", "HX-Request-Type": "partial"}
TYPED = {"message": "ECサイトの構築を支援します。", "plan_outline": "1. 現状確認\n2. 構築", "hours": "10",
         "hourly_rate": "4,000円"}


@pytest.fixture
def sme(signed_in, users):
    user, client = signed_in("sme")
    factories.approved_sme(users, user=user)
    return user, client


@pytest.fixture
def expert(signed_in, users):
    user, client = signed_in("expert", name="佐藤 一郎")
    factories.approved_expert(users, user=user)
    return user, client


@pytest.fixture
def case(sme):
    return factories.published_case(sme[0])


def _propose_url(case) -> str:
    return f"/expert/cases/{case.reference}/propose"


# ----------------------------------------------------------------------------------------- the expert

def test_the_expert_proposes_from_the_form_and_sees_it_listed(case, expert):
    user, client = expert
    page = client.get(_propose_url(case))
    assert page.status_code == 200
    text = text_of(page)
    assert case.title in text and case.reference in text
    assert "謝金" in text  # the quote panel is on the page
    response = client.submit(_propose_url(case), TYPED)
    assert response.status_code == 303 and response.headers["Location"].endswith("/expert/proposals")
    proposal = db.session.scalar(select(Proposal))
    assert (proposal.half_hours, proposal.hourly_rate_yen, proposal.status) == (20, 4000, "sent")
    listing = client.get("/expert/proposals")
    assert "送信済み" in text_of(listing) and case.reference in text_of(listing)
    assert 'href="/expert/proposals"' in client.get("/expert/").get_data(as_text=True)  # linked from My Page


def test_errors_come_back_422_with_what_was_typed(case, expert):
    _user, client = expert
    response = client.submit(_propose_url(case), {**TYPED, "hours": "0.3", "message": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "入力内容に問題があります" in text_of(response) and "4,000円" in html
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0


def test_a_second_proposal_is_a_refusal_page_and_a_repeated_post_lands_on_the_list(case, expert):
    _user, client = expert
    assert client.submit(_propose_url(case), TYPED).status_code == 303
    token = client.csrf_from("/expert/proposals")
    again = client.post(_propose_url(case), data={**TYPED, "csrf_token": token})
    assert again.status_code == 303  # the same proposal a second time: where the first landed
    other = client.post(_propose_url(case), data={**TYPED, "hourly_rate": "5000", "csrf_token": token})
    assert other.status_code == 409 and "すでに提案" in text_of(other)
    assert client.get(_propose_url(case)).status_code == 409
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 1


def test_an_expert_not_approved_gets_a_page_that_says_why(case, signed_in, users):
    user, client = signed_in("expert")
    factories.submitted_expert(users, user=user)
    response = client.get(_propose_url(case))
    assert response.status_code == 403 and "承認" in text_of(response)


def test_a_case_past_its_deadline_says_so(sme, expert, program_clock):
    case = factories.published_case(sme[0], deadline=date(2021, 6, 10))
    program_clock.set(datetime(2021, 6, 11, 9, 0, tzinfo=JST))
    response = expert[1].get(_propose_url(case))
    assert response.status_code == 409 and "提案期限" in text_of(response)


def test_a_withdrawn_case_says_so(case, sme, expert):
    cases.withdraw(case, version=case.version, actor=sme[0])
    db.session.commit()
    response = expert[1].get(_propose_url(case))
    assert response.status_code == 409 and "取り下げ" in text_of(response)


def test_unknown_or_hidden_cases_are_404(case, expert, users):
    _user, client = expert
    assert client.get("/expert/cases/K99999999/propose").status_code == 404
    assert client.get("/expert/cases/nonsense/propose").status_code == 404
    cases.set_hidden(case, True, version=case.version, actor=users("admin"))
    db.session.commit()
    assert client.get(_propose_url(case)).status_code == 404


def test_withdraw_and_a_foreign_proposal_is_404(case, expert, signed_in, users):
    user, client = expert
    proposal = factories.proposed(case, user)
    other, other_client = signed_in("expert")
    factories.approved_expert(users, user=other)
    token = other_client.csrf_from("/expert/proposals")
    assert other_client.post(f"/expert/proposals/{proposal.id}/withdraw",
                             data={"csrf_token": token, "version": "1"}).status_code == 404
    response = client.submit(f"/expert/proposals/{proposal.id}/withdraw", {"version": "1"}, page="/expert/proposals")
    assert response.status_code == 303
    assert db.session.get(Proposal, proposal.id).status == "withdrawn"
    again = client.submit(f"/expert/proposals/{proposal.id}/withdraw", {"version": "2"}, page="/expert/proposals")
    assert again.status_code == 409 and "取下げ" in text_of(again)


# ----------------------------------------------------------------------------------------- the quote panel

@pytest.fixture
def statements(app):
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_the_quote_panel_is_stateless(client, statements):
    del statements[:]
    response = client.get("/expert/proposals/quote", query_string={"hourly_rate": "4000", "hours": "10",
                                                                   "sme_prior": "290000", "expert_prior": "0"},
                          headers=HX)
    assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
    text = text_of(response)
    assert "10,000円" in text and "上限" in text  # the SME's cap cuts the honorarium to 10,000 yen
    assert statements == [] and "Set-Cookie" not in response.headers
    empty = client.get("/expert/proposals/quote", headers=HX)
    assert empty.status_code == 200 and "入力" in text_of(empty)
    bad = client.get("/expert/proposals/quote", query_string={"hourly_rate": "x", "hours": "10",
                                                              "sme_prior": "-5"}, headers=HX)
    assert bad.status_code == 200


def test_the_page_points_htmx_at_the_panel_with_the_prior_amounts(case, expert):
    html = expert[1].get(_propose_url(case)).get_data(as_text=True)
    tag = re.search(r'<div class="live-scope"[^>]*>', html).group(0)
    assert 'data-hx-get="/expert/proposals/quote"' in tag
    assert '"sme_prior": "0"' in tag and '"expert_prior": "0"' in tag


def test_without_javascript_the_check_button_shows_the_panel_with_what_was_typed(case, expert):
    response = expert[1].get(_propose_url(case), query_string={**TYPED, "hourly_rate": "3000"})
    assert response.status_code == 200
    text = text_of(response)
    assert "25,000円" in text and "5,000円" in text  # 3,000 x 10 h: the program 2,500/h, the SME 500/h
    assert 'value="3000"' in response.get_data(as_text=True)


# ----------------------------------------------------------------------------------------- the SME

@pytest.fixture
def two(case, users):
    made = []
    for name, rate in (("鈴木 二郎", 4000), ("高橋 三郎", 5000)):
        user, _ = factories.approved_expert(users, name=name)
        made.append((user, factories.proposed(case, user, hourly_rate_yen=rate)))
    return made


def test_the_sme_compares_the_proposals(case, sme, two):
    _user, client = sme
    response = client.get(f"/sme/cases/{case.id}/proposals")
    assert response.status_code == 200
    text = text_of(response)
    assert "評価なし" in text and "4,000円" in text and "5,000円" in text
    assert "15,000円" in text  # 5,000 yen: the SME pays 1,500 an hour, 15,000 for 10 hours
    assert f'href="/sme/cases/{case.id}/proposals"' in client.get("/sme/").get_data(as_text=True)


def test_the_sme_accepts_one_after_a_confirmation_page(case, sme, two):
    _user, client = sme
    (chosen_user, chosen), (other_user, other) = two
    url = f"/sme/cases/{case.id}/proposals/{chosen.id}/accept"
    confirmation = client.get(url)
    assert confirmation.status_code == 200 and "採用" in text_of(confirmation)
    response = client.submit(url, {})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/sme/cases/{case.id}/proposals")
    assert db.session.get(Proposal, chosen.id).status == "accepted"
    assert db.session.get(Proposal, other.id).status == "declined"
    assert db.session.scalar(select(func.count()).select_from(Match)) == 1
    kinds = dict(db.session.execute(select(OutboxMessage.recipient, OutboxMessage.kind)
                                    .where(OutboxMessage.kind.like("proposal-%"),
                                           OutboxMessage.kind != "proposal-received")).all())
    assert kinds == {chosen_user.email: "proposal-accepted", other_user.email: "proposal-declined"}
    after = client.get(f"/sme/cases/{case.id}/proposals")
    assert "採用" in text_of(after) and "不採用" in text_of(after)
    again = client.get(url)
    assert again.status_code == 409


def test_the_sme_declines_one(case, sme, two):
    _user, client = sme
    (_u, proposal), _other = two
    response = client.submit(f"/sme/cases/{case.id}/proposals/{proposal.id}/decline", {"version": "1"},
                             page=f"/sme/cases/{case.id}/proposals")
    assert response.status_code == 303
    assert db.session.get(Proposal, proposal.id).status == "declined"
    stale = client.submit(f"/sme/cases/{case.id}/proposals/{proposal.id}/decline", {"version": "1"},
                          page=f"/sme/cases/{case.id}/proposals")
    assert stale.status_code == 409


def test_another_smes_case_and_proposals_are_404(case, two, signed_in, users):
    other, client = signed_in("sme")
    factories.approved_sme(users, user=other)
    (_u, proposal), _ = two
    assert client.get(f"/sme/cases/{case.id}/proposals").status_code == 404
    assert client.get(f"/sme/cases/{case.id}/proposals/{proposal.id}/accept").status_code == 404
    token = client.csrf_from("/sme/")
    assert client.post(f"/sme/cases/{case.id}/proposals/{proposal.id}/accept",
                       data={"csrf_token": token, "version": "1"}).status_code == 404
    assert client.post(f"/sme/cases/{case.id}/proposals/{proposal.id}/decline",
                       data={"csrf_token": token, "version": "1"}).status_code == 404
    own_case = factories.published_case(other)
    assert client.get(f"/sme/cases/{own_case.id}/proposals/{proposal.id}/accept").status_code == 404
    assert db.session.get(Proposal, proposal.id).status == "sent"


def test_an_expert_may_not_open_the_sme_pages(case, expert, two):
    assert expert[1].get(f"/sme/cases/{case.id}/proposals").status_code == 403


# ----------------------------------------------------------------------------------------- demo data

def test_the_demo_has_proposals_at_every_status_reachable_from_both_my_pages(app, login):
    from dxapp import demo
    from dxapp.services import accounts

    demo.seed()
    assert demo.seed_proposals() == 0  # idempotent
    statuses = set(db.session.scalars(select(Proposal.status)))
    assert statuses == {"sent", "accepted", "declined", "withdrawn"}
    assert db.session.scalar(select(func.count()).select_from(Match).where(Match.origin == "proposal")) >= 1  # the plans demo adds more
    expert_client, sme_client = app.test_client(), app.test_client()
    login(expert_client, accounts.find_by_email("expert@demo.example"), password=demo.DEMO_PASSWORD)
    login(sme_client, accounts.find_by_email("sme@demo.example"), password=demo.DEMO_PASSWORD)
    assert 'href="/expert/proposals"' in expert_client.get("/expert/").get_data(as_text=True)
    mine = text_of(expert_client.get("/expert/proposals"))
    assert all(label in mine for label in ("送信済み", "採用", "不採用", "取下げ"))
    home = sme_client.get("/sme/").get_data(as_text=True)
    links = re.findall(r'href="(/sme/cases/\d+/proposals)"', home)
    assert len(links) >= 3  # the plans demo's cases had proposals too
    for link in links:
        assert sme_client.get(link).status_code == 200


# ----------------------------------------------------------------------------------------- page weight

BUDGET = 14 * 1024


def test_pages_within_budget_with_long_proposals(case, sme, expert, users, capsys):
    import gzip
    import random

    pick = random.Random(12)
    # 2,000 characters that do not repeat (repeated text would compress better than a real message).
    long_text = "".join(pick.choice("あいうえおかきくけこさしすせそ在庫管理会計販売支援導入研修、。") for _ in range(2000))
    made = []
    for n in range(11):
        user, _ = factories.approved_expert(users, name=f"専門家 {n:02d}")
        made.append(factories.proposed(case, user, message=long_text[:2000], plan_outline=long_text[:2000],
                                       hourly_rate_yen=3_600 + 100 * n))
    own = factories.proposed(case, expert[0], message=long_text[:2000], plan_outline=long_text[:2000])
    sizes = {}
    for client, path in ((sme[1], f"/sme/cases/{case.id}/proposals"), (sme[1], f"/sme/cases/{case.id}/proposals?page=2"),
                         (sme[1], f"/sme/cases/{case.id}/proposals/{made[0].id}/accept"), (sme[1], "/sme/"),
                         (expert[1], "/expert/proposals"), (expert[1], "/expert/")):
        page = client.get(path)
        assert page.status_code == 200, path
        sizes[path] = len(gzip.compress(page.get_data()))
    assert own.id in [int(i) for i in re.findall(r'id="proposal-(\d+)"', expert[1].get("/expert/proposals").get_data(as_text=True))]
    second = sme[1].get(f"/sme/cases/{case.id}/proposals?page=2").get_data(as_text=True)
    assert len(re.findall(r'<tr id="proposal-', second)) == 2
    with capsys.disabled():
        print("\n" + "\n".join(f"  {size:6,} B gzip  {path}" for path, size in sizes.items()))
    assert all(size <= BUDGET for size in sizes.values()), sizes


def test_the_propose_link_for_the_case_detail_page(app):
    from types import SimpleNamespace

    from flask import render_template_string

    with app.test_request_context("/"):
        html = render_template_string('{% include "proposals/_propose_link.html" %}',
                                      card=SimpleNamespace(reference="K00000001", status="published"))
        assert 'href="/expert/cases/K00000001/propose"' in html
        closed = render_template_string('{% include "proposals/_propose_link.html" %}',
                                        card=SimpleNamespace(reference="K00000001", status="closed"))
        assert "/propose" not in closed and 'href="/expert/proposals"' in closed
