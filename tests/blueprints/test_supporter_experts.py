"""Affiliated experts of a supporter corporation: one at a time, CSV import (UTF-8, UTF-8 with BOM,
CP932; preview with the error per cell; nothing created before confirmation; re-upload; confirm once),
invitation acceptance, resend, end, confirm/decline an expert's request, and IDOR (issue #5)."""

import io
import re

import pytest
from sqlalchemy import select

from dxapp.extensions import db
from dxapp.models import AuditEvent, OutboxMessage, User, WizardDraft
from dxapp.models.supporter import Affiliation, RosterImport
from dxapp.services import affiliations
from tests.fixtures.app import PASSWORD
from tests.fixtures.factories import registered_supporter
from tests.fixtures.pages import text_of
from tests.fixtures.roster import HEADER, count, csv_bytes, experts_count, rows, upload  # noqa: F401


@pytest.fixture
def supporter(client, users, login):
    return registered_supporter(client, users, login)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_import_in_each_encoding_previews_then_confirms(client, supporter, encoding):
    r = upload(client, csv_bytes(rows(3), encoding))
    preview_url = r.headers["Location"]
    page = client.get(preview_url)
    body = text_of(page)
    assert page.status_code == 200 and "専門家 000号" in body and "expert002@example.jp" in body
    record = db.session.scalars(select(RosterImport)).one()
    assert record.encoding == encoding and record.row_count == 3 and record.error_count == 0
    assert experts_count() == 0 and count(Affiliation) == 0  # nothing created before confirmation
    r = client.submit(f"{preview_url}/confirm", page=preview_url)
    assert r.status_code == 303 and r.headers["Location"].endswith("/supporter/experts")
    assert experts_count() == 3
    affs = db.session.scalars(select(Affiliation)).all()
    assert {a.status for a in affs} == {"invited"} and {a.requested_by for a in affs} == {"supporter"}
    assert count(OutboxMessage, OutboxMessage.kind == "supporter-expert-invitation") == 3
    assert count(AuditEvent, AuditEvent.action == "affiliation.invited") == 3
    # Each preset draft made for a new expert is audited, with the administrator as actor (issue 11
    # item 26), and is not listed as a desk edit on the expert's My Page (no on-behalf-of).
    presets = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "draft.preset")).all()
    drafts_made = {str(d.id) for d in db.session.scalars(select(WizardDraft))}
    assert len(presets) == 3 and {e.object_id for e in presets} == drafts_made
    assert {e.actor_id for e in presets} == {supporter.id} and {e.on_behalf_of_id for e in presets} == {None}
    user = db.session.scalars(select(User).where(User.email == "expert001@example.jp")).one()
    assert user.password_hash is None and user.organisation_id is None and user.name == "専門家 001号"
    draft = db.session.scalars(select(WizardDraft).where(WizardDraft.owner_key == f"user:{user.id}")).one()
    org = str(supporter.organisation_id)
    assert draft.wizard == "expert_registration"
    assert draft.answers["participation"] == {"participation": "supporter_member", "supporter_organisation_id": org}
    assert draft.answers["_preset"] == {"participation": "supporter_member", "supporter_organisation_id": org,
                                        "bank_optional": True}
    listing = client.get("/supporter/experts").get_data(as_text=True)
    assert "専門家 001号" in listing and listing.count('class="tag tag-aff-invited"') == 3


