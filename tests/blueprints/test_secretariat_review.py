"""Secretariat review queues (issue 6): who may use them, filters, search and pagination, the detail with
its fraud signals, and the actions pick up / approve / return for correction / reject with their e-mails,
audit rows and 409 for a clerk who acted second."""

from __future__ import annotations

import gzip
import re

import pytest
from sqlalchemy import func, select

from dxapp.clock import JST
from dxapp.extensions import db
from dxapp.models import Application, AuditEvent
from tests.fixtures.app import PASSWORD
from tests.fixtures.pages import inspect, text_of
from tests.fixtures.review import (
    QUEUE_URLS,
    REVIEW,
    ROLE_OF_KIND,  # noqa: F401
    expert_answers,
    mails,
    refreshed,
    sme_answers,
    steps,
    submit,
)
from tests.fixtures.sme_answers import DETAILS
from tests.fixtures.walks import SME as BASE
from tests.fixtures.walks import sme as sme_walk

go = sme_walk.go

# ----------------------------------------------------------------------------------------- access

def test_role_route_matrix(app, users, login, submitted_sme):
    _user, _client, application = submitted_sme
    gets = [*QUEUE_URLS.values(), f"{REVIEW}/applications/{application.id}",
            f"{REVIEW}/applications/{application.id}/return"]
    posts = [f"{REVIEW}/applications/{application.id}/{action}" for action in ("pick-up", "approve", "return")]
    anonymous = app.test_client()
    for url in gets:
        r = anonymous.get(url)
        assert r.status_code == 302 and "/account/login" in r.headers["Location"], url
    for role in ("sme", "expert", "supporter_admin"):
        client = app.test_client()
        login(client, users(role))
        for url in gets + [f"{REVIEW}/applications/{application.id}/reject"]:
            assert client.get(url).status_code == 403, (role, url)
        for url in posts:
            assert client.post(url, data={"csrf_token": client.csrf_from("/"), "version": "1"}
                               ).status_code == 403, (role, url)
    # Staff with the password alone (no TOTP code yet) get nothing.
    for role in ("desk", "admin"):
        staff = users(role)
        client = app.test_client()
        assert client.submit("/account/login", {"email": staff.email, "password": PASSWORD}).status_code == 303
        for url in gets:
            r = client.get(url)
            assert r.status_code == 302 and "/account/login" in r.headers["Location"], (role, url)
    for role in ("desk", "admin"):
        client = app.test_client()
        login(client, users(role))
        for url in gets:
            assert client.get(url).status_code in (200, 303), (role, url)
    assert refreshed(application).status == "submitted"  # nothing above changed it


def test_reject_is_for_administrators_only(app, desk, admin, submitted_sme):
    _u, clerk = desk
    _sme, _c, application = submitted_sme
    detail = f"{REVIEW}/applications/{application.id}"
    assert clerk.submit(f"{detail}/pick-up", page=detail).status_code == 303
    assert clerk.get(f"{detail}/reject").status_code == 403
    assert f"{detail}/reject" not in clerk.get(detail).get_data(as_text=True)
    r = clerk.post(f"{detail}/reject", data={"csrf_token": clerk.csrf_from(detail), "version": "2",
                                               "reason": "x"})
    assert r.status_code == 403 and refreshed(application).status == "under_review"


def test_unknown_application_is_404(desk):
    _u, clerk = desk
    assert clerk.get(f"{REVIEW}/applications/999999").status_code == 404


# ----------------------------------------------------------------------------------------- queues

