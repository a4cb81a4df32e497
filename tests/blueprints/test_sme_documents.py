"""Step 6 of the SME registration wizard: confirmation documents (issue "SME registration", step 6 and
Tests; SECURITY.md rule 9): checked by content, at most 3 MB, stored under generated names, downloaded
as attachments through the owner's scope, removed and replaced with audit rows, required per legal form."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dxapp.extensions import db
from dxapp.models import Application, AuditEvent, Document, WizardDraft
from dxapp.services import documents
from tests.fixtures.app import PASSWORD
from tests.fixtures.pages import inspect, text_of
from tests.fixtures.sme_answers import ADDRESS, DETAILS, EXCLUSIONS, PDF, SIZE, TYPE
from tests.fixtures.walks import SME as BASE
from tests.fixtures.walks import sme as walk
from tests.fixtures.walks import sme_fill_all as fill_all
from tests.fixtures.walks import sme_upload as upload

go = walk.go

STEP = f"{BASE}/documents"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
STORED = re.compile(r"^[0-9a-f]{32}\.(pdf|jpg|png)$")
WRONG_TYPE = "PDF・JPEG・PNGのファイルを選んでください"
MB = 1024 * 1024


@pytest.fixture
def sme(client, users, login):
    user = users("sme")
    login(client, user)
    return user


@pytest.fixture
def upload_dir(app) -> Path:
    return Path(app.config["UPLOAD_DIR"])


def to_documents_step(client, legal_form="company"):
    """Answer steps 1-5 so that the documents step can be opened."""
    if legal_form == "sole_proprietor":
        go(client, "business-type", {"legal_form": "sole_proprietor", "industry": "retail"})
        go(client, "business-details", {**DETAILS, "name": "やまだ商店", "corporate_number": "",
                                         "representative_title": "代表"})
        go(client, "address", ADDRESS)
        go(client, "size", {"capital": "", "employees": "3"})
        go(client, "taxable-income", {"avg_taxable_income": "", "no_antisocial_ties": "y"})
        return
    else:
        business_type = {"legal_form": legal_form, "industry": "retail"}
        if legal_form != "company":
            business_type["carries_on_business"] = "yes"
        go(client, "business-type", business_type)
        go(client, "business-details", DETAILS)
        go(client, "address", ADDRESS)
        go(client, "size", SIZE if legal_form == "company" else {"capital": "", "employees": "12"})
    go(client, "exclusions", EXCLUSIONS)


def post_file(client, url, content, name, *, data=None, mimetype=None, page=STEP):
    file = (io.BytesIO(content), name, mimetype) if mimetype else (io.BytesIO(content), name)
    return client.submit(url, {**(data or {}), "file": file}, page=page, content_type="multipart/form-data")


def rows(owner=None, *, include_deleted=False):
    query = select(Document).order_by(Document.id)
    if owner is not None:
        query = query.where(Document.owner_user_id == owner.id)
    if not include_deleted:
        query = query.where(Document.deleted_at.is_(None))
    found = list(db.session.scalars(query))
    db.session.rollback()
    return found


def audit_actions(prefix="document."):
    found = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.startswith(prefix))
                                    .order_by(AuditEvent.id)))
    db.session.rollback()
    return found


# ------------------------------------------------------------------------------------------------------
# Uploading
# ------------------------------------------------------------------------------------------------------

def test_upload_pdf_jpeg_png_detected_by_content(client, sme, upload_dir):
    to_documents_step(client)
    page = client.get(STEP)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in html
    assert f'action="{BASE}/documents/upload"' in html
    upload(client, "registration_certificate", "登記簿.pdf", PDF)
    upload(client, "other", "photo.jpeg", JPEG)
    upload(client, "other", "scan.png", PNG)
    found = rows(sme)
    assert [(d.original_name, d.content_type) for d in found] == [
        ("登記簿.pdf", "application/pdf"), ("photo.jpeg", "image/jpeg"), ("scan.png", "image/png")]
    for document, content in zip(found, (PDF, JPEG, PNG), strict=True):
        assert STORED.match(document.stored_name)
        assert document.size_bytes == len(content)
        assert document.sha256 == hashlib.sha256(content).hexdigest()
        assert (upload_dir / document.stored_name).read_bytes() == content
        assert document.organisation_id == sme.organisation_id
    assert [d.stored_name.rsplit(".", 1)[1] for d in found] == ["pdf", "jpg", "png"]
    assert audit_actions() == ["document.uploaded"] * 3
    # Listed back with name, size and a download link.
    page = client.get(STEP)
    html = page.get_data(as_text=True)
    for document in found:
        assert document.original_name in html
        assert f'href="/sme/documents/{document.id}"' in html
        assert f"/sme/register/documents/{document.id}/replace" in html
        assert f"/sme/register/documents/{document.id}/remove" in html
    assert "1 KB" in text_of(page)


def test_name_and_mimetype_are_not_trusted(client, sme):
    to_documents_step(client)
    # PNG bytes sent as "scan.pdf" with application/pdf: stored as what they are.
    r = post_file(client, f"{BASE}/documents/upload", PNG, "scan.pdf", data={"purpose": "other"},
                  mimetype="application/pdf")
    assert r.status_code == 303
    (document,) = rows(sme)
    assert document.content_type == "image/png" and document.stored_name.endswith(".png")
    # Text with an image name and type: refused.
    r = post_file(client, f"{BASE}/documents/upload", b"<svg onload=alert(1)>", "x.png",
                  data={"purpose": "other"}, mimetype="image/png")
    assert r.status_code == 422 and WRONG_TYPE in text_of(r)
    assert len(rows(sme)) == 1


def test_wrong_content_is_422_with_the_message_beside_the_field(client, sme, upload_dir):
    to_documents_step(client)
    r = post_file(client, f"{BASE}/documents/upload", b"This is just text, not a PDF.\n", "certificate.pdf",
                  data={"purpose": "registration_certificate"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    c = inspect(html)
    assert c.error_summary and c.title.startswith("エラー: ")
    assert 'href="#file"' in html and 'id="file-error"' in html
    assert html.count(WRONG_TYPE) == 2  # in the summary and beside the field
    assert 'aria-invalid="true"' in html
    assert rows() == [] and audit_actions() == []
    assert not upload_dir.exists() or list(upload_dir.iterdir()) == []
    # An empty file and no file at all are explained too.
    r = post_file(client, f"{BASE}/documents/upload", b"", "empty.pdf", data={"purpose": "other"})
    assert r.status_code == 422
    r = client.submit(f"{BASE}/documents/upload", {"purpose": "other"}, page=STEP,
                      content_type="multipart/form-data")
    assert r.status_code == 422 and 'href="#file"' in r.get_data(as_text=True)
    # A purpose that is not offered is refused.
    r = post_file(client, f"{BASE}/documents/upload", PDF, "a.pdf", data={"purpose": "passport"})
    assert r.status_code == 422 and 'href="#purpose-0"' in r.get_data(as_text=True)


def answers_of(user):
    draft = db.session.scalar(select(WizardDraft).where(WizardDraft.user_id == user.id))
    answers = draft.answers
    db.session.rollback()
    return answers


@pytest.mark.parametrize("size", [3 * MB + 1, 5 * MB])
def test_too_big_is_the_413_page_and_keeps_the_other_answers(client, sme, size):
    to_documents_step(client)
    before = answers_of(sme)
    r = post_file(client, f"{BASE}/documents/upload", b"%PDF-" + b"0" * (size - 5), "big.pdf",
                  data={"purpose": "registration_certificate"})
    assert r.status_code == 413
    body = text_of(r)
    assert "ファイルのサイズが大きすぎます" in body and "3MB" in body
    assert f'href="{STEP}"' in r.get_data(as_text=True)  # the way back to the step
    assert r.headers["Cache-Control"] == "no-store"
    assert rows() == []
    assert answers_of(sme) == before
    address = client.get(f"{BASE}/address").get_data(as_text=True)
    assert 'value="千代田区"' in address and 'value="03-1234-5678"' in address
    assert client.get(STEP).status_code == 200


def test_exactly_3_mb_is_accepted(client, sme):
    to_documents_step(client)
    upload(client, "registration_certificate", "max.pdf", b"%PDF-" + b"0" * (3 * MB - 5))
    assert rows(sme)[0].size_bytes == 3 * MB
    assert "3.0 MB" in text_of(client.get(STEP))


def test_too_big_replacement_is_the_413_page(client, sme):
    to_documents_step(client)
    upload(client, "registration_certificate")
    (document,) = rows(sme)
    r = post_file(client, f"{BASE}/documents/{document.id}/replace", b"%PDF-" + b"0" * (4 * MB), "big.pdf")
    assert r.status_code == 413 and f'href="{STEP}"' in r.get_data(as_text=True)
    assert [d.id for d in rows(sme)] == [document.id]


@pytest.mark.parametrize("name, shown", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\windows\\win.ini.pdf", None),  # the multipart parser may already drop the backslashes
    ("運転免許証.pdf", "運転免許証.pdf"),
    ("/absolute/path.pdf", "path.pdf"),
    ("..", "document.pdf"),
])
def test_stored_name_is_generated_never_from_the_user(client, sme, upload_dir, tmp_path, name, shown):
    to_documents_step(client)
    upload(client, "registration_certificate", name, PDF)
    (document,) = rows(sme)
    assert STORED.match(document.stored_name)
    assert document.original_name == shown if shown else not re.search(r"[/\\]|^\.", document.original_name)
    assert sorted(p.name for p in upload_dir.iterdir()) == [document.stored_name]
    assert not (tmp_path / "etc").exists() and not (upload_dir.parent.parent / "etc" / "passwd.pdf").exists()


# ------------------------------------------------------------------------------------------------------
# Download, scope
# ------------------------------------------------------------------------------------------------------

def test_download_is_an_attachment_with_safe_headers(client, sme):
    to_documents_step(client)
    upload(client, "registration_certificate", "運転免許証.pdf", PDF)
    (document,) = rows(sme)
    r = client.get(f"/sme/documents/{document.id}")
    assert r.status_code == 200 and r.get_data() == PDF
    assert r.mimetype == "application/pdf"
    disposition = r.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E9%81%8B%E8%BB%A2%E5%85%8D%E8%A8%B1%E8%A8%BC.pdf" in disposition
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Cache-Control"] == "no-store"
    assert "ETag" not in r.headers
    # GET changes nothing: no audit row for a download.
    assert audit_actions() == ["document.uploaded"]


def test_foreign_document_id_is_404(app, client, sme, users):
    to_documents_step(client)
    upload(client, "registration_certificate")
    (mine,) = rows(sme)
    other_user = users("sme")
    other = app.test_client()
    other.submit("/account/login", {"email": other_user.email, "password": PASSWORD})
    to_documents_step(other)
    for url in (f"/sme/documents/{mine.id}",):
        assert other.get(url).status_code == 404
    for action in ("remove", "replace"):
        r = other.submit(f"{BASE}/documents/{mine.id}/{action}", {"file": (io.BytesIO(PNG), "x.png")},
                         page=STEP, content_type="multipart/form-data")
        assert r.status_code == 404, action
    assert other.get("/sme/documents/999999").status_code == 404
    # Nothing changed for the owner, and the other user sees none of it.
    assert [(d.id, d.deleted_at) for d in rows(include_deleted=True)] == [(mine.id, None)]
    assert mine.original_name not in other.get(STEP).get_data(as_text=True)
    # Other roles get no document at all.
    expert = app.test_client()
    expert_user = users("expert")
    expert.submit("/account/login", {"email": expert_user.email, "password": PASSWORD})
    assert expert.get(f"/sme/documents/{mine.id}").status_code == 403


def test_members_of_the_same_sme_share_the_documents(app, client, sme):
    """The draft belongs to the organisation, so do its documents: a contact person continues the step."""
    from dxapp import clock
    from dxapp.models import User
    from dxapp.services import accounts, passwords

    to_documents_step(client)
    upload(client, "registration_certificate")
    (document,) = rows(sme)
    member = User(email="member@example.jp", name="担当 花子", role="sme", organisation_id=sme.organisation_id,
                  password_hash=passwords.hash_password(PASSWORD), session_token=accounts.new_session_token(),
                  created_at=clock.wall_now(), email_verified_at=clock.wall_now(), totp_last_counter=0, active=True)
    db.session.add(member)
    db.session.commit()
    other = app.test_client()
    other.submit("/account/login", {"email": "member@example.jp", "password": PASSWORD})
    other.submit("/account/consent", {"agree_terms": "y", "agree_privacy": "y"})
    assert other.get(f"/sme/documents/{document.id}").get_data() == PDF
    assert document.original_name in other.get(STEP).get_data(as_text=True)
    r = other.submit(STEP, {})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"{BASE}/declaration")


def test_anonymous_download_goes_to_login(app, client, sme):
    to_documents_step(client)
    upload(client, "registration_certificate")
    (document,) = rows(sme)
    r = app.test_client().get(f"/sme/documents/{document.id}")
    assert r.status_code == 302 and "/account/login" in r.headers["Location"]


# ------------------------------------------------------------------------------------------------------
# Remove and replace
# ------------------------------------------------------------------------------------------------------

def test_remove_and_replace_write_audit_rows(client, sme, upload_dir):
    to_documents_step(client)
    upload(client, "registration_certificate", "old.pdf", PDF)
    (old,) = rows(sme)
    r = post_file(client, f"{BASE}/documents/{old.id}/replace", PNG, "new.png")
    assert r.status_code == 303 and r.headers["Location"].endswith(STEP)
    (new,) = rows(sme)
    assert new.id != old.id and new.purpose == "registration_certificate" and new.content_type == "image/png"
    replaced = db.session.get(Document, old.id)
    assert replaced.deleted_at is not None
    assert (upload_dir / old.stored_name).exists()  # soft delete: the bytes stay for the record
    db.session.rollback()
    assert client.get(f"/sme/documents/{old.id}").status_code == 404
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "document.replaced")).one()
    assert event.actor_id == sme.id and event.object_id == str(new.id) and event.summary["replaces"] == old.id
    db.session.rollback()
    # A replacement must be a PDF, JPEG or PNG too: 422 beside that document's file field.
    r = post_file(client, f"{BASE}/documents/{new.id}/replace", b"GIF89a...", "x.gif")
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert f'href="#replace-{new.id}"' in html and f'id="replace-{new.id}-error"' in html and WRONG_TYPE in html
    r = client.submit(f"{BASE}/documents/{new.id}/remove", page=STEP)
    assert r.status_code == 303
    assert rows(sme) == []
    assert audit_actions() == ["document.uploaded", "document.replaced", "document.removed"]
    assert client.submit(f"{BASE}/documents/{new.id}/remove", page=STEP).status_code == 404


def test_removing_a_needed_document_reopens_the_step(client, sme):
    to_documents_step(client)
    upload(client, "registration_certificate")
    go(client, "documents", {})
    (document,) = rows(sme)
    assert "documents" in answers_of(sme)["steps"]
    client.submit(f"{BASE}/documents/{document.id}/remove", page=STEP)
    assert "documents" not in answers_of(sme)["steps"]
    r = client.get(f"{BASE}/declaration")
    assert r.status_code == 303 and r.headers["Location"].endswith(STEP)


def test_mutations_need_csrf(client, sme):
    to_documents_step(client)
    upload(client, "registration_certificate")
    (document,) = rows(sme)
    for url in (f"{BASE}/documents/upload", f"{BASE}/documents/{document.id}/replace",
                f"{BASE}/documents/{document.id}/remove"):
        r = client.post(url, data={"purpose": "other", "file": (io.BytesIO(PDF), "a.pdf")},
                        content_type="multipart/form-data")
        assert r.status_code == 400, url
    assert len(rows(sme)) == 1


# ------------------------------------------------------------------------------------------------------
# Which documents are needed
# ------------------------------------------------------------------------------------------------------

def offered(client) -> list[str]:
    return [i.get("value") for i in inspect(client.get(STEP).get_data(as_text=True)).inputs
            if i.get("name") == "purpose"]


def test_company_needs_the_certificate_of_registered_matters(client, sme):
    to_documents_step(client, "company")
    assert offered(client) == ["registration_certificate", "other"]
    page = client.get(STEP)
    assert "履歴事項全部証明書" in text_of(page) and "3" in text_of(page)
    r = go(client, "documents", {}, expect=422)
    assert 'href="#documents"' in r.get_data(as_text=True) and inspect(r.get_data(as_text=True)).error_summary
    upload(client, "other", "会社案内.pdf")
    go(client, "documents", {}, expect=422)
    upload(client, "registration_certificate")
    r = go(client, "documents", {})
    assert r.headers["Location"].endswith(f"{BASE}/declaration")


@pytest.mark.parametrize("purpose", ["opening_notification", "tax_return"])
def test_sole_proprietor_needs_opening_notification_or_tax_return(client, sme, purpose):
    to_documents_step(client, "sole_proprietor")
    assert offered(client) == ["opening_notification", "tax_return", "other"]
    assert "開業届" in text_of(client.get(STEP)) and "確定申告書" in text_of(client.get(STEP))
    go(client, "documents", {}, expect=422)
    upload(client, purpose, "開業届.jpg", JPEG)
    go(client, "documents", {})


def test_other_forms_need_articles_or_a_certificate(client, sme):
    to_documents_step(client, "sme_association")
    assert offered(client) == ["articles", "registration_certificate", "other"]
    assert "定款" in text_of(client.get(STEP))
    go(client, "documents", {}, expect=422)
    upload(client, "articles", "定款.pdf")
    go(client, "documents", {})


def test_changing_the_legal_form_asks_for_the_new_documents(client, sme):
    to_documents_step(client, "company")
    upload(client, "registration_certificate")
    go(client, "documents", {})
    go(client, "declaration", {"agree_terms": "y"})
    assert client.get(f"{BASE}/check-answers").status_code == 200
    go(client, "business-type", {"legal_form": "sole_proprietor", "industry": "retail"})
    go(client, "business-details", {**DETAILS, "corporate_number": ""})
    # A sole proprietor answers the exclusions that apply to one (issue 11 item 7), then the documents.
    r = client.get(f"{BASE}/check-answers")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"{BASE}/taxable-income")
    go(client, "taxable-income", {"avg_taxable_income": "", "no_antisocial_ties": "y"})
    r = client.get(f"{BASE}/check-answers")
    assert r.status_code == 303 and r.headers["Location"].endswith(STEP)


def test_requirements_table():
    assert [r.alternatives for r in documents.requirements_for("company")] == [("registration_certificate",)]
    assert [r.alternatives for r in documents.requirements_for("npo")] == [("registration_certificate",)]
    assert [r.alternatives for r in documents.requirements_for("sole_proprietor")] == [
        ("opening_notification", "tax_return")]
    assert [r.alternatives for r in documents.requirements_for("commerce_association")] == [
        ("articles", "registration_certificate")]
    assert documents.requirements_for(None) == ()
    assert documents.missing("sole_proprietor", ["tax_return"]) == []
    assert documents.missing("company", ["other", "articles"]) != []


def test_detection_names_and_sizes():
    assert documents.detect(PDF) == ("application/pdf", ".pdf")
    assert documents.detect(JPEG) == ("image/jpeg", ".jpg")
    assert documents.detect(PNG) == ("image/png", ".png")
    for head in (b"", b"%PDF", b"GIF89a", b"<html>", b"\x89PNG\r\n", b"PK\x03\x04"):
        assert documents.detect(head) is None
    assert documents.display_name("a\x00b\r\n.pdf", ".pdf") == "ab.pdf"
    assert documents.display_name("", ".png") == "document.png"
    assert len(documents.display_name("あ" * 300 + ".pdf", ".pdf")) == 200
    assert documents.display_name("あ" * 300 + ".pdf", ".pdf").endswith(".pdf")
    assert documents.human_size(100) == "1 KB"
    assert documents.human_size(120 * 1024) == "120 KB"
    assert documents.human_size(int(2.4 * MB)) == "2.4 MB"


# ------------------------------------------------------------------------------------------------------
# Through the whole wizard
# ------------------------------------------------------------------------------------------------------

def test_check_answers_lists_the_files_and_the_application_keeps_them(client, sme):
    fill_all(client)
    check = client.get(f"{BASE}/check-answers")
    body = text_of(check)
    assert "履歴事項全部証明書.pdf" in body
    assert f'href="{STEP}?return=check#documents"' in check.get_data(as_text=True)
    r = client.submit(f"{BASE}/submit", page=f"{BASE}/check-answers")
    assert r.status_code == 303
    application = db.session.scalars(select(Application)).one()
    (document,) = rows(sme)
    kept = application.answers["steps"]["documents"]["data"]["documents"]
    assert kept == [{"id": document.id, "purpose": "registration_certificate", "name": "履歴事項全部証明書.pdf",
                     "content_type": "application/pdf", "size_bytes": len(PDF), "sha256": document.sha256}]
    db.session.rollback()
    # Submitted: no more changes to the documents until the application is returned.
    r = post_file(client, f"{BASE}/documents/upload", PDF, "late.pdf", data={"purpose": "other"}, page="/sme/")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"{BASE}/business-type")
    assert len(rows(sme)) == 1
    assert client.submit(f"{BASE}/documents/{document.id}/remove", page="/sme/").status_code == 303
    assert len(rows(sme)) == 1


def test_upload_before_the_earlier_steps_goes_back_to_them(client, sme):
    go(client, "business-type", TYPE)
    r = post_file(client, f"{BASE}/documents/upload", PDF, "a.pdf", data={"purpose": "other"},
                  page=f"{BASE}/business-details")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"{BASE}/business-details")
    assert rows() == []


def test_returning_from_check_answers_comes_back_there(client, sme):
    fill_all(client)
    (document,) = rows(sme)
    page = client.get(f"{STEP}?return=check")
    html = page.get_data(as_text=True)
    assert f'action="{BASE}/documents/upload?return=check"' in html
    r = post_file(client, f"{BASE}/documents/{document.id}/replace?return=check", PNG, "new.png")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"{STEP}?return=check")
    r = client.submit(STEP, {"return": "check"}, page=f"{STEP}?return=check")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"{BASE}/check-answers")


def test_uploads_are_rate_limited_per_account(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        from dxapp import clock
        from dxapp.services import accounts, passwords, terms

        user = accounts.sign_up(role="sme", name="利用者", email="limited@example.jp",
                                password_hash=passwords.hash_password(PASSWORD),
                                consented_version_ids=[v.id for v in terms.current_versions()])
        user.email_verified_at = clock.wall_now()
        db.session.commit()
        client = app.test_client()
        client.submit("/account/login", {"email": "limited@example.jp", "password": PASSWORD})
        to_documents_step(client)
        token = client.csrf_from(STEP)
        statuses = []
        for n in range(31):
            r = client.post(f"{BASE}/documents/upload", content_type="multipart/form-data",
                            data={"csrf_token": token, "purpose": "other", "file": (io.BytesIO(PDF), f"{n}.pdf")})
            statuses.append(r.status_code)
        assert statuses[:30] == [303] * 30 and statuses[30] == 429
        assert db.session.scalar(select(func.count()).select_from(Document)) == 30
        db.session.rollback()


def test_a_chosen_file_goes_up_with_save_and_continue(client, sme):
    """A file chosen but not uploaded is not lost when the applicant presses 「次へ進む」 straight away."""
    to_documents_step(client)
    r = client.submit(STEP, {"purpose": "registration_certificate", "file": (io.BytesIO(PDF), "登記簿.pdf")},
                      content_type="multipart/form-data")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"{BASE}/declaration")
    stored = db.session.scalars(select(Document)).all()
    assert [d.original_name for d in stored] == ["登記簿.pdf"]
    assert "登記簿.pdf をアップロードしました" in text_of(client.get(f"{BASE}/declaration"))


def test_a_chosen_file_goes_up_with_save_for_later(client, sme):
    to_documents_step(client)
    r = client.submit(STEP, {"purpose": "registration_certificate", "action": "save",
                             "file": (io.BytesIO(PNG), "scan.png")}, content_type="multipart/form-data")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"{BASE}/")
    assert db.session.scalar(select(func.count()).select_from(Document)) == 1


def test_a_chosen_file_that_cannot_be_taken_stops_the_step_with_the_reason(client, sme):
    to_documents_step(client)
    r = client.submit(STEP, {"purpose": "registration_certificate",
                             "file": (io.BytesIO(b"MZ\x90\x00 not a document"), "証明書.pdf")},
                      content_type="multipart/form-data")
    assert r.status_code == 422 and WRONG_TYPE in text_of(r)
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0
    draft = db.session.scalars(select(WizardDraft)).one()
    assert "documents" not in (draft.answers.get("steps") or {})


def test_the_documents_step_is_one_form_with_the_upload_button(client, sme):
    to_documents_step(client)
    c = inspect(client.get(STEP).get_data(as_text=True))
    step_forms = [f for f in c.forms if f.get("action", "").split("?")[0] == STEP]
    assert len(step_forms) == 1 and step_forms[0].get("enctype") == "multipart/form-data"
    html = client.get(STEP).get_data(as_text=True)
    assert f'formaction="{BASE}/documents/upload"' in html


@pytest.mark.parametrize("content, status", [(b"not a document", 422), (b"%PDF-" + b"0" * (4 * MB), 413)])
def test_a_rejected_boosted_upload_stays_on_the_step_url(client, sme, content, status):
    """Issue 11 item 3: with JavaScript on, the 422 and 413 pages of an upload keep the step's URL in the
    address bar (HX-Replace-Url), so Back never lands on the POST-only upload URL (a 405)."""
    to_documents_step(client)
    token = client.csrf_from(STEP)
    headers = {"HX-Request": "true", "HX-Boosted": "true", "HX-Request-Type": "full"}
    for url in (f"{BASE}/documents/upload", STEP):
        r = client.post(url, content_type="multipart/form-data", headers=headers,
                        data={"csrf_token": token, "draft_version": "1", "purpose": "registration_certificate",
                              "file": (io.BytesIO(content), "x.pdf")})
        assert r.status_code == status, url
        assert r.headers.get("HX-Replace-Url") == STEP and "HX-Push-Url" not in r.headers, url
    assert client.get(f"{BASE}/documents/upload").status_code == 405  # what Back would show
