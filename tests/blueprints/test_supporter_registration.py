"""The SME-supporter corporation's registration wizard: every step, the certificate upload, inviting a
further administrator, submit once, confirmation and My Page (issue #5, "SME-supporter corporation")."""

import re

import pytest
from sqlalchemy import func, select

from dxapp.extensions import db
from dxapp.models import Application, AuditEvent, Document, OutboxMessage, User
from dxapp.rules import references
from tests.fixtures.factories import decide
from tests.fixtures.pages import inspect, text_of
from tests.fixtures.supporter_answers import BANK, CERTIFICATION, CORPORATION
from tests.fixtures.walks import SUPPORTER as BASE
from tests.fixtures.walks import supporter as walk
from tests.fixtures.walks import supporter_fill_all as fill_all
from tests.fixtures.walks import supporter_submit as submit
from tests.fixtures.walks import supporter_upload_certificate as upload_certificate

go = walk.go


def approve(application):
    """The secretariat's approval (its pages are another area's): moves through the service."""
    decide(application, "under_review", "approved")


@pytest.fixture
def supporter(client, users, login):
    user = users("supporter_admin")
    login(client, user)
    return user


def test_full_registration_submits_one_application(client, supporter):
    fill_all(client)
    check = client.get(f"{BASE}/check-answers")
    body = text_of(check)
    assert "株式会社デジタル支援" in body and "第2021-0123号" in body and "認定通知書.pdf" in body
    assert "7000012050002" in body and "ｶﾌﾞｼｷｶﾞｲｼﾔﾃﾞｼﾞﾀﾙｼｴﾝ" in body  # as the rules normalise them
    token = {i["name"]: i.get("value", "") for i in inspect(check.get_data(as_text=True)).inputs}["submit_token"]
    r = client.submit(f"{BASE}/submit", page=f"{BASE}/check-answers")
    assert r.status_code == 303 and "/supporter/register/sent/" in r.headers["Location"]
    page = client.get(r.headers["Location"])
    assert page.status_code == 200 and "受付番号" in text_of(page)
    # A replayed submit (double click, back button) finds the first submission.
    again = client.post(f"{BASE}/submit", data={"submit_token": token, "csrf_token": client.csrf_from("/supporter/")})
    assert again.status_code == 303 and again.headers["Location"] == r.headers["Location"]
    application = db.session.scalars(select(Application)).one()
    assert application.kind == "supporter" and application.status == "submitted"
    assert references.valid("supporter_application", application.reference)
    steps = application.answers["steps"]
    corporation = steps["corporation"]["data"]
    assert corporation["corporate_number"] == "7000012050002" and corporation["name_kana"] == "カブシキガイシャデジタルシエン"
    assert corporation["postal_code"] == "1000001"
    bank = steps["bank"]["data"]
    assert (bank["bank_code"], bank["branch_code"], bank["account_number"], bank["account_type"]) == \
        ("0001", "001", "1234567", "ordinary")
    assert bank["account_holder"] == "ｶﾌﾞｼｷｶﾞｲｼﾔﾃﾞｼﾞﾀﾙｼｴﾝ" and bank["account_owner"] == "corporate"
    assert bank["account_corporate_number"] == "7000012050002"
    assert steps["certification"]["data"]["certified_on"] == "2021-04-01"
    # The name is put in force by the approval, not by the submission.
    assert db.session.get(User, supporter.id).organisation.name is None
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.kind == "supporter-application-received")) == 1
    mypage = text_of(client.get("/supporter/"))
    assert application.reference in mypage and "申請済み" in mypage


@pytest.mark.parametrize("field,value", [
    ("corporate_number", "1234567890123"),  # wrong check digit
    ("corporate_number", ""),
    ("name_kana", "Digital"),
    ("postal_code", "12"),
    ("phone", "abc"),
    ("name", ""),
])
def test_corporation_step_refuses_bad_values(client, supporter, field, value):
    r = go(client, "corporation", {**CORPORATION, field: value}, expect=422)
    assert f'id="{field}-error"' in r.get_data(as_text=True)