def test_errors_per_cell_and_nothing_created(client, supporter, users, app):
    users("expert", email="taken@example.jp")
    lines = [
        "山田 太郎,ヤマダ タロウ,yamada@example.jp",
        ",スズキ,suzuki@example.jp",                      # name missing
        "佐藤 花子,Sato,sato@example.jp",                  # furigana not kana
        "田中 一郎,タナカ イチロウ,tanaka@example",          # bad e-mail
        "田中 次郎,タナカ ジロウ,",                          # e-mail missing
        "重複 一郎,ジュウフク イチロウ,YAMADA@example.jp",   # duplicate within the file (case-insensitive)
        "既存 一郎,キソン イチロウ,taken@example.jp",        # has an account elsewhere: not an error
        "長い 名前," + "ア" * 101 + ",long@example.jp",     # too long
    ]
    r = upload(client, csv_bytes(lines, "cp932"))
    page = client.get(r.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    record = db.session.scalars(select(RosterImport)).one()
    assert record.row_count == 8 and record.error_count == 6
    assert html.count('class="row-error"') == 6
    assert "already registered" not in html and "登録済み" not in html
    from dxapp.blueprints.supporter_org.experts import cell_error
    with app.test_request_context("/"):
        for field, code in (("name", "missing"), ("name_kana", "not_kana"), ("email", "invalid"),
                            ("name_kana", "too_long")):
            assert cell_error(field, code) in html, (field, code)
        assert cell_error("email", "duplicate", {"duplicate_of": 2}) in html  # names the first line
    errors = {r["line"]: r["errors"] for r in record.rows}
    assert errors[2] == {}
    assert errors[3] == {"name": "missing"}
    assert errors[4] == {"name_kana": "not_kana"}
    assert errors[5] == {"email": "invalid"}
    assert errors[6] == {"email": "missing"}
    assert errors[7] == {"email": "duplicate"}
    assert errors[8] == {}
    assert errors[9] == {"name_kana": "too_long"}
    # Errors first: the first row of the table is a line with a problem, not line 2.
    first_row = re.search(r"<tbody><tr class=\"row-error\"><th scope=\"row\">(\d+)</th>", html)
    assert first_row and first_row.group(1) == "3"
    assert html.count('class="field-error"') == 6
    assert "/confirm" not in html  # no confirm button while there are errors
    r = client.submit(f"/supporter/experts/import/{record.id}/confirm", page=f"/supporter/experts/import/{record.id}")
    assert r.status_code == 303
    assert experts_count() == 1 and count(Affiliation) == 0 and count(OutboxMessage, OutboxMessage.kind ==
                                                                      "supporter-expert-invitation") == 0


def test_reupload_corrected_file(client, supporter):
    r = upload(client, csv_bytes(["山田 太郎,ヤマダ タロウ,yamada@example", "鈴木 一郎,スズキ イチロウ,s@example.jp"]))
    first = db.session.scalars(select(RosterImport)).one()
    assert first.error_count == 1
    r = client.submit("/supporter/experts/import", {"file": (io.BytesIO(csv_bytes(
        ["山田 太郎,ヤマダ タロウ,yamada@example.jp", "鈴木 一郎,スズキ イチロウ,s@example.jp"])), "fixed.csv")},
        page=r.headers["Location"], content_type="multipart/form-data")
    assert r.status_code == 303
    db.session.expire_all()
    assert db.session.get(RosterImport, first.id).status == "discarded"
    second = db.session.scalars(select(RosterImport).where(RosterImport.status == "preview")).one()
    assert second.error_count == 0 and second.filename == "fixed.csv"
    # The old preview cannot be confirmed any more.
    assert client.submit(f"/supporter/experts/import/{first.id}/confirm",
                         page=f"/supporter/experts/import/{second.id}").status_code == 409
    client.submit(f"/supporter/experts/import/{second.id}/confirm", page=f"/supporter/experts/import/{second.id}")
    assert experts_count() == 2


def test_confirm_twice_creates_once(client, supporter):
    r = upload(client, csv_bytes(rows(5)))
    url = r.headers["Location"]
    csrf = client.csrf_from(url)
    first = client.post(f"{url}/confirm", data={"csrf_token": csrf})
    second = client.post(f"{url}/confirm", data={"csrf_token": csrf})
    assert first.status_code == 303 and second.status_code == 303
    assert experts_count() == 5 and count(Affiliation) == 5
    assert count(OutboxMessage, OutboxMessage.kind == "supporter-expert-invitation") == 5


def test_500_rows_preview_paginated_errors_first(client, supporter):
    lines = rows(490) + [f"悪い {i},ワルイ,bad{i}@" for i in range(10)]
    r = upload(client, csv_bytes(lines, "cp932"))
    url = r.headers["Location"]
    page1 = client.get(url)
    html = page1.get_data(as_text=True)
    assert html.count('class="field-error"') == 10 and html.count("<tr") == 101  # header + 100 rows
    assert "bad0@" in html and "bad9@" in html and 'rel="next"' in html and "page=2" in html
    page5 = client.get(f"{url}?page=5")
    assert page5.status_code == 200 and 'class="field-error"' not in page5.get_data(as_text=True)
    import gzip
    assert len(gzip.compress(page1.get_data())) < 14 * 1024
    record = db.session.scalars(select(RosterImport)).one()
    assert record.row_count == 500 and record.error_count == 10


@pytest.mark.parametrize("data,code", [
    (b"", "empty"), (b"\x81\x00\xffgarbage", "encoding"), (HEADER.encode(), "no_rows"),
])
def test_unreadable_files(client, supporter, app, data, code):
    from dxapp.blueprints.supporter_org.experts import FILE_ERRORS

    r = upload(client, data, expect=422)
    assert count(RosterImport) == 0
    html = r.get_data(as_text=True)
    assert 'id="file-error"' in html
    with app.test_request_context("/"):
        assert str(FILE_ERRORS[code]) in html


def test_header_is_optional_and_template_downloads(client, supporter):
    r = client.get("/supporter/experts/template.csv")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    assert r.data.startswith(b"\xef\xbb\xbf") and "氏名,フリガナ,メールアドレス" in r.data.decode("utf-8-sig")
    upload(client, csv_bytes(rows(2), header=False))
    assert db.session.scalars(select(RosterImport)).one().row_count == 2


def test_add_one_expert_and_duplicates(client, supporter):
    r = client.submit("/supporter/experts/add", {"name": "個別 一郎", "name_kana": "こべつ いちろう",
                                                 "email": "kobetsu@example.jp"})
    assert r.status_code == 303
    assert count(Affiliation, Affiliation.status == "invited") == 1
    r = client.submit("/supporter/experts/add", {"name": "個別 一郎", "name_kana": "コベツ",
                                                 "email": "kobetsu@example.jp"})
    assert r.status_code == 422 and "kobetsu@example.jp" in r.get_data(as_text=True)
    # In a CSV it is "already affiliated".
    upload(client, csv_bytes(["個別 一郎,コベツ イチロウ,kobetsu@example.jp"]))
    record = db.session.scalars(select(RosterImport)).one()
    assert record.rows[0]["errors"] == {"email": "affiliated"}


def accept_invitation(app, email, password="affiliated expert passphrase"):  # noqa: S107
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == email,
                                                          OutboxMessage.kind == "supporter-expert-invitation")
                              .order_by(OutboxMessage.id.desc())).first()
    link = re.search(r"http://localhost(/\S+)", mail.body).group(1)
    other = app.test_client()
    page = other.get(link)
    assert page.status_code == 200 and 'type="password"' in page.get_data(as_text=True)
    r = other.submit(link, {"password": password, "password_confirm": password})
    assert r.status_code == 303
    r = other.submit("/account/login", {"email": email, "password": password})
    assert r.status_code == 303
    return other, link