def test_dashboard_counts_per_status_link_to_filtered_queues(app, users, desk):
    _u, clerk = desk
    for i in range(3):
        submit(users, "sme", sme_answers(name=f"株式会社{i}", corporate_number=None, phone=None, street=f"{i}-1"))
    submit(users, "expert", expert_answers(bank=None))
    page = clerk.get("/secretariat/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert re.search(r'href="/secretariat/review/sme\?status=submitted"[^>]*>3<', html)
    assert re.search(r'href="/secretariat/review/experts\?status=submitted"[^>]*>1<', html)
    # The foundation's counts are still there.
    assert "送信待ちのメール" in text_of(page) and "未対応のお問い合わせ" in text_of(page)
    queue = clerk.get(f"{REVIEW}/sme?status=submitted")
    assert queue.status_code == 200 and text_of(queue).count("株式会社") >= 3


def test_filters_search_and_pagination(app, users, desk, program_clock):
    _u, clerk = desk
    made = []
    for i in range(30):
        made.append(submit(users, "sme", sme_answers(
            name=f"株式会社サンプル{i:02d}", kana=f"サンプル{i:02d}", corporate_number=None, phone=None,
            street=f"{i}-1", prefecture="大阪府" if i % 3 == 0 else "東京都", email=f"owner{i}@example.jp")))
    special = submit(users, "sme", sme_answers(name="有限会社やまだ工務店", kana="やまだこうむてん",
                                               corporate_number="7000012050002", email="Yamada@Example.JP"))
    submit(users, "expert", expert_answers(name="山田 花子", kana="ヤマダ ハナコ", bank=None))

    def refs(url):
        r = clerk.get(url)
        assert r.status_code == 200, url
        return set(re.findall(r">([CES][0-9]{8})<", r.get_data(as_text=True)))

    first, second = refs(f"{REVIEW}/sme"), refs(f"{REVIEW}/sme?page=2")
    assert len(gzip.compress(clerk.get(f"{REVIEW}/sme").get_data())) <= 14 * 1024  # UX.md page budget
    assert len(first) == 25 and len(second) == 6 and not first & second
    assert 'data-total="31"' in clerk.get(f"{REVIEW}/sme").get_data(as_text=True)
    # Prefecture.
    osaka = refs(f"{REVIEW}/sme?prefecture=大阪府")
    assert len(osaka) == 10
    # Furigana in hiragana, katakana or half-width katakana all find the same business; experts are not in it.
    for typed in ("やまだ", "ヤマダ", "ﾔﾏﾀﾞ"):
        assert refs(f"{REVIEW}/sme?q={typed}") == {special.reference}, typed
    # Name, partial corporate number (full-width too), e-mail (any case) and reference number.
    assert refs(f"{REVIEW}/sme?q=工務店") == {special.reference}
    assert refs(f"{REVIEW}/sme?q=１２０５０") == {special.reference}
    assert refs(f"{REVIEW}/sme?q=yamada@example") == {special.reference}
    assert refs(f"{REVIEW}/sme?q={made[4].reference.lower()}") == {made[4].reference}
    assert refs(f"{REVIEW}/experts?q=やまだ") != set()
    # Status and date range (JST days of the program's clock, as submission dates are).
    assert refs(f"{REVIEW}/sme?status=approved") == set()
    today = program_clock.program_now().astimezone(JST).date().isoformat()
    assert len(refs(f"{REVIEW}/sme?from={today}&to={today}&q=サンプル")) == 25
    assert refs(f"{REVIEW}/sme?to=2020-01-01") == set()
    assert refs(f"{REVIEW}/sme?from=2021-06-02") == set()
    # Wildcards typed are plain characters.
    assert refs(f"{REVIEW}/sme?q=%25") == set()
    # Filters stay on the pagination links.
    html = clerk.get(f"{REVIEW}/sme?q=サンプル").get_data(as_text=True)
    assert "page=2" in html and "q=%E3%82%B5" in html


def test_htmx_search_answers_with_the_results_only(desk, users):
    _u, clerk = desk
    submit(users, "sme", sme_answers())
    r = clerk.get(f"{REVIEW}/sme?q=テスト", headers={"HX-Request": "true", "HX-Request-Type": "partial"})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" not in body and 'id="results"' in body and "テスト商事" in body
    page = clerk.get(f"{REVIEW}/sme?q=テスト").get_data(as_text=True)
    form = next(f for f in inspect(page).forms if f.get("method") == "get")
    assert form["data-hx-get"] == form["action"] and form["data-hx-push-url"] == "true"


def test_change_requests_have_their_own_queue(app, users, desk, submitted_sme):
    from dxapp.services import applications

    _u, clerk = desk
    sme, client, registration = submitted_sme
    clerk_user = desk[0]
    applications.move(registration, "under_review", version=registration.version, actor_id=clerk_user.id)
    applications.move(registration, "approved", version=registration.version, actor_id=clerk_user.id)
    go(client, "business-details", {**DETAILS, "name": "株式会社やまだ商店ホールディングス"})
    assert client.submit(f"{BASE}/submit", page=f"{BASE}/check-answers").status_code == 303
    change = db.session.scalars(select(Application).where(Application.change_of_id == registration.id)).one()
    assert change.reference in text_of(clerk.get(f"{REVIEW}/changes"))
    assert change.reference not in text_of(clerk.get(f"{REVIEW}/sme"))
    assert change.reference in text_of(clerk.get(f"{REVIEW}/changes?kind=sme"))
    assert change.reference not in text_of(clerk.get(f"{REVIEW}/changes?kind=expert"))
    # Approving the change puts it in force, and the registration is found under its new name.
    detail = f"{REVIEW}/applications/{change.id}"
    clerk.submit(f"{detail}/pick-up", page=detail)
    assert clerk.submit(f"{detail}/approve", page=detail).status_code == 303
    assert registration.reference in text_of(clerk.get(f"{REVIEW}/sme?q=ホールディングス"))


# ----------------------------------------------------------------------------------------- detail

def test_detail_shows_answers_decision_documents_and_timeline(desk, submitted_sme):
    _u, clerk = desk
    _sme, _c, application = submitted_sme
    response = clerk.get(f"{REVIEW}/applications/{application.id}")
    assert len(gzip.compress(response.get_data())) <= 14 * 1024  # UX.md page budget
    page = text_of(response)
    assert "株式会社やまだ商店" in page and "7000012050002" in page and "ヤマダ タロウ" in page
    # The rules' reasons with their citations, named as the program's own documents (issue 11 item 12).
    assert "事業案内: 中小企業の範囲" in page
    assert "seed " not in page and "DOMAIN.md" not in page and "design" not in page
    assert "履歴事項全部証明書.pdf" in page
    assert "申請済み" in page


def test_document_download_is_an_audited_attachment(app, users, desk, submitted_sme):
    _u, clerk = desk
    sme, _c, application = submitted_sme
    from dxapp.models import Document

    document = db.session.scalars(select(Document)).one()
    detail = f"{REVIEW}/applications/{application.id}"
    r = clerk.submit(f"{detail}/documents/{document.id}", page=detail)
    assert r.status_code == 200 and r.data.startswith(b"%PDF-")
    assert r.headers["Content-Disposition"].startswith("attachment")
    assert r.headers["Cache-Control"] == "no-store" and r.headers["X-Content-Type-Options"] == "nosniff"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "document.downloaded_by_staff")).one()
    assert event.actor_id == desk[0].id and event.object_id == str(document.id)
    # A document of another applicant is not reachable through this application.
    other = submit(users, "sme", sme_answers(corporate_number=None))
    r = clerk.submit(f"{REVIEW}/applications/{other.id}/documents/{document.id}", page=detail)
    assert r.status_code == 404
    # Without a CSRF token: refused.
    assert clerk.post(f"{detail}/documents/{document.id}").status_code == 400