def test_corporation_postal_lookup_fills_the_address(client, supporter):
    r = client.get(f"{BASE}/corporation/check", query_string={**CORPORATION, "prefecture": "", "city": "",
                                                              "street": ""})
    assert r.status_code == 200
    assert "千代田区" in r.get_data(as_text=True)


def test_certification_needs_a_certificate_and_a_date(client, supporter):
    go(client, "corporation", CORPORATION)
    r = go(client, "certification", CERTIFICATION, expect=422)
    assert "認定通知書.pdf" not in text_of(r) and 'id="certificate-error"' in r.get_data(as_text=True)
    r = go(client, "certification", {**CERTIFICATION, "certified_on-year": ""}, expect=422)
    assert 'id="certified_on-error"' in r.get_data(as_text=True)
    r = go(client, "certification", {**CERTIFICATION, "certified_on-year": "2022", "certified_on-era": "western"},
           expect=422)  # after today (2021-06-01 in the program)
    assert 'id="certified_on-error"' in r.get_data(as_text=True)
    upload_certificate(client, content=b"not a pdf", expect=422)
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0
    upload_certificate(client)
    doc = db.session.scalars(select(Document)).one()
    assert doc.purpose == "supporter_certificate" and doc.organisation_id == supporter.organisation_id
    download = client.get(f"/supporter/documents/{doc.id}")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    go(client, "certification", CERTIFICATION)
    # Removing the certificate afterwards: check-answers sends the user back to upload one.
    r = client.submit(f"{BASE}/certification/{doc.id}/remove", page=f"{BASE}/certification")
    assert r.status_code == 303
    go(client, "administrators", {})
    go(client, "bank", BANK)
    go(client, "declaration", {"agree_terms": "y"})
    r = client.get(f"{BASE}/check-answers")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"{BASE}/certification")


def test_another_corporation_cannot_download_the_certificate(client, supporter, users, app):
    go(client, "corporation", CORPORATION)
    upload_certificate(client)
    doc = db.session.scalars(select(Document)).one()
    from tests.fixtures.app import PASSWORD
    other_user = users("supporter_admin")
    other = app.test_client()
    other.submit("/account/login", {"email": other_user.email, "password": PASSWORD})
    assert other.get(f"/supporter/documents/{doc.id}").status_code == 404


@pytest.mark.parametrize("field,value", [
    ("bank_code", "12"), ("branch_code", "12a4"), ("account_number", "123456"), ("account_holder", "鈴木"),
    ("account_type", ""),
])
def test_bank_step_validates(client, supporter, field, value):
    go(client, "corporation", CORPORATION)
    upload_certificate(client)
    go(client, "certification", CERTIFICATION)
    go(client, "administrators", {})
    r = go(client, "bank", {**BANK, field: value}, expect=422)
    assert f'id="{field}-error"' in r.get_data(as_text=True) or f'id="{field}-0"' in r.get_data(as_text=True)


def test_declaration_required(client, supporter):
    go(client, "corporation", CORPORATION)
    upload_certificate(client)
    go(client, "certification", CERTIFICATION)
    go(client, "administrators", {})
    go(client, "bank", BANK)
    go(client, "declaration", {}, expect=422)