def test_invitation_acceptance_then_submit_confirms(client, supporter, app):
    client.submit("/supporter/experts/add", {"name": "招待 一郎", "name_kana": "ショウタイ イチロウ",
                                             "email": "invitee@example.jp"})
    other, link = accept_invitation(app, "invitee@example.jp")
    expert = db.session.scalars(select(User).where(User.email == "invitee@example.jp")).one()
    db.session.refresh(expert)
    assert expert.password_hash is not None and expert.email_verified_at is not None
    # The link works once.
    assert other.get(link).status_code == 410
    draft = db.session.scalars(select(WizardDraft).where(WizardDraft.owner_key == f"user:{expert.id}")).one()
    assert draft.answers["_preset"]["bank_optional"] is True
    # When the expert submits their (shortened) registration, the expert area calls request():
    affiliation = db.session.scalars(select(Affiliation)).one()
    affiliations.request(expert, supporter.organisation_id, actor=expert)
    db.session.commit()
    db.session.refresh(affiliation)
    assert affiliation.status == "confirmed"
    assert affiliations.confirmed_organisation_id(expert) == supporter.organisation_id
    # Nothing to resend after the password is set.
    r = client.submit(f"/supporter/experts/{affiliation.id}/end", page=f"/supporter/experts/{affiliation.id}/end")
    assert r.status_code == 303


def test_resend_invitation(client, supporter):
    client.submit("/supporter/experts/add", {"name": "再送 一郎", "name_kana": "サイソウ イチロウ",
                                             "email": "resend@example.jp"})
    affiliation = db.session.scalars(select(Affiliation)).one()
    r = client.submit(f"/supporter/experts/{affiliation.id}/resend", page="/supporter/experts")
    assert r.status_code == 303
    assert count(OutboxMessage, OutboxMessage.recipient == "resend@example.jp") == 2
    assert count(AuditEvent, AuditEvent.action == "affiliation.invitation_resent") == 1
    # A stale version (the page shown before the resend) is refused.
    csrf = client.csrf_from("/supporter/experts")
    r = client.post(f"/supporter/experts/{affiliation.id}/resend", data={"csrf_token": csrf, "version": "1"})
    assert r.status_code == 409


def test_end_affiliation_with_version_check(client, supporter):
    client.submit("/supporter/experts/add", {"name": "終了 一郎", "name_kana": "シュウリョウ イチロウ",
                                             "email": "end@example.jp"})
    affiliation = db.session.scalars(select(Affiliation)).one()
    url = f"/supporter/experts/{affiliation.id}/end"
    assert "終了 一郎" in text_of(client.get(url))
    csrf = client.csrf_from(url)
    r = client.post(url, data={"csrf_token": csrf, "version": str(affiliation.version)})
    assert r.status_code == 303
    db.session.refresh(affiliation)
    assert affiliation.status == "ended" and affiliation.ended_at is not None
    r = client.post(url, data={"csrf_token": csrf, "version": "1"})
    assert r.status_code == 409
    assert count(AuditEvent, AuditEvent.action == "affiliation.ended") == 1


