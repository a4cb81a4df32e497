"""Safeguards of the supporter corporation's invitations (review findings S1, S2, C3, P2, P3): inviting
needs an approved registration, per-account rate limits and a per-affiliation resend cap, no account
enumeration through the CSV preview or the administrator invitation, the stored answers shown on the
secretariat's review page, the corporation's name put in force on approval, the replaced preview, the
template's example row, and the bank and branch looked up in the Zengin tables."""

import re

import pytest
from sqlalchemy import select

from dxapp.extensions import db
from dxapp.models import Application, AuditEvent, OutboxMessage, User
from dxapp.models.supporter import Affiliation, RosterImport
from dxapp.services import affiliations, supporters
from tests.fixtures.app import PASSWORD
from tests.fixtures.factories import decide, registered_supporter
from tests.fixtures.pages import text_of
from tests.fixtures.roster import count, csv_bytes, experts_count, rows, upload
from tests.fixtures.supporter_answers import BANK, CERTIFICATION, CORPORATION
from tests.fixtures.walks import supporter as walk
from tests.fixtures.walks import supporter_submit as submit
from tests.fixtures.walks import supporter_upload_certificate as upload_certificate

go = walk.go


def approve(application):
    decide(application, "under_review", "approved")


ADD = "/supporter/experts/add"


def t(app, msgid, **params):
    """The text as the page shows it (Japanese once the translations are merged, English before)."""
    from flask_babel import gettext
    with app.test_request_context("/"):
        return gettext(msgid, **params)


def ngt(app, singular, plural, num):
    from flask_babel import ngettext
    with app.test_request_context("/"):
        return ngettext(singular, plural, num)


NOT_APPROVED = "Your corporation's registration must be approved first"
EXPERT = {"name": "招待 一郎", "name_kana": "ショウタイ イチロウ", "email": "invitee@example.jp"}


@pytest.fixture
def supporter(client, users, login):
    return registered_supporter(client, users, login)


@pytest.fixture
def unapproved(client, users, login):
    user = users("supporter_admin")
    login(client, user)
    submit(client)  # sent, not yet approved
    return user


# ------------------------------------------------------------------------------- S1: approval first

def test_inviting_is_refused_until_the_registration_is_approved(client, unapproved, users, app):
    page = client.get(ADD)
    assert page.status_code == 200 and t(app, NOT_APPROVED) in text_of(page) and 'name="email"' not in page.text
    csrf = client.csrf_from("/supporter/experts")
    r = client.post(ADD, data={"csrf_token": csrf, **EXPERT})
    assert r.status_code == 409 and t(app, NOT_APPROVED) in text_of(r)
    assert experts_count() == 0 and count(OutboxMessage, OutboxMessage.kind.like("supporter-expert%")) == 0
    # The CSV can be checked, not confirmed.
    r = upload(client, csv_bytes(rows(2)))
    preview = client.get(r.headers["Location"])
    assert preview.status_code == 200 and "/confirm" not in preview.get_data(as_text=True)
    r = client.post(f"{r.headers['Location']}/confirm", data={"csrf_token": csrf})
    assert r.status_code == 409 and experts_count() == 0 and count(Affiliation) == 0
    assert db.session.scalars(select(RosterImport)).one().status == "preview"
    # Resending is refused too (an affiliation made some other way).
    expert = users("expert")
    affiliation = affiliations.add_invited(unapproved.organisation_id, expert.id, actor=unapproved)
    db.session.commit()
    r = client.post(f"/supporter/experts/{affiliation.id}/resend", data={"csrf_token": csrf, "version": "1"})
    assert r.status_code == 409
    assert count(OutboxMessage, OutboxMessage.recipient == expert.email, OutboxMessage.kind.like("supporter-%")) == 0
    # Once approved, the same page invites.
    approve(db.session.scalars(select(Application)).one())
    assert 'name="email"' in client.get(ADD).text
    assert client.submit(ADD, EXPERT).status_code == 303 and experts_count() == 2


