"""services/case_search.py: every filter, free text (hiragana = katakana, full width = half width),
pagination, sorting; hidden, unpublished, withdrawn and past-deadline cases never found by default; what
a card carries; saved searches and the digest's choice of new cases."""

from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime, timedelta

import pytest

from dxapp.clock import JST
from dxapp.extensions import db
from dxapp.models import ConsultationCase
from dxapp.rules import case_search as rules
from dxapp.services import case_search, cases
from tests.fixtures import factories

# Tests run at program time 2021-06-01 10:00 JST (tests/fixtures/app.py).
AT = datetime(2021, 6, 1, 10, 0, tzinfo=JST)


@pytest.fixture
def sme(users):
    user, _application = factories.approved_sme(users)
    return user


def _refs(query: case_search.Query | None = None, **args) -> list[str]:
    query = query or case_search.Query.from_args(args)
    return [c.reference for c in case_search.search(query, at=AT).cards]


def test_rules_search_key_and_canonical_query():
    assert rules.search_key("ねっとショップ ＥＣ　ｻｲﾄ") == "ネットショップ ec サイト"
    assert rules.search_key("ｶﾞｲﾄﾞ") == rules.search_key("がいど") == "ガイド"
    assert rules.search_key("せ-るす") == "セールス"
    assert rules.terms("  在庫  ざいこ 在庫 ") == ("在庫", "ザイコ")
    assert rules.canonical_query({"sort": "deadline", "page": "3", "q": " a  b ", "area": "", "x": "1",
                                  "kind": "support_wanted"}) == "q=a+b&kind=support_wanted"
    assert rules.canonical_query({"sort": "newest"}) == "sort=newest"


def test_only_published_visible_open_cases_are_found(sme, users):
    open_case = factories.published_case(sme)
    hidden = factories.published_case(sme, title="隠された案件", hidden=True)
    withdrawn = factories.published_case(sme, title="取り下げた案件")
    cases.withdraw(withdrawn, version=withdrawn.version, actor=sme)
    closed = factories.published_case(sme, title="早めに締め切った案件")
    cases.close_early(closed, version=closed.version, actor=sme)
    matched = factories.published_case(sme, title="マッチ済み")
    cases.mark_matched(matched, version=matched.version, actor=sme)
    past = factories.published_case(sme, title="期限切れ", deadline=date(2021, 6, 1))
    db.session.execute(ConsultationCase.__table__.update().where(ConsultationCase.id == past.id)
                       .values(deadline=date(2021, 5, 31)))
    draft = factories.published_case(sme, title="下書き")
    db.session.execute(ConsultationCase.__table__.update().where(ConsultationCase.id == draft.id).values(status="draft"))
    assert _refs() == [open_case.reference]
    # With the deadline-passed box: published ones past their deadline and those closed early, never the rest.
    assert sorted(_refs(closed="1")) == sorted([open_case.reference, closed.reference, past.reference])
    for gone in (hidden, withdrawn, matched, draft):
        assert case_search.visible_case(gone.reference, at=AT) is None
    assert case_search.visible_case(past.reference, at=AT).status == "closed"
    assert case_search.visible_case(open_case.reference, at=AT).status == "published"
    assert case_search.visible_case("K99999999", at=AT) is None
    assert case_search.visible_case("../etc", at=AT) is None


def test_the_deadline_day_itself_is_still_open(sme):
    today = factories.published_case(sme, deadline=date(2021, 6, 1))
    assert _refs() == [today.reference]
    assert case_search.search(case_search.Query(), at=AT + timedelta(days=1)).total == 0


def test_each_filter(sme):
    a = factories.published_case(sme, areas=("ec_sites", "cashless"), prefecture="東京都", mode="online",
                                 kind="proposals_wanted")
    b = factories.published_case(sme, areas=("security",), prefecture="大阪府", mode="onsite", kind="support_wanted")
    c = factories.published_case(sme, areas=("cashless",), prefecture="大阪府", mode="either", kind="no_proposals")
    assert sorted(_refs(area="cashless")) == sorted([a.reference, c.reference])
    assert _refs(area="security") == [b.reference]
    assert sorted(_refs(prefecture="大阪府")) == sorted([b.reference, c.reference])
    assert sorted(_refs(mode="online")) == sorted([a.reference, c.reference])  # either works online too
    assert sorted(_refs(mode="onsite")) == sorted([b.reference, c.reference])
    assert _refs(mode="either") == [c.reference]
    assert _refs(kind="support_wanted") == [b.reference]
    assert _refs(kind="no_proposals") == [c.reference]
    assert _refs(area="cashless", prefecture="大阪府", mode="onsite", kind="no_proposals") == [c.reference]
    assert _refs(area="cashless", prefecture="東京都", kind="support_wanted") == []
    # Unknown values are ignored, not an error.
    assert len(_refs(area="<script>", prefecture="火星", mode="x", kind="y", sort="z", page="abc")) == 3