@pytest.mark.parametrize("decision,status", [("confirm", "confirmed"), ("decline", "declined")])
def test_confirm_or_decline_an_experts_request(client, supporter, users, decision, status):
    expert = users("expert", name="希望 一郎")
    affiliation = affiliations.request(expert, supporter.organisation_id, actor=expert)
    db.session.commit()
    assert affiliation.status == "requested"
    assert affiliations.confirmed_organisation_id(expert) is None  # only confirmed ones count
    listing = client.get("/supporter/experts")
    assert "希望 一郎" in text_of(listing)
    r = client.submit(f"/supporter/experts/{affiliation.id}/decide", {"decision": decision},
                      page="/supporter/experts")
    assert r.status_code == 303
    db.session.refresh(affiliation)
    assert affiliation.status == status
    assert (affiliations.confirmed_organisation_id(expert) == supporter.organisation_id) == (status == "confirmed")
    # Asking again changes nothing once decided... a new request after a decline starts again.
    again = affiliations.request(expert, supporter.organisation_id, actor=expert)
    assert (again.id == affiliation.id) == (status == "confirmed")


def test_request_refuses_a_non_supporter(users):
    expert, sme = users("expert"), users("sme")
    with pytest.raises(affiliations.AffiliationError):
        affiliations.request(expert, sme.organisation_id, actor=expert)


def test_another_corporation_gets_404(client, supporter, users, app):
    client.submit("/supporter/experts/add", {"name": "自社 一郎", "name_kana": "ジシャ イチロウ",
                                             "email": "own@example.jp"})
    upload(client, csv_bytes(rows(2)))
    affiliation = db.session.scalars(select(Affiliation)).one()
    record = db.session.scalars(select(RosterImport)).one()
    other_user = users("supporter_admin")
    other = app.test_client()
    other.submit("/account/login", {"email": other_user.email, "password": PASSWORD})
    assert "自社 一郎" not in text_of(other.get("/supporter/experts"))
    assert other.get(f"/supporter/experts/import/{record.id}").status_code == 404
    assert other.get(f"/supporter/experts/{affiliation.id}/end").status_code == 404
    csrf = other.csrf_from("/supporter/experts")
    for path, data in ((f"/supporter/experts/import/{record.id}/confirm", {}),
                       (f"/supporter/experts/import/{record.id}/discard", {}),
                       (f"/supporter/experts/{affiliation.id}/resend", {"version": "1"}),
                       (f"/supporter/experts/{affiliation.id}/end", {"version": "1"}),
                       (f"/supporter/experts/{affiliation.id}/decide", {"version": "1", "decision": "confirm"})):
        assert other.post(path, data={"csrf_token": csrf, **data}).status_code == 404, path
    assert experts_count() == 1
    db.session.refresh(affiliation)
    assert affiliation.status == "invited" and affiliation.version == 1


def test_expert_list_is_paginated_within_the_page_budget(client, supporter):
    import gzip

    r = upload(client, csv_bytes(rows(150)))
    client.submit(f"{r.headers['Location']}/confirm", page=r.headers["Location"])
    first = client.get("/supporter/experts")
    html = first.get_data(as_text=True)
    assert html.count('class="tag tag-aff-invited"') == 100 and "page=2" in html
    assert len(gzip.compress(first.get_data())) < 14 * 1024
    second = client.get("/supporter/experts?page=2")
    assert second.get_data(as_text=True).count('class="tag tag-aff-invited"') == 50
    only_requested = client.get("/supporter/experts?status=requested")
    assert 'class="tag tag-aff-invited"' not in only_requested.get_data(as_text=True)


def test_demo_corporation(app, client):
    from dxapp.demo import DEMO_PASSWORD
    from dxapp.demo import seed as seed_demo

    seed_demo()
    seed_demo()  # idempotent
    admin = db.session.scalars(select(User).where(User.email == "supporter@demo.example")).one()
    assert (admin.organisation_id, "株式会社デモ・デジタル支援") in affiliations.registered_supporters()
    assert affiliations.counts(admin.organisation_id) == {"confirmed": 6, "invited": 8, "requested": 3,
                                                          "declined": 2, "ended": 1}
    client.submit("/account/login", {"email": admin.email, "password": DEMO_PASSWORD})
    html = client.get("/supporter/experts").get_data(as_text=True)
    assert html.count("<tbody><tr") + html.count("</tr><tr") == 20
    assert 'value="confirm"' in html  # the requests wait for a decision