def signal_links(clerk, application) -> str:
    return clerk.get(f"{REVIEW}/applications/{application.id}").get_data(as_text=True)


def test_signal_same_person_registered_twice(users, desk):
    _u, clerk = desk
    first = submit(users, "expert", expert_answers(name="鈴木 一郎", birth="1975-05-05", bank=None, street="A-1"))
    second = submit(users, "expert", expert_answers(name="鈴木　一郎", birth="1975-05-05", bank=None, street="B-2",
                                                    phone="+81612345678"))
    other = submit(users, "expert", expert_answers(name="鈴木 一郎", birth="1975-05-06", bank=None, street="C-3",
                                                   phone="+81612340000"))
    html = signal_links(clerk, second)
    assert 'id="signal-same_person"' in html
    assert f'/review/applications/{first.id}"' in html
    assert f'/review/applications/{other.id}"' not in html


def test_signal_one_bank_account_for_several_experts(users, desk):
    _u, clerk = desk
    first = submit(users, "expert", expert_answers(name="甲 一郎", bank=("0001", "001", "7654321"), street="A-1"))
    second = submit(users, "expert", expert_answers(name="乙 二郎", bank=("０００１", "001", "7654321"), street="B-1",
                                                    phone="+81612345678"))
    html = signal_links(clerk, second)
    assert f'/review/applications/{first.id}"' in html
    lonely = submit(users, "expert", expert_answers(name="丙 三郎", bank=("0005", "001", "7654321"), street="C-1",
                                                    phone="+81612340000"))
    assert 'id="signal-' not in signal_links(clerk, lonely)
    assert 'id="signal-shared_bank"' in html


@pytest.mark.parametrize("shared", ["address", "phone", "representative"])
def test_signal_expert_and_sme_share_address_phone_or_representative(users, desk, shared):
    _u, clerk = desk
    sme_kwargs = {"street": "本町1丁目2番3号", "phone": "03-9999-0000", "representative": "中村 二郎"}
    expert_kwargs = {"street": "他町9-9", "phone": "+81611110000", "name": "別人 三郎"}
    if shared == "address":
        expert_kwargs["street"] = "本町１－２－３"
    elif shared == "phone":
        expert_kwargs["phone"] = "+81399990000"
    else:
        expert_kwargs["name"] = "中村　二郎"
    sme = submit(users, "sme", sme_answers(corporate_number=None, **sme_kwargs))
    expert = submit(users, "expert", expert_answers(bank=None, **expert_kwargs))
    assert f'id="signal-shared_{shared}"' in signal_links(clerk, expert)
    assert f'/review/applications/{sme.id}"' in signal_links(clerk, expert)
    assert f'/review/applications/{expert.id}"' in signal_links(clerk, sme)


