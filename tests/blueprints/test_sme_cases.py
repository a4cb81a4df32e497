"""The SME's consultation cases (issue 12): the case wizard (saved at every step, check answers, published
once), the refusals (not approved, deadline past or after the contract window, stale edit 409, foreign
id 404, double publish), the list and case page with their status labels, edit, close early, withdraw,
and deleting the case being written."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from dxapp.clock import JST
from dxapp.extensions import db
from dxapp.models import AuditEvent, ConsultationCase, OutboxMessage, Submission, WizardDraft
from tests.fixtures import factories
from tests.fixtures.pages import inspect, text_of

# Program time in tests: 2021-06-01 10:00 JST, frozen (tests/fixtures/app.py).
NEW = "/sme/cases/new"


def _date(day: date) -> dict:
    return {"deadline-era": "western", "deadline-year": str(day.year), "deadline-month": str(day.month),
            "deadline-day": str(day.day)}


STEPS = (
    ("theme", {"title": "ネットショップを始めたい"}),
    ("goals", {"goals": "店頭だけの売上を\n通販でも伸ばしたい。", "situation": "注文は電話とFAXで受けています。"}),
    ("areas", {"areas": ["ec_sites", "cashless"]}),
    ("kind", {"kind": "proposals_wanted"}),
    ("hours", {"hours": "１０．５時間", "period_months": "3"}),
    ("mode", {"mode": "onsite", "prefecture": "東京都", "place": "台東区"}),
    ("deadline", _date(date(2021, 6, 30))),
    ("budget", {}),
)


def go(client, slug: str, data: dict, *, status: int = 303):
    r = client.submit(f"{NEW}/{slug}", data)
    assert r.status_code == status, (slug, r.status_code, text_of(r)[:1500])
    return r


def walk(client, until: str | None = None):
    for slug, data in STEPS:
        if slug == until:
            return
        go(client, slug, data)


def publish(client):
    return client.submit(f"{NEW}/submit", page=f"{NEW}/check-answers")


def _hidden(html: str) -> dict:
    return {i["name"]: i.get("value", "") for i in inspect(html).inputs if i.get("type") == "hidden"}


def _count(model) -> int:
    query = select(func.count()).select_from(model)
    if model is Submission:
        query = query.where(Submission.wizard == "consultation_case")
    return db.session.scalar(query)


@pytest.fixture
def approved(app, users, login):
    """An approved SME logged in: (user, client)."""
    user, _application = factories.approved_sme(users)
    client = app.test_client()
    login(client, user)
    return user, client


@pytest.fixture
def waiting(app, users, login):
    """An SME whose registration is sent but not approved, logged in: (user, client)."""
    user, _application = factories.submitted_sme(users)
    client = app.test_client()
    login(client, user)
    return user, client


def test_my_page_links_to_the_cases_and_to_a_new_case(approved):
    _user, client = approved
    html = client.get("/sme/").get_data(as_text=True)
    assert 'href="/sme/cases"' in html and f'href="{NEW}/"' in html
    assert "相談案件" in text_of(client.get("/sme/cases"))


def test_the_wizard_saves_every_step_checks_and_publishes_once(approved):
    user, client = approved
    tasks = text_of(client.get(f"{NEW}/"))
    assert "案件の入力の流れ" in tasks and "確認して公開" in tasks and "まだ承認されていません" not in tasks
    walk(client)
    draft = db.session.scalars(select(WizardDraft).where(WizardDraft.wizard == "consultation_case")).one()
    assert draft.answers["steps"]["hours"]["data"]["half_hours"] == 21
    check = client.get(f"{NEW}/check-answers")
    body = text_of(check)
    assert "ネットショップを始めたい" in body and "10.5" in body and "300,000円" in body and "2021年6月30日" in body
    hidden = _hidden(check.get_data(as_text=True))
    r = publish(client)
    assert r.status_code == 303 and "/sme/cases/new/sent/W-" in r.headers["Location"]
    case = db.session.scalars(select(ConsultationCase)).one()
    assert (case.status, case.half_hours, case.mode, case.prefecture, case.place) == \
        ("published", 21, "onsite", "東京都", "台東区")
    assert case.goals == "店頭だけの売上を\n通販でも伸ばしたい。"
    done = text_of(client.get(r.headers["Location"]))
    assert case.reference in done and "公開しました" in done
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "case-published")).one()
    assert mail.recipient == user.email and case.reference in mail.subject and "2021年6月30日" in mail.body
    # A second tap (or Back and publish again) with the same one-time token: the same case, no second one.
    again = client.post(f"{NEW}/submit", data=hidden)
    assert again.status_code == 303 and again.headers["Location"] == r.headers["Location"]
    assert _count(ConsultationCase) == 1 and _count(Submission) == 1
    assert db.session.scalar(select(WizardDraft).where(WizardDraft.wizard == "consultation_case")) is None
    listing = text_of(client.get("/sme/cases"))
    assert case.reference in listing and "公開中" in listing


def test_the_step_forms_say_what_to_fix(approved):
    _user, client = approved
    r = go(client, "theme", {"title": " "}, status=422)
    assert "案件のテーマを入力してください" in text_of(r)
    walk(client, until="hours")
    r = go(client, "hours", {"hours": "10.25", "period_months": "3"}, status=422)
    assert "0.5時間" in text_of(r)
    r = go(client, "hours", {"hours": "10", "period_months": "9"}, status=422)
    go(client, "hours", {"hours": "10", "period_months": "2"})
    r = go(client, "mode", {"mode": "onsite", "prefecture": "", "place": ""}, status=422)
    assert "都道府県を選んでください" in text_of(r)
    go(client, "mode", {"mode": "online", "prefecture": "東京都", "place": "台東区"})
    draft = db.session.scalars(select(WizardDraft)).one()
    assert draft.answers["steps"]["mode"]["data"]["prefecture"] is None  # nothing kept for online support


@pytest.mark.parametrize(("day", "message"), [
    (date(2021, 5, 31), "提案期限が過ぎた日付です"),
    (date(2021, 12, 1), "契約締結の期限（2021年11月30日"),
])
def test_the_deadline_step_refuses_a_past_day_and_one_after_the_contract_window(approved, day, message):
    _user, client = approved
    walk(client, until="deadline")
    r = go(client, "deadline", _date(day), status=422)
    assert message in text_of(r)
    go(client, "deadline", _date(date(2021, 6, 1)))  # today is allowed
    go(client, "deadline", _date(date(2021, 11, 30)))  # so is the last day for contracts


def test_an_sme_not_approved_drafts_but_cannot_publish(waiting):
    _user, client = waiting
    assert "まだ承認されていません" in text_of(client.get("/sme/cases"))
    walk(client)
    assert "まだ承認されていません" in text_of(client.get(f"{NEW}/"))
    assert "まだ承認されていません" in text_of(client.get(f"{NEW}/check-answers"))
    r = publish(client)
    assert r.status_code == 403
    body = text_of(r)
    assert "承認" in body and "マイページ" in body
    assert _count(ConsultationCase) == 0 and _count(Submission) == 0
    assert db.session.scalar(select(WizardDraft).where(WizardDraft.wizard == "consultation_case")) is not None


def test_a_deadline_that_passed_before_publishing_is_refused_with_a_way_back(approved, program_clock):
    _user, client = approved
    walk(client)
    program_clock.set(datetime(2021, 7, 1, 9, 0, tzinfo=JST))
    r = publish(client)
    assert r.status_code == 403
    assert "提案期限が過ぎた日付です" in text_of(r)
    assert f"{NEW}/deadline?return=check" in r.get_data(as_text=True)
    assert _count(ConsultationCase) == 0 and _count(Submission) == 0


def test_after_the_contract_window_no_case_can_be_written(approved, program_clock):
    _user, client = approved
    program_clock.set(datetime(2021, 12, 2, 9, 0, tzinfo=JST))
    client.submit("/account/consent", {"agree_terms": "y", "agree_privacy": "y"})  # the terms of 2021-07-20
    r = client.submit(f"{NEW}/theme", {"title": "遅すぎる案件"})
    assert r.status_code == 403 and "受け付けていません" in text_of(r)


def test_the_list_and_the_case_page_show_the_status_and_what_experts_see(approved, program_clock):
    user, client = approved
    case = factories.published_case(user, deadline=date(2021, 6, 10))
    page = client.get(f"/sme/cases/{case.id}")
    body = text_of(page)
    assert "公開中" in body and "ネットショップを始めたい" in body and "ECサイト" in body and "10.5時間" in body
    assert user.organisation.name not in body if user.organisation.name else True
    assert "300,000円" in body  # the budget hint
    assert f"/sme/cases/{case.id}/edit" in page.get_data(as_text=True)
    program_clock.set(datetime(2021, 6, 11, 9, 0, tzinfo=JST))  # the proposal deadline has passed
    body = text_of(client.get(f"/sme/cases/{case.id}"))
    assert "締切" in body and "提案期限を過ぎた" in body
    assert "締切" in text_of(client.get("/sme/cases"))
    assert f"/sme/cases/{case.id}/close" not in client.get(f"/sme/cases/{case.id}").get_data(as_text=True)


def _edit_data(client, case_id: int, **changes) -> dict:
    page = client.get(f"/sme/cases/{case_id}/edit")
    assert page.status_code == 200
    data = {"title": "ネットショップを始めたい（改）", "goals": "通販で売上を伸ばしたい", "situation": "店頭販売のみ",
            "areas": ["security"], "kind": "support_wanted", "hours": "8", "period_months": "2", "mode": "online",
            "prefecture": "", "place": "", **_date(date(2021, 7, 15))}
    data.update(changes)
    return data


def test_edit_a_published_case_and_a_stale_edit_answers_409(approved):
    user, client = approved
    case = factories.published_case(user)
    first = _hidden(client.get(f"/sme/cases/{case.id}/edit").get_data(as_text=True))
    r = client.submit(f"/sme/cases/{case.id}/edit", _edit_data(client, case.id))
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/sme/cases/{case.id}")
    db.session.refresh(case)
    assert (case.title, case.kind, case.half_hours, case.mode, case.prefecture, case.deadline) == \
        ("ネットショップを始めたい（改）", "support_wanted", 16, "online", None, date(2021, 7, 15))
    assert [a.area for a in case.areas] == ["security"] and case.version == 3
    # The same form posted again from the first page view (version 2): 409, nothing overwritten.
    stale = client.post(f"/sme/cases/{case.id}/edit", data={**_edit_data(client, case.id, title="古い画面から"),
                                                            "csrf_token": first["csrf_token"], "version": "2"})
    assert stale.status_code == 409
    body = text_of(stale)
    assert "古い画面から" in body and "ネットショップを始めたい（改）" in body
    db.session.refresh(case)
    assert case.title == "ネットショップを始めたい（改）" and case.version == 3


def test_edit_checks_the_answers_and_the_deadline(approved):
    user, client = approved
    case = factories.published_case(user)
    r = client.submit(f"/sme/cases/{case.id}/edit", _edit_data(client, case.id, title="", areas=[]))
    assert r.status_code == 422
    r = client.submit(f"/sme/cases/{case.id}/edit", _edit_data(client, case.id, **_date(date(2021, 5, 1))))
    assert r.status_code == 422 and "提案期限が過ぎた日付です" in text_of(r)
    db.session.refresh(case)
    assert case.version == 2


def test_close_early_then_withdraw_each_confirmed(approved):
    user, client = approved
    case = factories.published_case(user)
    confirm = client.get(f"/sme/cases/{case.id}/close")
    assert confirm.status_code == 200 and case.reference in text_of(confirm)
    r = client.submit(f"/sme/cases/{case.id}/close")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/sme/cases/{case.id}")
    db.session.refresh(case)
    assert case.status == "closed"
    body = text_of(client.get(f"/sme/cases/{case.id}"))
    assert "締切" in body
    assert client.get(f"/sme/cases/{case.id}/close").status_code == 409
    assert client.get(f"/sme/cases/{case.id}/edit").status_code == 409
    r = client.submit(f"/sme/cases/{case.id}/withdraw")
    assert r.status_code == 303
    db.session.refresh(case)
    assert case.status == "withdrawn"
    assert "取下げ" in text_of(client.get("/sme/cases"))
    assert client.get(f"/sme/cases/{case.id}/withdraw").status_code == 409
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "consultation_case")).all()
    assert actions == ["case.created", "case.published", "case.closed", "case.withdrawn"]


def test_a_stale_close_or_withdraw_answers_409(approved):
    user, client = approved
    case = factories.published_case(user)
    form = _hidden(client.get(f"/sme/cases/{case.id}/withdraw").get_data(as_text=True))
    client.submit(f"/sme/cases/{case.id}/close")
    r = client.post(f"/sme/cases/{case.id}/withdraw", data=form)  # the page showed version 2
    assert r.status_code == 409 and case.reference in text_of(r)
    db.session.refresh(case)
    assert case.status == "closed"
    r = client.post(f"/sme/cases/{case.id}/close", data=form)
    assert r.status_code == 409


def test_withdraw_a_published_case(approved):
    user, client = approved
    case = factories.published_case(user, kind="no_proposals")
    r = client.submit(f"/sme/cases/{case.id}/withdraw")
    assert r.status_code == 303
    db.session.refresh(case)
    assert case.status == "withdrawn"


def test_a_matched_case_offers_no_action(approved):
    from dxapp.services import cases

    user, client = approved
    case = factories.published_case(user)
    cases.mark_matched(case, version=case.version, actor=user)
    db.session.commit()
    html = client.get(f"/sme/cases/{case.id}").get_data(as_text=True)
    assert "マッチング済み" in text_of(client.get(f"/sme/cases/{case.id}"))
    assert f"/sme/cases/{case.id}/edit" not in html and f"/sme/cases/{case.id}/withdraw" not in html
    for action in ("edit", "close", "withdraw"):
        assert client.get(f"/sme/cases/{case.id}/{action}").status_code == 409


def test_a_foreign_case_is_404(app, users, login, approved):
    _user, client = approved
    other, _application = factories.approved_sme(users)
    case = factories.published_case(other)
    for path in ("", "/edit", "/close", "/withdraw"):
        assert client.get(f"/sme/cases/{case.id}{path}").status_code == 404, path
    token = client.csrf_from("/sme/cases")
    for path in ("/edit", "/close", "/withdraw"):
        assert client.post(f"/sme/cases/{case.id}{path}", data={"csrf_token": token, "version": "2"}).status_code == 404
    assert client.get("/sme/cases/999999").status_code == 404
    assert case.reference not in text_of(client.get("/sme/cases"))
    db.session.refresh(case)
    assert case.status == "published" and case.version == 2


def test_the_confirmation_page_of_another_sme_is_404(app, users, login, approved):
    user, client = approved
    walk(client)
    r = publish(client)
    other = users("sme")
    other_client = app.test_client()
    login(other_client, other)
    assert other_client.get(r.headers["Location"]).status_code == 404
    assert client.get(f"{NEW}/sent/W-2106-000000").status_code == 404


def test_delete_the_case_being_written(approved):
    user, client = approved
    factories.case_draft(user, factories.case_values(), complete=True)
    assert "続きを書く" in text_of(client.get("/sme/cases"))
    r = client.submit(f"{NEW}/discard")
    assert r.status_code == 303
    assert db.session.scalar(select(WizardDraft).where(WizardDraft.wizard == "consultation_case")) is None
    assert client.get(f"{NEW}/discard").status_code == 303  # nothing to delete


def test_the_kind_step_explains_each_kind(approved):
    _user, client = approved
    walk(client, until="kind")
    body = text_of(client.get(f"{NEW}/kind"))
    for label in ("支援希望", "提案希望", "提案不要"):
        assert label in body
    assert "事務局" in body  # 支援希望: the secretariat may introduce an expert


def test_the_demo_sme_has_a_case_at_every_status_reachable_from_my_page(app, login):
    from dxapp import demo
    from dxapp.demo import DEMO_PASSWORD
    from dxapp.models import User
    from dxapp.services import cases

    demo.seed()
    demo.seed()  # idempotent
    user = db.session.scalar(select(User).where(User.email == "sme@demo.example"))
    shown = sorted(cases.shown_status(c) for c in cases.of_sme(user))
    assert {"closed", "matched", "published", "withdrawn"} <= set(shown)  # other demo seeds add cases too
    assert shown.count("closed") >= 2  # closed early, and published with its deadline passed
    assert {c.kind for c in cases.of_sme(user) if c.status == "published"} == \
        {"no_proposals", "proposals_wanted", "support_wanted"}
    client = app.test_client()
    login(client, user, password=DEMO_PASSWORD)
    assert 'href="/sme/cases"' in client.get("/sme/").get_data(as_text=True)
    listing = client.get("/sme/cases")
    body = text_of(listing)
    for label in ("公開中", "締切", "マッチング済み", "取下げ", "在庫を数えるのを楽にしたい"):
        assert label in body, label
    for case in cases.of_sme(user):
        assert f"/sme/cases/{case.id}" in listing.get_data(as_text=True)
        assert client.get(f"/sme/cases/{case.id}").status_code == 200
    assert client.get(f"{NEW}/").status_code == 200


def test_gets_of_the_case_pages_change_nothing(approved):
    from tests.fixtures.security import snapshot

    user, client = approved
    case = factories.published_case(user)
    factories.case_draft(user, factories.case_values())
    before = snapshot()
    for path in ("/sme/cases", f"/sme/cases/{case.id}", f"/sme/cases/{case.id}/edit", f"/sme/cases/{case.id}/close",
                 f"/sme/cases/{case.id}/withdraw", f"{NEW}/", f"{NEW}/budget", f"{NEW}/check-answers",
                 f"{NEW}/discard", "/sme/"):
        assert client.get(path).status_code == 200, path
    assert snapshot() == before


def test_the_form_cannot_set_status_owner_or_hidden_and_text_is_escaped(approved):
    user, client = approved
    case = factories.published_case(user)
    data = _edit_data(client, case.id, title='<script>alert("x")</script>', status="matched", hidden="y",
                      organisation_id="999", reference="K99999999")
    assert client.submit(f"/sme/cases/{case.id}/edit", data).status_code == 303
    db.session.refresh(case)
    assert (case.status, case.hidden, case.organisation_id, case.reference[:1]) == \
        ("published", False, user.organisation_id, "K")
    html = client.get(f"/sme/cases/{case.id}").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_ten_parallel_publishes_with_one_token_make_one_case(app, approved):
    """SECURITY.md rule 3: the one-time token and UNIQUE(wizard, owner, token): exactly one case."""
    from tests.fixtures.concurrency import parallel

    _user, client = approved
    walk(client)
    fields = _hidden(client.get(f"{NEW}/check-answers").get_data(as_text=True))
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    clients = []
    for _ in range(10):
        other = app.test_client()
        other.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
        other.check_pages = False
        clients.append(other)
    results = parallel(app, [lambda c=c: c.post(f"{NEW}/submit", data=fields) for c in clients])
    statuses = [r.status_code if hasattr(r, "status_code") else repr(r) for r in results]
    assert all(code == 303 for code in statuses), statuses
    assert len({r.headers["Location"] for r in results}) == 1
    db.session.rollback()
    assert _count(ConsultationCase) == 1 and _count(Submission) == 1