def test_resend_is_capped_per_affiliation(client, supporter, app):
    client.submit(ADD, EXPERT)
    affiliation = db.session.scalars(select(Affiliation)).one()
    for _n in range(supporters.RESEND_CAP):
        r = client.submit(f"/supporter/experts/{affiliation.id}/resend", page="/supporter/experts")
        assert r.status_code == 303
    r = client.submit(f"/supporter/experts/{affiliation.id}/resend", page="/supporter/experts")
    assert r.status_code == 303
    assert t(app, "The invitation to this expert has been sent %(num)s times in the last 24 hours. Wait a day, "
             "or ask the expert to check their spam folder.", num=supporters.RESEND_CAP) \
        in text_of(client.get(r.headers["Location"]))
    assert count(OutboxMessage, OutboxMessage.recipient == EXPERT["email"]) == 1 + supporters.RESEND_CAP
    assert count(AuditEvent, AuditEvent.action == "affiliation.invitation_resent") == supporters.RESEND_CAP


def _approved_admin(app, email):
    from dxapp import clock
    from dxapp.services import accounts, applications, passwords, terms

    with app.app_context():
        user = accounts.sign_up(role="supporter_admin", name="管理 太郎", email=email,
                                password_hash=passwords.hash_password(PASSWORD),
                                consented_version_ids=[v.id for v in terms.current_versions()])
        user.email_verified_at = clock.wall_now()
        db.session.commit()
        application = applications.submit(user=user, kind="supporter", answers={"steps": {}},
                                          decision={"outcome": "submitted"}, organisation_id=user.organisation_id)
        db.session.commit()
        approve(application)
        db.session.commit()  # services only flush: this set-up is its own unit of work
        return user.id


def test_invitations_are_rate_limited_per_account(make_app):
    app = make_app(RATELIMIT_ENABLED=True, SUPPORTER_INVITE_LIMIT="2 per hour",
                   SUPPORTER_RESEND_LIMIT="2 per hour", SUPPORTER_ADMIN_INVITE_LIMIT="2 per hour")
    _approved_admin(app, "limited@example.jp")
    _approved_admin(app, "other-admin@example.jp")
    with app.app_context():
        client = app.test_client()
        client.submit("/account/login", {"email": "limited@example.jp", "password": PASSWORD})
        csrf = client.csrf_from("/supporter/experts")
        statuses = [client.post(ADD, data={"csrf_token": csrf, **EXPERT, "email": f"e{n}@example.jp"}).status_code
                    for n in range(3)]
        assert statuses == [303, 303, 429]
        # The CSV confirmation shares the same budget.
        r = upload(client, csv_bytes(rows(1)))
        assert client.post(f"{r.headers['Location']}/confirm", data={"csrf_token": csrf}).status_code == 429
        affiliation = db.session.scalars(select(Affiliation)).first()
        statuses = [client.post(f"/supporter/experts/{affiliation.id}/resend",
                                data={"csrf_token": csrf, "version": str(1 + n)}).status_code for n in range(3)]
        assert statuses == [303, 303, 429]
        statuses = [client.post("/supporter/administrators",
                                data={"csrf_token": csrf, "name": "管理", "email": f"a{n}@example.jp"}).status_code
                    for n in range(3)]
        assert statuses == [303, 303, 429]
        # Another account of another corporation has its own budget.
        other = app.test_client()
        other.submit("/account/login", {"email": "other-admin@example.jp", "password": PASSWORD})
        assert other.submit(ADD, {**EXPERT, "email": "o1@example.jp"}).status_code == 303
        db.session.rollback()


# ------------------------------------------------------------------------------- S2: no enumeration

def test_csv_never_reveals_an_existing_account(client, supporter, users, app, login):
    expert = users("expert", email="known-expert@example.jp")
    sme = users("sme", email="known-sme@example.jp")
    lines = ["既存 専門家,キソン センモンカ,known-expert@example.jp", "既存 企業,キソン キギョウ,KNOWN-SME@example.jp",
             "新規 一郎,シンキ イチロウ,new@example.jp"]
    r = upload(client, csv_bytes(lines))
    preview_url = r.headers["Location"]
    html = client.get(preview_url).get_data(as_text=True)
    assert 'class="row-error"' not in html and "/confirm" in html
    users_before = count(User)
    r = client.submit(f"{preview_url}/confirm", page=preview_url)
    assert r.status_code == 303 and ngt(app, "%(num)s expert has been invited by e-mail.",
                                        "%(num)s experts have been invited by e-mail.", 3) \
        in text_of(client.get(r.headers["Location"]))
    assert count(User) == users_before + 1  # only the new address gets an account
    by_expert = {a.expert_user_id: a for a in db.session.scalars(select(Affiliation))}
    assert set(by_expert) == {expert.id, db.session.scalars(select(User.id).where(User.email == "new@example.jp")).one()}
    assert by_expert[expert.id].status == "invited"
    assert count(OutboxMessage, OutboxMessage.recipient == expert.email, OutboxMessage.kind == "supporter-expert-join") == 1
    notice = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == sme.email,
                                                            OutboxMessage.kind.like("supporter-%"))).one()
    assert notice.kind == "supporter-add-notice" and sme.name not in notice.body
    # The expert accepts from the link in the e-mail; nobody else can open it.
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "supporter-expert-join")).one()
    link = re.search(r"http://localhost(/\S+)", mail.body).group(1)
    stranger = app.test_client()
    login(stranger, users("expert"))
    assert stranger.get(link).status_code == 404
    own = app.test_client()
    login(own, expert)
    page = own.get(link)
    assert page.status_code == 200 and 'value="accept"' in page.get_data(as_text=True)
    r = own.submit(link, {"decision": "accept"})
    assert r.status_code == 303
    db.session.refresh(by_expert[expert.id])
    assert by_expert[expert.id].status == "confirmed"
    assert affiliations.confirmed_organisation_id(expert) == supporter.organisation_id
    assert count(AuditEvent, AuditEvent.action == "affiliation.accepted") == 1
    # The administrator may not accept in the expert's place.
    assert client.get(link).status_code == 403


