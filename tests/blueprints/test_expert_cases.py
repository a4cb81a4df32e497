"""The experts' case search pages (issue 12, "Experts find cases"): the plain GET form without
JavaScript, the htmx results fragment and its pushed URL, the refusal page for an expert not approved,
404s, the case as experts see it (nothing of who the SME is), saved searches, the daily digest through
the outbox and the unsubscribe page whose button POSTs."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from dxapp.extensions import db
from dxapp.models import OutboxMessage, SavedSearch
from dxapp.services import case_search, cases
from tests.fixtures import factories
from tests.fixtures.pages import text_of

HTMX = {"HX-Request": "true", "HX-Request-Type": "partial", "HX-Target": "results"}


def references(response) -> list[str]:
    return re.findall(r'href="/expert/cases/(K\d{8})', response.get_data(as_text=True))


@pytest.fixture
def sme(users):
    user, _application = factories.approved_sme(users)
    user.organisation.name = "株式会社ひみつ商店"
    return user


@pytest.fixture
def expert(client, users, login):
    user, _application = factories.approved_expert(users)
    login(client, user)
    return user


def test_the_search_works_as_a_plain_get_form(client, sme, expert):
    shop = factories.published_case(sme, title="ネットショップを始めたい", areas=("ec_sites",))
    stock = factories.published_case(sme, title="在庫管理の見直し", areas=("cloud_accounting",), prefecture="大阪府")
    mypage = client.get("/expert/").get_data(as_text=True)
    assert 'href="/expert/cases"' in mypage and 'href="/expert/saved-searches"' in mypage
    page = client.get("/expert/cases")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and sorted(references(page)) == sorted([shop.reference, stock.reference])
    form = re.search(r'<form class="filters case-filters".*?</form>', html, re.S).group(0)
    assert 'method="get"' in form and "csrf_token" not in form  # a plain GET form, no token in the URL
    assert 'data-hx-get="/expert/cases"' in html and 'data-hx-push-url="true"' in html
    assert "HX-Request" in page.headers.get("Vary", "")
    assert references(client.get("/expert/cases?q=ねっと")) == [shop.reference]
    assert references(client.get("/expert/cases?prefecture=大阪府&area=cloud_accounting")) == [stock.reference]
    # No input gives a 500.
    for junk in ("page=-1", "page=abc", "q=" + "あ" * 500, "sort=<x>", "closed=maybe", "mode[]=1"):
        assert client.get(f"/expert/cases?{junk}").status_code == 200


def test_the_htmx_request_gets_the_results_fragment_and_the_canonical_url(client, sme, expert):
    shop = factories.published_case(sme, title="ネットショップ")
    r = client.get("/expert/cases?q=ネット&area=&kind=&sort=deadline", headers=HTMX)
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and body.startswith('<div id="results"') and "<html" not in body
    assert references(r) == [shop.reference]
    assert r.headers["HX-Push-Url"] == "/expert/cases?q=%E3%83%8D%E3%83%83%E3%83%88"
    # The pushed URL, opened without htmx, is the same page in full.
    full = client.get(r.headers["HX-Push-Url"])
    assert full.get_data(as_text=True).lstrip().lower().startswith("<!doctype html") and references(full) == [shop.reference]


def test_pages_of_20(client, sme, expert):
    for n in range(25):
        factories.published_case(sme, title=f"案件{n:02d}")
    first = client.get("/expert/cases")
    assert len(references(first)) == 20 and 'rel="next"' in first.get_data(as_text=True)
    assert "25" in text_of(first)
    second = client.get("/expert/cases?page=2")
    assert len(references(second)) == 5 and not set(references(first)) & set(references(second))


def test_an_expert_not_approved_is_told_why_and_what_to_do(client, users, login, sme):
    case = factories.published_case(sme)
    expert, _application = factories.submitted_expert(users)
    login(client, expert)
    for url in ("/expert/cases", f"/expert/cases/{case.reference}", "/expert/saved-searches"):
        r = client.get(url)
        assert r.status_code == 200, url  # a page of the expert's own area that says why
        assert "承認" in text_of(r) and "登録の状態" in text_of(r) and "マイページ" in text_of(r)
        assert case.title not in text_of(r)
    assert client.submit("/expert/saved-searches", {"query": "area=ec_sites"}, page="/expert/").status_code == 403


def test_other_roles_may_not_search(client, users, login, sme):
    login(client, sme)
    assert client.get("/expert/cases").status_code == 403


def test_the_case_detail_shows_what_experts_may_see_and_nothing_of_who(client, sme, expert):
    case = factories.published_case(sme, title="在庫管理", goals="在庫を\nクラウドで", situation="紙の台帳")
    r = client.get(f"/expert/cases/{case.reference}")
    text = text_of(r)
    assert r.status_code == 200 and "在庫管理" in text and "紙の台帳" in text and case.reference in text
    assert "株式会社ひみつ商店" not in r.get_data(as_text=True) and sme.email not in r.get_data(as_text=True)
    assert "PROPOSALS" not in r.get_data(as_text=True)  # the marked place is a template comment
    assert "株式会社ひみつ商店" not in client.get("/expert/cases").get_data(as_text=True)


def test_404_for_unknown_hidden_withdrawn_and_unpublished_cases(client, sme, expert):
    hidden = factories.published_case(sme, hidden=True)
    withdrawn = factories.published_case(sme)
    cases.withdraw(withdrawn, version=withdrawn.version, actor=sme)
    draft = factories.published_case(sme)
    draft.status = "draft"
    db.session.flush()
    for reference in (hidden.reference, withdrawn.reference, draft.reference, "K99999999", "x", "K1"):
        assert client.get(f"/expert/cases/{reference}").status_code == 404, reference
    assert references(client.get("/expert/cases?closed=1")) == []


def test_a_case_past_its_deadline_is_left_out_unless_asked(client, sme, expert, program_clock):
    from datetime import datetime

    from dxapp.clock import JST

    soon = factories.published_case(sme, deadline=date(2021, 6, 2))
    program_clock.set(datetime(2021, 6, 3, 9, 0, tzinfo=JST))
    assert references(client.get("/expert/cases")) == []
    r = client.get("/expert/cases?closed=1")
    assert references(r) == [soon.reference] and "締切" in text_of(r)
    assert "締切" in text_of(client.get(f"/expert/cases/{soon.reference}"))


def test_save_a_search_list_and_delete_it(client, sme, expert, users, login):
    r = client.get("/expert/cases?area=ec_sites&q=ねっと")
    assert 'action="/expert/saved-searches"' in r.get_data(as_text=True)
    assert 'action="/expert/saved-searches"' not in client.get("/expert/cases").get_data(as_text=True)  # nothing to save
    r = client.submit("/expert/saved-searches", {}, page="/expert/cases?area=ec_sites&q=ねっと")
    assert r.status_code == 303 and r.headers["Location"].endswith("/expert/saved-searches")
    saved = db.session.scalars(select(SavedSearch)).one()
    assert saved.user_id == expert.id and case_search.Query.from_query_string(saved.query).area == "ec_sites"
    listing = client.get("/expert/saved-searches")
    assert listing.status_code == 200 and "「ねっと」" in text_of(listing)
    assert "This search is saved" in text_of(client.get("/expert/cases?q=ねっと&area=ec_sites")) or \
        "保存済み" in text_of(client.get("/expert/cases?q=ねっと&area=ec_sites"))
    # Saving it again finds the first; an empty search is refused with a message.
    client.submit("/expert/saved-searches", {"query": saved.query}, page="/expert/saved-searches")
    assert len(db.session.scalars(select(SavedSearch)).all()) == 1
    r = client.submit("/expert/saved-searches", {"query": "page=2"}, page="/expert/saved-searches")
    assert r.status_code == 303 and "/expert/cases" in r.headers["Location"]
    # Another expert cannot delete it (404); the owner can.
    other, _ = factories.approved_expert(users, name="他の 専門家")
    other_client = client.application.test_client()
    login(other_client, other)
    assert other_client.submit(f"/expert/saved-searches/{saved.id}/delete", {}, page="/expert/saved-searches").status_code == 404
    r = client.submit(f"/expert/saved-searches/{saved.id}/delete", {}, page="/expert/saved-searches")
    assert r.status_code == 303 and db.session.scalars(select(SavedSearch)).all() == []


def test_the_daily_digest_goes_through_the_outbox_and_the_unsubscribe_link_posts(app, client, sme, expert,
                                                                                  program_clock):
    saved = factories.saved_search(expert, "area=ec_sites")
    program_clock.advance_wall(2)
    case = factories.published_case(sme, title="新しいネットショップ", areas=("ec_sites",))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["cases", "digest"])
    assert result.exit_code == 0, result.output
    assert "e-mails queued 1" in result.output
    db.session.expire_all()
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "case_digest")).one()
    assert mail.recipient == expert.email and case.reference in mail.body and "新しいネットショップ" in mail.body
    link = re.search(r"https?://\S+/expert/saved-searches/unsubscribe/\S+", mail.body).group(0)
    path = "/" + link.split("/", 3)[3]
    assert f"/expert/cases/{case.reference}" in mail.body
    # Opening the link changes nothing; the page's button POSTs.
    anonymous = app.test_client()
    page = anonymous.get(path)
    assert page.status_code == 200 and 'method="post"' in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(SavedSearch, saved.id).unsubscribed_at is None
    r = anonymous.submit(path, {})
    assert r.status_code == 303 and r.headers["Location"].endswith(path)
    db.session.expire_all()
    assert db.session.get(SavedSearch, saved.id).unsubscribed_at is not None
    assert anonymous.get(path).status_code == 200
    assert anonymous.get("/expert/saved-searches/unsubscribe/nope").status_code == 404
    assert "停止" in text_of(client.get("/expert/saved-searches")) or "stopped" in text_of(client.get("/expert/saved-searches"))


def test_the_demo_expert_finds_the_demo_cases_and_has_saved_searches(app, client):
    from dxapp import demo

    demo.seed()
    db.session.commit()
    demo.seed()  # idempotent
    db.session.commit()
    r = client.submit("/account/login", {"email": "expert@demo.example", "password": demo.DEMO_PASSWORD})
    assert r.status_code == 303
    assert 'href="/expert/cases"' in client.get("/expert/").get_data(as_text=True)
    found = client.get("/expert/cases")
    assert len(references(found)) >= len(demo.DEMO_SEARCH_CASES)  # and the demo SME's open cases
    assert "株式会社かとう工務店" not in found.get_data(as_text=True)
    saved = client.get("/expert/saved-searches")
    assert saved.status_code == 200 and len(re.findall(r'id="saved-\d+"', saved.get_data(as_text=True))) == 2
    assert client.get(f"/expert/cases/{references(found)[0]}").status_code == 200
    result = app.test_cli_runner().invoke(args=["cases", "digest"])
    assert "e-mails queued 2" in result.output, result.output