def test_signal_corporate_number_already_registered(users, desk):
    _u, clerk = desk
    first = submit(users, "sme", sme_answers(corporate_number="7000012050002", phone=None, street="A-1"))
    second = submit(users, "supporter", steps(corporation={"corporate_number": "7000-0120-50002", "name": "別法人",
                                                           "representative_name": "別 人"}))
    html = signal_links(clerk, second)
    assert 'id="signal-corporate_number_taken"' in html
    assert f'/review/applications/{first.id}"' in html


def test_tolerant_of_answers_without_a_wizard(users, desk):
    """Kinds whose wizard is still being built: the stored values are shown as they are."""
    _u, clerk = desk
    application = submit(users, "supporter", steps(corporation={"name": "株式会社支援", "corporate_number": "7000012050002"},
                                                   certification={"certification_number": "IT-123"}))
    page = clerk.get(f"{REVIEW}/applications/{application.id}")
    assert page.status_code == 200 and "IT-123" in text_of(page)
    assert application.reference in text_of(clerk.get(f"{REVIEW}/supporters?q=支援"))


# ----------------------------------------------------------------------------------------- actions

def test_pick_up_return_resubmit_approve_round_trip(app, users, desk, submitted_sme):
    clerk_user, clerk = desk
    sme, client, application = submitted_sme
    detail = f"{REVIEW}/applications/{application.id}"
    # Pick up: under review, held by this clerk (shown in the queue and on the page).
    assert clerk.submit(f"{detail}/pick-up", page=detail).status_code == 303
    application = refreshed(application)
    assert application.status == "under_review" and application.holder_id == clerk_user.id
    assert "窓口 一子" in text_of(clerk.get(f"{REVIEW}/sme?status=under_review"))
    assert len(mails("review-picked-up")) == 1
    # Return without any note: 422, nothing changes.
    r = clerk.submit(f"{detail}/return", {})
    assert r.status_code == 422 and refreshed(application).status == "under_review"
    # Return with a note on one step.
    page = clerk.get(f"{detail}/return").get_data(as_text=True)
    labels = dict(re.findall(r'<label for="(flag_\d+)">([^<]+)', page))
    details_field = next(k for k, v in labels.items() if v.strip() in ("Name and representative", "名称と代表者"))
    r = clerk.submit(f"{detail}/return", {details_field: "商号が登記事項証明書と一致しません。", "note": "ご確認ください"})
    assert r.status_code == 303
    application = refreshed(application)
    assert application.status == "returned"
    assert application.flags == {"business-details": "商号が登記事項証明書と一致しません。"}
    mail = mails("review-returned")[0]
    assert mail.recipient == sme.email and "商号が登記事項証明書と一致しません。" in mail.body
    # The SME sees exactly the flagged note and re-enters only that step.
    assert "商号が登記事項証明書と一致しません。" in text_of(client.get("/sme/"))
    assert client.get(f"{BASE}/check-answers").headers["Location"].endswith(f"{BASE}/business-details")
    go(client, "business-details", {**DETAILS, "name": "株式会社山田商店"})
    assert client.submit(f"{BASE}/submit", page=f"{BASE}/check-answers").status_code == 303
    application = refreshed(application)
    assert application.status == "resubmitted" and application.display_name == "株式会社山田商店"
    assert application.reference in text_of(clerk.get(f"{REVIEW}/sme?status=resubmitted"))
    # Pick up again and approve.
    clerk.submit(f"{detail}/pick-up", page=detail)
    r = clerk.submit(f"{detail}/approve", {"note": "ご協力ありがとうございました。"}, page=detail)
    assert r.status_code == 303
    application = refreshed(application)
    assert application.status == "approved"
    assert "ご協力ありがとうございました。" in mails("review-approved")[0].body
    assert [e.to_status for e in application.events] == ["submitted", "under_review", "returned", "resubmitted",
                                                         "under_review", "approved"]
    assert all(e.actor_id == clerk_user.id for e in application.events if e.to_status in ("under_review", "returned",
                                                                                          "approved"))
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(application.id),
                                                                     AuditEvent.object_type == "application")))
    assert {"application.under_review", "application.returned", "application.approved"} <= actions
    timeline = text_of(clerk.get(detail))
    assert "窓口 一子" in timeline and "ご協力ありがとうございました。" in timeline