def test_the_list_never_shows_the_registered_name_of_a_typed_address(client, supporter, users, app, login):
    """Issue 11 item 25: adding (by hand or by CSV) the address of an existing expert account shows the
    corporation the name it typed, never the account's registered name, until the expert accepts; the
    row offers the same actions as for a new address."""
    expert = users("expert", email="real-expert@example.jp", name="本名 太郎")
    assert client.submit(ADD, {**EXPERT, "name": "別名 花子", "email": "real-expert@example.jp"}).status_code == 303
    assert client.submit(ADD, {**EXPERT, "name": "新規 次郎", "email": "brand-new@example.jp"}).status_code == 303
    r = upload(client, csv_bytes(["仮名 三郎,カメイ サブロウ,REAL-EXPERT2@example.jp"]))
    users("expert", email="real-expert2@example.jp", name="本名 三郎")
    client.submit(f"{r.headers['Location']}/confirm", page=r.headers["Location"])
    page = client.get("/supporter/experts").get_data(as_text=True)
    shown = text_of(client.get("/supporter/experts"))
    assert "別名 花子" in shown and "新規 次郎" in shown and "本名 太郎" not in shown
    rows_html = {m.group(1): m.group(0) for m in re.finditer(r'<tr id="affiliation-(\d+)">.*?</tr>', page, re.S)}
    affiliation = db.session.scalars(select(Affiliation).where(Affiliation.expert_user_id == expert.id)).one()
    new_one = db.session.scalars(select(Affiliation).where(Affiliation.invited_name == "新規 次郎")).one()
    for row in (rows_html[str(affiliation.id)], rows_html[str(new_one.id)]):
        assert "/resend" in row and "/end" in row and "本名" not in row
    assert "仮名 三郎" in shown and "本名 三郎" not in shown
    end = text_of(client.get(f"/supporter/experts/{affiliation.id}/end"))
    assert "別名 花子" in end and "本名 太郎" not in end
    # Once the expert accepts, the corporation sees the name they registered.
    own = app.test_client()
    login(own, expert)
    assert own.submit(f"/supporter/invitations/{affiliation.id}", {"decision": "accept"}).status_code == 303
    assert "本名 太郎" in text_of(client.get("/supporter/experts"))


def test_declining_an_invitation(client, supporter, users, app, login):
    expert = users("expert", email="decliner@example.jp")
    assert client.submit(ADD, {**EXPERT, "email": "decliner@example.jp"}).status_code == 303
    affiliation = db.session.scalars(select(Affiliation)).one()
    own = app.test_client()
    login(own, expert)
    r = own.submit(f"/supporter/invitations/{affiliation.id}", {"decision": "decline"})
    assert r.status_code == 303
    db.session.refresh(affiliation)
    assert affiliation.status == "declined"


def test_administrator_invitation_does_not_reveal_accounts(client, supporter, users, app):
    sme = users("sme", email="someone@example.jp")
    r = client.submit("/supporter/administrators", {"name": "誰か", "email": "someone@example.jp"})
    assert r.status_code == 303
    flashed = text_of(client.get(r.headers["Location"]))
    assert t(app, "%(name)s has been invited by e-mail as an administrator.", name="誰か") in flashed
    db.session.refresh(sme)
    assert sme.role == "sme" and sme.organisation_id != supporter.organisation_id
    assert count(OutboxMessage, OutboxMessage.recipient == sme.email, OutboxMessage.kind == "supporter-add-notice") == 1
    # Only "already an administrator of your corporation" is said.
    r = client.submit("/supporter/administrators", {"name": "自分", "email": supporter.email})
    assert r.status_code == 422 and t(app, "This person is already an administrator of your corporation.") in text_of(r)