def test_free_text_over_title_goals_and_situation_kana_and_width_insensitive(sme):
    shop = factories.published_case(sme, title="ネットショップを始めたい", goals="通販で売上を伸ばしたい",
                                    situation="店頭販売のみ")
    stock = factories.published_case(sme, title="在庫管理の見直し", goals="エクセルの在庫表をクラウドへ",
                                     situation="ＰＯＳレジあり")
    assert _refs(q="ねっとしょっぷ") == [shop.reference]  # hiragana finds katakana
    assert _refs(q="ﾈｯﾄｼｮｯﾌﾟ") == [shop.reference]  # half-width kana
    assert _refs(q="通販") == [shop.reference]  # goals
    assert _refs(q="店頭") == [shop.reference]  # situation
    assert _refs(q="pos") == [stock.reference]  # full-width ＰＯＳ, lower case typed
    assert _refs(q="ＰＯＳ　くらうど") == [stock.reference]  # two words, both must appear
    assert _refs(q="在庫 ネット") == []
    assert _refs(q="100%") == [] and _refs(q="_") == []  # LIKE wildcards are literal


def test_text_edited_is_found_by_its_new_words(sme):
    case = factories.published_case(sme, title="古い題名")
    cases.edit(case, factories.case_fields(title="新しい題名"), version=case.version, actor=sme)
    assert _refs(q="新しい") == [case.reference] and _refs(q="古い") == []


def test_pagination_20_a_page_and_sorting(sme):
    made = [factories.published_case(sme, deadline=date(2021, 6, 2) + timedelta(days=n % 25)) for n in range(45)]
    first = case_search.search(case_search.Query(), at=AT)
    assert (first.total, first.pages, first.page, len(first.cards)) == (45, 3, 1, 20)
    last = case_search.search(case_search.Query(page=3), at=AT)
    assert len(last.cards) == 5
    beyond = case_search.search(case_search.Query(page=99), at=AT)
    assert beyond.page == 3
    everything = [c for p in (1, 2, 3) for c in case_search.search(case_search.Query(page=p), at=AT).cards]
    assert len({c.reference for c in everything}) == 45
    deadlines = [c.deadline for c in everything]
    assert deadlines == sorted(deadlines)
    newest = case_search.search(case_search.Query(sort="newest"), at=AT).cards
    assert newest[0].reference == made[-1].reference


def test_a_card_carries_nothing_about_who_the_sme_is(sme):
    factories.published_case(sme)
    card = case_search.search(case_search.Query(), at=AT).cards[0]
    names = {f.name for f in fields(card)}
    assert not names & {"organisation_id", "created_by_id", "application_id", "name", "address", "phone", "email"}
    assert card.industry and card.size_band and card.hours == "10.5"
    assert sme.organisation.name not in repr(card) and sme.email not in repr(card)


def test_saved_search_is_stored_once_in_its_one_spelling(users):
    expert, _application = factories.approved_expert(users)
    first, new = case_search.save(expert, case_search.Query.from_args({"kind": "", "area": "cashless", "sort": "deadline",
                                                                       "q": " ねっと  ", "page": "4"}))
    assert new and first.query == "q=%E3%81%AD%E3%81%A3%E3%81%A8&area=cashless"
    again, new = case_search.save(expert, case_search.Query.from_query_string("area=cashless&q=ねっと"))
    assert again.id == first.id and not new
    with pytest.raises(case_search.SaveRefused):
        case_search.save(expert, case_search.Query())
    other, _ = factories.approved_expert(users, name="別の 専門家")
    assert not case_search.delete(other, first.id)
    assert case_search.delete(expert, first.id) and case_search.saved_of(expert) == []


def test_the_digest_lists_new_matching_cases_once_a_program_day(sme, users, program_clock):
    from sqlalchemy import select

    from dxapp.models import OutboxMessage

    expert, _application = factories.approved_expert(users)
    old = factories.published_case(sme, areas=("ec_sites",))
    program_clock.advance_wall(5)
    saved = factories.saved_search(expert, "area=ec_sites")
    program_clock.advance_wall(5)
    new = factories.published_case(sme, areas=("ec_sites",), title="新着の案件")
    factories.published_case(sme, areas=("security",), title="別分野")
    factories.published_case(sme, areas=("ec_sites",), title="隠し", hidden=True)
    assert case_search.send_digests(at=AT) == (1, 1)
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "case_digest")).one()
    assert mail.recipient == expert.email
    assert new.reference in mail.body and old.reference not in mail.body and "別分野" not in mail.body
    assert saved.unsubscribe_token in mail.body and "隠し" not in mail.body
    assert case_search.send_digests(at=AT + timedelta(hours=1)) == (0, 0)  # the same program day
    assert case_search.send_digests(at=AT + timedelta(days=1)) == (1, 0)  # nothing new: no e-mail
    assert case_search.unsubscribe(saved) and not case_search.unsubscribe(saved)
    program_clock.advance_wall(5)
    factories.published_case(sme, areas=("ec_sites",))
    assert case_search.send_digests(at=AT + timedelta(days=2)) == (0, 0)


def test_no_digest_for_an_expert_no_longer_approved(sme, users):
    expert, application = factories.approved_expert(users)
    factories.saved_search(expert, "q=ネット")
    expert.active = False
    assert case_search.send_digests(at=AT) == (0, 0)


def test_the_count_stops_at_the_cap_and_says_more(sme, monkeypatch):
    monkeypatch.setattr(case_search, "COUNT_CAP", 30)
    for n in range(45):
        factories.published_case(sme, title=f"案件{n}")
    first = case_search.search(case_search.Query(), at=AT)
    assert (first.capped, first.total, first.has_next, len(first.cards)) == (True, 40, True, 20)
    third = case_search.search(case_search.Query(page=3), at=AT)
    assert (third.capped, third.total, third.pages, third.has_next, len(third.cards)) == (False, 45, 3, False, 5)
    assert case_search.search(case_search.Query(page=9), at=AT).page == 3