def test_reject_needs_a_reason_and_tells_the_applicant(app, admin, submitted_sme):
    admin_user, staff = admin
    sme, _c, application = submitted_sme
    detail = f"{REVIEW}/applications/{application.id}"
    staff.submit(f"{detail}/pick-up", page=detail)
    r = staff.submit(f"{detail}/reject", {"reason": "  "})
    assert r.status_code == 422 and refreshed(application).status == "under_review"
    r = staff.submit(f"{detail}/reject", {"reason": "みなし大企業に該当します。"})
    assert r.status_code == 303
    application = refreshed(application)
    assert application.status == "rejected"
    assert application.events[-1].note == "みなし大企業に該当します。" and application.events[-1].actor_id == admin_user.id
    assert "みなし大企業に該当します。" in mails("review-rejected")[0].body
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "application.rejected")) == 1


def test_two_clerks_at_once_the_second_gets_409_and_keeps_what_they_wrote(app, users, login, desk, admin,
                                                                           submitted_sme):
    _d, first = desk
    _a, second = admin
    _s, _c, application = submitted_sme
    detail = f"{REVIEW}/applications/{application.id}"
    page_first = first.get(detail).get_data(as_text=True)
    page_second = second.get(detail).get_data(as_text=True)

    def form_values(html, action):
        c = inspect(html)
        index = next(i for i, f in enumerate(c.forms) if f.get("action") == action)
        return {i["name"]: i.get("value", "") for i in c.inputs if i.get("_form") == index and i.get("type") == "hidden"}

    pick = f"{detail}/pick-up"
    assert first.post(pick, data=form_values(page_first, pick)).status_code == 303
    r = second.post(pick, data=form_values(page_second, pick))
    assert r.status_code == 409
    application = refreshed(application)
    assert application.holder_id == desk[0].id and len(application.events) == 2
    # Both open the decision; the first approves, the second's return is refused with the notes kept.
    approve_page = first.get(detail).get_data(as_text=True)
    return_page = second.get(f"{detail}/return").get_data(as_text=True)
    approve = f"{detail}/approve"
    assert first.post(approve, data=form_values(approve_page, approve)).status_code == 303
    data = form_values(return_page, f"{detail}/return")
    data["flag_0"] = "これは残ります"
    r = second.post(f"{detail}/return", data=data)
    assert r.status_code == 409 and "これは残ります" in text_of(r)
    application = refreshed(application)
    assert application.status == "approved" and application.flags == {}
    assert len(mails("review-returned")) == 0 and len(mails("review-approved")) == 1


def test_actions_refuse_a_missing_or_forged_version(desk, submitted_sme):
    _u, clerk = desk
    _s, _c, application = submitted_sme
    detail = f"{REVIEW}/applications/{application.id}"
    token = clerk.csrf_from(detail)
    assert clerk.post(f"{detail}/pick-up", data={"csrf_token": token}).status_code == 400
    assert clerk.post(f"{detail}/pick-up", data={"csrf_token": token, "version": "7"}).status_code == 409
    assert clerk.post(f"{detail}/approve", data={"csrf_token": token, "version": "1"}).status_code == 409
    assert refreshed(application).status == "submitted"


def test_demo_data_fills_the_queue(app, client, login):
    """`make run`: desk@demo.example sees applications waiting, one held by them, one resubmitted."""
    from dxapp.demo import DEMO_PASSWORD
    from dxapp.demo import seed as seed_demo
    from dxapp.services import accounts

    seed_demo()
    seed_demo()  # idempotent
    statuses = sorted(db.session.scalars(select(Application.status).where(Application.kind == "sme",
                                                                          Application.email.like("%@demo.example"))))
    assert statuses.count("submitted") >= 3 and "under_review" in statuses and "resubmitted" in statuses
    clerk = accounts.find_by_email("desk@demo.example")
    login(client, clerk, password=DEMO_PASSWORD)
    page = client.get(f"{REVIEW}/sme?status=submitted")
    assert 'data-total="0"' not in page.get_data(as_text=True)
    held = db.session.scalars(select(Application).where(Application.status == "under_review",
                                                        Application.holder_id == clerk.id)).first()
    assert held is not None and held.display_name
    from dxapp.services import review

    assert [d.purpose for d in review.documents_of(held)] == ["registration_certificate"]
