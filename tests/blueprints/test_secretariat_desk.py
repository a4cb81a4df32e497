"""Desk-assisted entry (issue 6): support codes, a clerk editing an applicant's draft on their behalf,
declarations left to the applicant, concurrent edits, the applicant's view of desk changes, and a new
caller's registration from the desk to the applicant's own submission."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from dxapp.extensions import db
from dxapp.models import Application, AuditEvent, DeskGrant, OutboxMessage, SupportCode, User, WizardDraft
from tests.fixtures.desk import DESK, open_with_code, redeem, show_code
from tests.fixtures.desk import post as go
from tests.fixtures.pages import text_of
from tests.fixtures.sme_answers import ADDRESS, DETAILS, EXCLUSIONS, SIZE, TYPE

SME = "/sme/register"


@pytest.fixture
def sme(signed_in):
    return signed_in("sme")


# ---------------------------------------------------------------------------------------------- codes

def test_code_is_single_use_and_only_hashed(app, sme, clerk):
    user, client = sme
    code = show_code(client)
    row = db.session.scalars(select(SupportCode)).one()
    assert code.replace("-", "") not in row.code_hash and len(row.code_hash) == 64
    db.session.rollback()
    # The clerk may type it in lower case with spaces: it is what was read over the phone.
    r = redeem(clerk[1], user.email.upper(), code.lower().replace("-", " "))
    assert "/secretariat/desk/sme/" in r.headers["Location"]
    # Used: a second clerk (or the same) cannot use it again.
    r = redeem(clerk[1], user.email, code, expect=422)
    assert "has already been used" in text_of(r) or "使用済み" in text_of(r)
    # My Page no longer shows the used code.
    assert code not in client.get("/sme/").get_data(as_text=True)
    # The plain code is nowhere in the database (audit log included): only its keyed hash.
    from tests.fixtures.security import snapshot

    everything = repr(snapshot())
    assert code not in everything and code.replace("-", "") not in everything


def test_code_expires_after_30_minutes(app, sme, clerk, program_clock):
    user, client = sme
    code = show_code(client)
    program_clock.advance_wall(30 * 60 + 1)
    # Keep the clerk's and applicant's sessions alive is not the point here: log the clerk in again.
    from tests.fixtures.app import PASSWORD, totp_now  # noqa: F401

    clerk_user, _old = clerk
    fresh = app.test_client()
    fresh.submit("/account/login", {"email": clerk_user.email, "password": PASSWORD})
    program_clock.advance_wall(31)
    fresh.submit("/account/login/code", {"code": totp_now(app, clerk_user)})
    redeem(fresh, user.email, code, expect=422)


def test_code_just_before_expiry_still_works(app, sme, clerk, program_clock):
    user, client = sme
    code = show_code(client)
    program_clock.advance_wall(29 * 60)
    redeem(clerk[1], user.email, code)


def test_another_applicants_code_is_refused(app, sme, clerk, users):
    user, client = sme
    code = show_code(client)
    other = users("sme")
    r = redeem(clerk[1], other.email, code, expect=422)
    assert 'aria-invalid="true"' in r.get_data(as_text=True)
    assert db.session.scalar(select(DeskGrant).limit(1)) is None
    refused = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "desk.support_code_refused")).all()
    assert len(refused) == 1 and refused[0].actor_id == clerk[0].id
    # The right pair still works: the failed try did not use the code up.
    redeem(clerk[1], user.email, code)


def test_a_new_code_replaces_the_old_one(app, sme, clerk):
    user, client = sme
    first = show_code(client)
    second = show_code(client)
    assert first != second
    redeem(clerk[1], user.email, first, expect=422)
    redeem(clerk[1], user.email, second)


def test_code_redemption_is_throttled(make_app):
    from dxapp.services import accounts, passwords, terms
    from tests.fixtures.app import PASSWORD, totp_now

    app = make_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        applicant = accounts.sign_up(role="sme", name="山田", email="yamada@example.jp",
                                     password_hash=passwords.hash_password(PASSWORD),
                                     consented_version_ids=[v.id for v in terms.current_versions()])
        from dxapp import clock

        applicant.email_verified_at = clock.wall_now()
        staff = accounts.create_staff(email="desk@example.jp", name="職員", role="desk", actor=None,
                                      password=PASSWORD, totp_secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
        db.session.commit()
        client = app.test_client()
        client.submit("/account/login", {"email": staff.email, "password": PASSWORD})
        app.extensions["dxapp_clock"].advance_wall(31)
        client.submit("/account/login/code", {"code": totp_now(app, staff)})
        token = client.csrf_from(f"{DESK}/")
        for attempt in range(5):
            r = client.post(f"{DESK}/code", data={"csrf_token": token, "email": "yamada@example.jp",
                                                  "code": f"AAAA-AAA{attempt + 2}"})
            assert r.status_code == 422, attempt
        r = client.post(f"{DESK}/code", data={"csrf_token": token, "email": "yamada@example.jp", "code": "AAAA-AAAA"})
        assert r.status_code == 429
        # Another applicant's address still has its own allowance, until the clerk's own limit.
        for attempt in range(5):
            r = client.post(f"{DESK}/code", data={"csrf_token": token, "email": f"x{attempt}@example.jp",
                                                  "code": "AAAA-AAAA"})
            assert r.status_code == 422, attempt
        r = client.post(f"{DESK}/code", data={"csrf_token": token, "email": "z@example.jp", "code": "AAAA-AAAA"})
        assert r.status_code == 429
        db.session.rollback()


# ---------------------------------------------------------------------------------------------- editing

def test_clerk_edits_draft_with_audit_on_behalf(app, sme, clerk):
    user, client = sme
    go(client, f"{SME}/business-type", TYPE)
    base = open_with_code(sme, clerk)
    c = clerk[1]
    tasks = c.get(f"{base}/").get_data(as_text=True)
    assert user.name in tasks and user.email in tasks
    assert f'<a href="{base}/business-details">' in tasks  # where they stopped
    r = go(c, f"{base}/business-details", DETAILS)
    assert r.headers["Location"].endswith(f"{base}/address")
    draft = db.session.scalars(select(WizardDraft)).one()
    assert draft.updated_by_id == clerk[0].id
    assert draft.answers["steps"]["business-details"]["data"]["name"] == "株式会社やまだ商店"
    saved = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "draft.step_saved")
                               .order_by(AuditEvent.id.desc())).first()
    assert saved.actor_id == clerk[0].id and saved.on_behalf_of_id == user.id
    assert saved.summary["step"] == "business-details" and "name" in saved.summary["changed"]
    assert "株式会社やまだ商店" not in str(saved.summary)  # field names only, never values
    db.session.rollback()
    # The applicant sees on My Page what the desk changed and when, and the answers.
    html = client.get("/sme/").get_data(as_text=True)
    changes = html.split('class="desk-edits"', 1)[1].split("</ul>", 1)[0]
    rows = re.findall(r"<li><time datetime=\"[^\"]+\">([^<]+)</time> <strong>([^<]+)</strong><br>([^<]*)</li>", changes)
    assert len(rows) == 1, changes
    when, page, fields = rows[0]
    assert "2" in when and page in ("Name and representative", "名称と代表者")
    assert "Name of the business" in fields or "事業者名" in fields
    assert "株式会社やまだ商店" in text_of(client.get("/sme/"))
    # The applicant's own saves are not listed as desk changes.
    go(client, f"{SME}/address", ADDRESS)
    changes = client.get("/sme/").get_data(as_text=True).split('class="desk-edits"', 1)[1].split("</ul>", 1)[0]
    assert changes.count("<li>") == 1


def test_clerk_cannot_give_declarations_or_submit(app, sme, clerk):
    user, client = sme
    base = open_with_code(sme, clerk)
    c = clerk[1]
    for slug, data in (("business-type", TYPE), ("business-details", DETAILS), ("address", ADDRESS), ("size", SIZE)):
        go(c, f"{base}/{slug}", data)
    page = c.get(f"{base}/exclusions").get_data(as_text=True)
    assert 'name="no_antisocial_ties"' not in page
    # Even posting the declaration field does not give it: the step stays for the applicant.
    r = go(c, f"{base}/exclusions", EXCLUSIONS)
    assert r.headers["Location"].endswith(f"{base}/")
    draft = db.session.scalars(select(WizardDraft)).one()
    assert "exclusions" not in draft.answers["steps"]
    assert draft.answers["partial"]["exclusions"].get("no_antisocial_ties") in (None, [])
    db.session.rollback()
    # The declaration step is read-only; posting to it is refused.
    assert c.get(f"{base}/declaration").status_code in (200, 303)
    r = c.submit(f"{base}/declaration", {"agree_terms": "y"}, page=f"{base}/")
    assert r.status_code in (403, 303)
    assert "declaration" not in db.session.scalars(select(WizardDraft)).one().answers["steps"]
    db.session.rollback()
    # There is no submit route for the clerk.
    assert c.post(f"{base}/submit", data={}).status_code in (400, 404, 405)
    # The applicant completes the exclusions step with the declaration: the clerk's values are there.
    page = client.get(f"{SME}/exclusions").get_data(as_text=True)
    assert 'value="1000"' in page
    go(client, f"{SME}/exclusions", EXCLUSIONS)


def test_declaration_page_is_read_only_for_the_clerk(app, sme, clerk):
    user, client = sme
    from tests.fixtures.walks import sme_fill_all as fill_all

    base = open_with_code(sme, clerk)
    fill_all(client)  # the applicant did everything, including the declaration
    c = clerk[1]
    r = c.get(f"{base}/declaration")
    assert r.status_code == 200 and 'name="agree_terms"' not in r.get_data(as_text=True)
    r = c.submit(f"{base}/declaration", {"agree_terms": "y"}, page=f"{base}/")
    assert r.status_code == 403
    # A desk change undoes the applicant's declaration: it covered the old answers.
    go(c, f"{base}/address", {**ADDRESS, "building": "2階"})
    draft = db.session.scalars(select(WizardDraft)).one()
    assert "declaration" not in draft.answers["steps"] and "exclusions" in draft.answers["steps"]
    db.session.rollback()
    # The applicant declares again and submits.
    assert client.get(f"{SME}/check-answers").headers["Location"].endswith(f"{SME}/declaration")


def test_concurrent_edit_clerk_and_applicant_gets_409_with_both(app, sme, clerk):
    user, client = sme
    go(client, f"{SME}/business-type", TYPE)
    go(client, f"{SME}/business-details", DETAILS)
    base = open_with_code(sme, clerk)
    c = clerk[1]
    # Both open the address page (same version).
    from tests.fixtures.pages import inspect

    def hidden(page):
        return {i["name"]: i.get("value", "") for i in inspect(page.get_data(as_text=True)).inputs
                if i.get("type") == "hidden" and i.get("_form") is not None}

    clerk_form = hidden(c.get(f"{base}/address"))
    applicant_form = hidden(client.get(f"{SME}/address"))
    r = c.post(f"{base}/address", data={**clerk_form, **ADDRESS, "city": "港区"})
    assert r.status_code == 303
    r = client.post(f"{SME}/address", data={**applicant_form, **ADDRESS, "city": "中央区"})
    assert r.status_code == 409
    body = text_of(r)
    assert "港区" in body and "中央区" in body
    draft = db.session.scalars(select(WizardDraft)).one()
    assert draft.answers["steps"]["address"]["raw"]["city"] == ["港区"]
    db.session.rollback()
    # And the other way round: the clerk's stale save gets the 409 page too.
    clerk_form = hidden(c.get(f"{base}/address"))
    applicant_form = hidden(client.get(f"{SME}/address"))
    assert client.post(f"{SME}/address", data={**applicant_form, **ADDRESS, "city": "中央区"}).status_code == 303
    r = c.post(f"{base}/address", data={**clerk_form, **ADDRESS, "city": "品川区"})
    assert r.status_code == 409 and "品川区" in text_of(r) and "中央区" in text_of(r)
    assert db.session.scalars(select(WizardDraft)).one().answers["steps"]["address"]["raw"]["city"] == ["中央区"]


def test_grant_belongs_to_one_clerk_and_ends(app, sme, clerk, users, login):
    base = open_with_code(sme, clerk)
    other = users("desk")
    oc = app.test_client()
    login(oc, other)
    assert oc.get(f"{base}/").status_code == 404
    assert oc.get(f"{base}/business-type").status_code == 404
    grant_id = int(base.rsplit("/", 1)[1])
    assert oc.submit(f"{DESK}/{grant_id}/end", page=f"{DESK}/").status_code == 404
    c = clerk[1]
    assert c.submit(f"{DESK}/{grant_id}/end", page=f"{base}/").status_code == 303
    assert c.get(f"{base}/").status_code == 404


def test_grant_expires(app, sme, clerk, program_clock):
    base = open_with_code(sme, clerk)
    grant = db.session.scalars(select(DeskGrant)).one()
    grant.expires_at = grant.created_at  # as if two hours had passed
    db.session.commit()
    assert clerk[1].get(f"{base}/").status_code == 404


def test_grant_of_a_disabled_account_stops_working(app, sme, clerk):
    base = open_with_code(sme, clerk)
    assert clerk[1].get(f"{base}/").status_code == 200
    db.session.get(User, sme[0].id).active = False
    db.session.commit()
    assert clerk[1].get(f"{base}/").status_code == 404


def test_only_desk_and_admin_use_the_desk(app, users, login, sme):
    for role in ("sme", "expert", "supporter_admin"):
        c = app.test_client()
        login(c, users(role))
        assert c.get(f"{DESK}/").status_code == 403, role
    admin = app.test_client()
    login(admin, users("admin"))
    assert admin.get(f"{DESK}/").status_code == 200
    # An applicant cannot get a grant's pages either.
    assert sme[1].get(f"{DESK}/sme/1/").status_code == 403
    assert app.test_client().get(f"{DESK}/").status_code == 302


# ---------------------------------------------------------------------------------------------- new caller

def test_new_caller_registration_end_to_end(app, clerk):
    from tests.fixtures.security import mail_link
    from tests.fixtures.walks import sme_upload as upload

    clerk_user, c = clerk
    r = go(c, f"{DESK}/new", {"new-role": "sme", "new-name": "佐藤 花子",
                              "new-organisation_name": "佐藤商店", "new-email": "sato@example.jp"})
    base = r.headers["Location"].replace("http://localhost", "").rstrip("/")
    applicant = db.session.scalars(select(User).where(User.email == "sato@example.jp")).one()
    assert applicant.password_hash is None and applicant.email_verified_at is None
    assert applicant.organisation.name == "佐藤商店"
    applicant_id = applicant.id
    db.session.rollback()
    for slug, data in (("business-type", TYPE), ("business-details", DETAILS), ("address", ADDRESS), ("size", SIZE)):
        go(c, f"{base}/{slug}", data)
    go(c, f"{base}/exclusions", EXCLUSIONS)  # saved for the applicant: the declaration is theirs
    check = text_of(c.get(f"{base}/check-answers"))
    assert "株式会社やまだ商店" in check
    # The set-password e-mail.
    r = c.submit(f"{DESK}/{base.rsplit('/', 1)[1]}/invite", page=f"{base}/")
    assert r.status_code == 303
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "desk-invitation")) is not None
    db.session.rollback()
    link = mail_link("sato@example.jp", "desk-invitation")
    applicant_client = app.test_client()
    password = "a long new password for the shop 2021"
    r = applicant_client.submit(link, {"password": password, "password_confirm": password})
    assert r.status_code == 303, text_of(r)[:1000]
    r = applicant_client.submit("/account/login", {"email": "sato@example.jp", "password": password})
    assert r.status_code == 303
    # The consent gate: the applicant accepts the terms themselves.
    r = applicant_client.get("/sme/")
    assert "/account/consent" in r.headers["Location"]
    r = applicant_client.submit("/account/consent", {"agree_terms": "y", "agree_privacy": "y"})
    assert r.status_code == 303
    mypage = text_of(applicant_client.get("/sme/"))
    assert "株式会社やまだ商店" in mypage  # the answers the clerk entered
    # The applicant makes the declarations, uploads the document and submits.
    go(applicant_client, f"{SME}/exclusions", EXCLUSIONS)
    upload(applicant_client, "registration_certificate")
    go(applicant_client, f"{SME}/documents", {})
    go(applicant_client, f"{SME}/declaration", {"agree_terms": "y"})
    r = applicant_client.submit(f"{SME}/submit", page=f"{SME}/check-answers")
    assert r.status_code == 303
    application = db.session.scalars(select(Application)).one()
    assert application.user_id == applicant_id
    assert application.answers["steps"]["business-details"]["data"]["name"] == "株式会社やまだ商店"
    assert application.answers["steps"]["address"]["raw"]["city"] == ["千代田区"]
    created = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "desk.applicant_created")).one()
    assert created.actor_id == clerk_user.id and created.on_behalf_of_id == applicant_id
    behalf = db.session.scalars(select(AuditEvent).where(AuditEvent.on_behalf_of_id == applicant_id,
                                                         AuditEvent.object_type == "wizard_draft")).all()
    assert behalf and all(e.actor_id == clerk_user.id for e in behalf)


def test_new_caller_with_existing_address_is_refused(app, clerk, users):
    existing = users("sme")
    r = go(clerk[1], f"{DESK}/new", {"new-role": "sme", "new-name": "佐藤", "new-email": existing.email}, expect=422)
    assert 'aria-invalid="true"' in r.get_data(as_text=True)


# ---------------------------------------------------------------------------------------------- one page per section

def prefixed(slug, data):
    return {f"{slug}--{k}": v for k, v in data.items()}


def test_one_page_per_section_for_phone_work(app, sme, clerk):
    user, client = sme
    base = open_with_code(sme, clerk)
    c = clerk[1]
    page = c.get(f"{base}/section/business").get_data(as_text=True)
    assert 'name="business-type--legal_form"' in page and 'name="business-details--name"' in page
    # A mistake in one step: 422, nothing saved, everything typed kept.
    bad = {**prefixed("business-type", TYPE), **prefixed("business-details", {**DETAILS, "name_kana": "Yamada"})}
    r = c.submit(f"{base}/section/business", bad)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'href="#business-details--name_kana"' in html and 'value="株式会社やまだ商店"' in html
    assert db.session.scalar(select(WizardDraft).limit(1)) is None or \
        "business-type" not in db.session.scalars(select(WizardDraft)).one().answers["steps"]
    db.session.rollback()
    # Both steps at once; the next section comes next.
    r = go(c, f"{base}/section/business", {**prefixed("business-type", TYPE), **prefixed("business-details", DETAILS)})
    assert r.headers["Location"].endswith(f"{base}/section/contact")
    draft = db.session.scalars(select(WizardDraft)).one()
    assert draft.answers["steps"]["business-details"]["data"]["corporate_number"] == "7000012050002"
    assert draft.answers["steps"]["business-type"]["data"]["legal_form"] == "company"
    assert draft.answers["steps"]["business-details"]["raw"]["established-year"] == ["元"]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "draft.section_saved")).one()
    assert event.actor_id == clerk[0].id and event.on_behalf_of_id == user.id
    db.session.rollback()
    go(c, f"{base}/section/contact", prefixed("address", ADDRESS))
    # The eligibility section: the declaration in it stays the applicant's.
    r = go(c, f"{base}/section/eligibility", {**prefixed("size", SIZE), **prefixed("exclusions", EXCLUSIONS)})
    assert r.headers["Location"].endswith(f"{base}/")
    draft = db.session.scalars(select(WizardDraft)).one()
    assert "size" in draft.answers["steps"] and "exclusions" not in draft.answers["steps"]
    assert draft.answers["partial"]["exclusions"]["shares_total"] == ["1000"]
    db.session.rollback()
    # The applicant's My Page names the sections and the answers changed.
    html = client.get("/sme/").get_data(as_text=True)
    changes = html.split('class="desk-edits"', 1)[1].split("</ul>", 1)[0]
    assert "About the business" in changes or "事業者の情報" in changes
    assert "Corporate number" in changes or "法人番号" in changes
    # The documents and declaration sections have no dense page.
    assert c.get(f"{base}/section/declaration").status_code == 404
    assert c.get(f"{base}/section/nothing").status_code == 404


def test_section_page_conflict_shows_both_versions(app, sme, clerk):
    user, client = sme
    go(client, f"{SME}/business-type", TYPE)
    go(client, f"{SME}/business-details", DETAILS)
    base = open_with_code(sme, clerk)
    c = clerk[1]
    from tests.fixtures.pages import inspect

    page = c.get(f"{base}/section/contact")
    hidden = {i["name"]: i.get("value", "") for i in inspect(page.get_data(as_text=True)).inputs
              if i.get("type") == "hidden"}
    go(client, f"{SME}/address", {**ADDRESS, "city": "中央区"})
    r = c.post(f"{base}/section/contact", data={**hidden, **prefixed("address", {**ADDRESS, "city": "港区"})})
    assert r.status_code == 409
    body = text_of(r)
    assert "中央区" in body and 'value="港区"' in r.get_data(as_text=True)
    assert db.session.scalars(select(WizardDraft)).one().answers["steps"]["address"]["raw"]["city"] == ["中央区"]
    db.session.rollback()
    # Saving again from the 409 page (it carries the new version) keeps what the clerk entered.
    again = {i["name"]: i.get("value", "") for i in inspect(r.get_data(as_text=True)).inputs if i.get("type") == "hidden"}
    r = c.post(f"{base}/section/contact", data={**again, **prefixed("address", {**ADDRESS, "city": "港区"})})
    assert r.status_code == 303
    assert db.session.scalars(select(WizardDraft)).one().answers["steps"]["address"]["raw"]["city"] == ["港区"]


# ---------------------------------------------------------------------------------------------- page weight

def test_desk_and_inbox_pages_within_budget(app, sme, clerk, capsys):
    """Every page of the desk and the inbox stays within 14 KB gzip (UX.md), with a full page of inquiries
    and a long list of desk changes on My Page."""
    import gzip

    from dxapp.services import inquiries

    user, client = sme
    base = open_with_code(sme, clerk)
    c = clerk[1]
    for slug, data in (("business-type", TYPE), ("business-details", DETAILS), ("address", ADDRESS), ("size", SIZE)):
        go(c, f"{base}/{slug}", data)
    go(c, f"{base}/exclusions", EXCLUSIONS)
    go(client, f"{SME}/exclusions", EXCLUSIONS)  # the applicant declares: the documents step opens
    for n in range(12):
        go(c, f"{base}/address", {**ADDRESS, "building": f"{n}階"})
    with app.test_request_context("/"):
        for n in range(inquiries.PAGE_SIZE + 5):
            inquiries.receive(name=f"利用者{n:02d}", email=f"u{n}@example.jp", phone=None, category="other",
                              body="長い質問です。" * 200)
    first = db.session.scalars(select(AuditEvent.object_id).where(AuditEvent.action == "inquiry.received")).first()
    db.session.commit()  # services only flush: the set-up is committed (and the test's transaction closed)
    sizes = {}
    for who, path in ((c, f"{DESK}/"), (c, f"{base}/"), (c, f"{base}/check-answers"), (c, f"{base}/exclusions"),
                      (c, f"{base}/documents"), (c, f"{base}/section/business"), (c, f"{base}/section/eligibility"),
                      (c, "/secretariat/inquiries/"), (c, f"/secretariat/inquiries/{first}"), (client, "/sme/")):
        page = who.get(path)
        assert page.status_code == 200, path
        sizes[path] = len(gzip.compress(page.get_data()))
    with capsys.disabled():
        print("\n" + "\n".join(f"  {size:6,} B gzip  {path}" for path, size in sizes.items()))
    assert all(size <= 14 * 1024 for size in sizes.values()), sizes


def test_role_matrix_of_every_desk_and_inbox_route(app, users, login):
    """Every route of the desk and the inbox (GET and POST): 403 for the applicants' roles, the login page
    for anonymous visitors, never 200 (the stateless live panel is the engine's, public by design)."""
    from tests.fixtures.security import url_for_rule

    rules = [r for r in app.url_map.iter_rules()
             if r.endpoint.startswith(("secretariat.desk", "secretariat.inquiry")) and not r.endpoint.endswith("_panel")]
    assert len(rules) >= 15
    clients = {"anonymous": app.test_client()}
    for role in ("sme", "expert", "supporter_admin"):
        clients[role] = app.test_client()
        login(clients[role], users(role))
    for who, c in clients.items():
        token = c.csrf_from("/inquiry")
        for rule in rules:
            url = url_for_rule(app, rule)
            for method in sorted(rule.methods & {"GET", "POST"}):
                r = c.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
                expected = (302, 303) if who == "anonymous" else (403,)
                assert r.status_code in expected, (who, method, url, r.status_code)


# ------------------------------------------------------------------------------- one clock (issue 11 item 17)

def test_desk_times_are_on_the_program_clock(app, sme, clerk):
    """In demo mode (program time 2021-06-01 10:00 JST) the support code's expiry, the grant's end and the
    desk's edits are shown on the program's clock, as the banner is, not on the wall clock (2026)."""
    user, client = sme
    show_code(client)
    mypage = text_of(client.get("/sme/"))
    # 30 minutes after it was issued (a frozen program clock: the seconds since then are subtracted)
    assert re.search(r"2021年6月1日（火）10:(29|30)まで", mypage), mypage[:2000]
    base = open_with_code(sme, clerk)
    for page in (f"{DESK}/", f"{base}/"):
        shown = text_of(clerk[1].get(page))
        assert "2021年6月1日" in shown, (page, shown[:2000])
        assert "2026年" not in shown and "2025年" not in shown and "2027年" not in shown, page
    # The applicant's My Page lists the desk's edit at the program's time too.
    go(clerk[1], f"{base}/business-type", TYPE)
    mypage = text_of(client.get("/sme/"))
    assert "2021年6月1日" in mypage and not any(f"{y}年" in mypage for y in (2025, 2026, 2027)), mypage[:3000]