def test_first_administrator_invites_another(client, supporter, app):
    go(client, "corporation", CORPORATION)
    upload_certificate(client)
    go(client, "certification", CERTIFICATION)
    r = client.submit("/supporter/administrators?from=wizard", {"name": "管理 二郎", "email": "kanri2@example.jp"},
                      page=f"{BASE}/administrators")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"{BASE}/administrators")
    admin = db.session.scalars(select(User).where(User.email == "kanri2@example.jp")).one()
    assert admin.role == "supporter_admin" and admin.organisation_id == supporter.organisation_id
    assert admin.password_hash is None
    assert "kanri2@example.jp" in text_of(client.get(f"{BASE}/administrators"))
    # An address with an account already is refused.
    r = client.submit("/supporter/administrators", {"name": "重複", "email": supporter.email})
    assert r.status_code == 422
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "supporter-admin-invitation")).one()
    link = re.search(r"http://localhost(/\S+)", mail.body).group(1)
    other = app.test_client()
    password = "second administrator passphrase"  # noqa: S105
    r = other.submit(link, {"password": password, "password_confirm": password})
    assert r.status_code == 303
    r = other.submit("/account/login", {"email": "kanri2@example.jp", "password": password})
    assert r.status_code == 303 and r.headers["Location"].endswith("/supporter/")
    other.submit("/account/consent", {"agree_terms": "y", "agree_privacy": "y"})
    # The second administrator continues the same draft (it belongs to the corporation).
    page = other.get(f"{BASE}/corporation")
    assert "株式会社デジタル支援" in page.get_data(as_text=True)
    assert "supporter.admin_invited" in db.session.scalars(select(AuditEvent.action)).all()


def test_mypage_before_and_after_approval(client, supporter):
    assert "登録" in text_of(client.get("/supporter/"))
    submit(client)
    application = db.session.scalars(select(Application)).one()
    approve(application)
    body = text_of(client.get("/supporter/"))
    assert "株式会社デジタル支援" in body
    from dxapp.services import affiliations
    assert affiliations.registered_supporters() == [(supporter.organisation_id, "株式会社デジタル支援")]
    assert affiliations.is_registered_supporter(str(supporter.organisation_id))


def test_other_roles_cannot_open_the_wizard(client, users, login):
    login(client, users("sme"))
    assert client.get(f"{BASE}/").status_code == 403
    assert client.get("/supporter/experts").status_code == 403


def test_one_open_application_and_the_registration_window(client, supporter, program_clock):
    from datetime import datetime

    from dxapp.clock import JST
    go(client, "corporation", CORPORATION)
    program_clock.set(datetime(2021, 10, 1, 0, 0, tzinfo=JST))  # after the registration window
    client.submit("/account/consent", {"agree_terms": "y", "agree_privacy": "y"})  # terms changed meanwhile
    r = go(client, "corporation", CORPORATION, expect=403)
    assert 'href="/supporter/"' in r.get_data(as_text=True)
    assert client.get(f"{BASE}/corporation").status_code == 200  # the draft stays readable
    program_clock.set(datetime(2021, 9, 30, 23, 0, tzinfo=JST))
    submit(client)
    # The wizard's pages show the application sent (issue 11 item 9); a POST from an old page is refused.
    sent = client.get(f"{BASE}/corporation")
    assert sent.status_code == 303 and "/supporter/register/sent/" in sent.headers["Location"]
    r = client.submit(f"{BASE}/corporation", CORPORATION, page=sent.headers["Location"])
    assert r.status_code == 409 and 'href="/supporter/"' in r.get_data(as_text=True)


def test_returned_application_is_corrected_and_resubmitted(client, supporter):
    from dxapp.services import applications
    submit(client)
    application = db.session.scalars(select(Application)).one()
    applications.move(application, "under_review", version=application.version, actor_id=None)
    applications.move(application, "returned", version=application.version, actor_id=None,
                      flags={"certification": "認定番号が認定通知書と一致しません。"})
    body = text_of(client.get("/supporter/"))
    assert "認定番号が認定通知書と一致しません。" in body
    tasks = client.get(f"{BASE}/")
    assert tasks.status_code == 200
    go(client, "certification", {**CERTIFICATION, "certification_number": "第2021-0124号"})
    r = client.get(f"{BASE}/check-answers")
    assert r.status_code == 200 and "第2021-0124号" in text_of(r)
    r = client.submit(f"{BASE}/submit", page=f"{BASE}/check-answers")
    assert r.status_code == 303
    db.session.refresh(application)
    assert application.status == "resubmitted"
    assert application.answers["steps"]["certification"]["data"]["certification_number"] == "第2021-0124号"