# ------------------------------------------------------------------------------- C3, P2

def test_review_page_shows_the_stored_certificate_and_administrators(client, supporter, users, app, login):
    application = db.session.scalars(select(Application)).one()
    clerk = app.test_client()
    login(clerk, users("desk"))
    page = clerk.get(f"/secretariat/review/applications/{application.id}")
    body = text_of(page)
    assert page.status_code == 200
    assert "認定通知書.pdf" in body and supporter.email in body
    from dxapp.blueprints.secretariat.review import _purpose_label, answer_sections
    with app.test_request_context("/"):  # nobody logged in: only the stored answers count
        assert _purpose_label("supporter_certificate") != "supporter_certificate"
        shown = {label: value for _title, rows in answer_sections(application) for label, value in rows}
        certificate = t(app, "Certificate")
        assert shown[certificate] == "認定通知書.pdf"
        assert supporter.email in shown[t(app, "Administrators")]


def test_the_name_is_put_in_force_on_approval(client, users, login):
    user = users("supporter_admin")
    login(client, user)
    submit(client)
    assert db.session.get(User, user.id).organisation.name is None
    approve(db.session.scalars(select(Application)).one())
    db.session.expire_all()
    assert db.session.get(User, user.id).organisation.name == "株式会社デジタル支援"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "organisation.renamed")).one()
    assert event.summary["to"] == "株式会社デジタル支援"


def test_a_replaced_preview_redirects_to_the_import_page(client, supporter, app):
    first = upload(client, csv_bytes(rows(2))).headers["Location"]
    upload(client, csv_bytes(rows(3)))
    r = client.get(first)
    assert r.status_code == 303 and r.headers["Location"].endswith("/supporter/experts/import")
    assert t(app, "A newer file replaced this upload, or it was cancelled. Check the experts of the newest "
             "upload, or upload your file again.") in text_of(client.get(r.headers["Location"]))
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "roster.discarded")).one()
    assert event.object_id == first.rsplit("/", 1)[1] and event.summary["replaced_by"]


# ------------------------------------------------------------------------------- P3: the example row

def test_the_template_example_row_is_skipped(client, supporter, app):
    template = client.get("/supporter/experts/template.csv").data
    data = template + "新規 一郎,シンキ イチロウ,new@example.jp\r\n".encode()
    preview_url = upload(client, data).headers["Location"]
    html = text_of(client.get(preview_url))
    from dxapp.blueprints.supporter_org.experts import EXAMPLE_NOTICE
    with app.test_request_context("/"):
        assert "taro.yamada@example.jp" in html and str(EXAMPLE_NOTICE) in html
    client.submit(f"{preview_url}/confirm", page=preview_url)
    assert count(User, User.email == "taro.yamada@example.jp") == 0
    assert count(User, User.email == "new@example.jp") == 1 and count(Affiliation) == 1
    # Only the example row: nothing to invite.
    preview_url = upload(client, template).headers["Location"]
    assert "/confirm" not in client.get(preview_url).get_data(as_text=True)
    r = client.submit(ADD, {**EXPERT, "email": "taro.yamada@example.jp"})
    assert r.status_code == 422 and count(User, User.email == "taro.yamada@example.jp") == 0


# ------------------------------------------------------------------------------- bank

@pytest.mark.parametrize("field,value,words", [
    ("bank_code", "9999", "There is no bank with this code. Check the 4-digit bank code in your bankbook or on "
                          "the bank's website."),
    ("branch_code", "999", "%(bank)s has no branch with this code. Check the 3-digit branch code in your bankbook."),
])
def test_bank_and_branch_must_exist(client, users, login, app, field, value, words):
    login(client, users("supporter_admin"))
    go(client, "corporation", CORPORATION)
    upload_certificate(client)
    go(client, "certification", CERTIFICATION)
    go(client, "administrators", {})
    r = go(client, "bank", {**BANK, field: value}, expect=422)
    assert f'id="{field}-error"' in r.get_data(as_text=True)
    assert t(app, words, bank="みずほ銀行") in text_of(r)


