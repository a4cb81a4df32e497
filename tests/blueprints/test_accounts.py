"""Password reset, the consent gate (how Phase I users enter Phase II), staff accounts, the inquiry
form, the outbox worker and the CLI (Foundation issue)."""

import hashlib
import re
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from dxapp.clock import JST
from dxapp.extensions import db
from dxapp.models import AuditEvent, Consent, Inquiry, OutboxMessage, TermsVersion, User
from tests.fixtures.app import PASSWORD
from tests.fixtures.pages import text_of

NEW_PASSWORD = "a brand new long passphrase"  # noqa: S105


def mail_link(recipient, kind):
    body = db.session.scalars(
        select(OutboxMessage.body).where(OutboxMessage.recipient == recipient, OutboxMessage.kind == kind)
        .order_by(OutboxMessage.id.desc())
    ).first()
    return re.search(r"http://localhost(/\S+)", body).group(1)


def test_password_reset_round_trip(client, users):
    user = users("expert", email="reset@example.jp")
    r = client.submit("/account/password-reset", {"email": "reset@example.jp"})
    assert r.status_code == 200
    unknown = client.submit("/account/password-reset", {"email": "nobody@example.jp"})
    assert text_of(unknown).replace("nobody@example.jp", "X") == text_of(r).replace("reset@example.jp", "X")
    link = mail_link("reset@example.jp", "password-reset")
    assert client.get(link).status_code == 200
    r = client.submit(link, {"password": "short", "password_confirm": "short"})
    assert r.status_code == 422
    r = client.submit(link, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert r.status_code == 303
    assert client.get(link).status_code == 410  # the link works once
    r = client.submit("/account/login", {"email": user.email, "password": PASSWORD})
    assert r.status_code == 422
    r = client.submit("/account/login", {"email": user.email, "password": NEW_PASSWORD})
    assert r.status_code == 303


def test_reset_link_expires_after_24_hours(client, users, program_clock):
    users("sme", email="late@example.jp")
    client.submit("/account/password-reset", {"email": "late@example.jp"})
    link = mail_link("late@example.jp", "password-reset")
    program_clock.advance_wall(24 * 3600 + 1)
    assert client.get(link).status_code == 410


def test_tampered_token_is_refused(client, users):
    users("sme", email="tamper@example.jp")
    client.submit("/account/password-reset", {"email": "tamper@example.jp"})
    link = mail_link("tamper@example.jp", "password-reset")
    assert client.get(link[:-3] + "abc").status_code == 410


def test_phase1_user_must_consent_before_anything_else(client, users, login):
    user = users("expert", email="phase1@example.jp", consented=False)
    phase1 = TermsVersion(kind="terms", version="old", title="第Ⅰ期 利用規約", body="旧規約",
                          effective_at=datetime(2020, 12, 1, tzinfo=JST))
    db.session.add(phase1)
    db.session.flush()
    db.session.add(Consent(user_id=user.id, terms_version_id=phase1.id, consented_at=datetime(2021, 1, 5, tzinfo=JST)))
    db.session.commit()
    r = login(client, user)
    assert "/account/consent" in client.get("/expert/").headers["Location"]
    page = client.get("/account/consent")
    assert page.status_code == 200 and "第Ⅱ期" in text_of(page)
    r = client.submit("/account/consent", {"agree_terms": "y"})
    assert r.status_code == 422  # both consents are needed
    r = client.submit("/account/consent", {"agree_terms": "y", "agree_privacy": "y"})
    assert r.status_code == 303
    assert client.get("/expert/").status_code == 200
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == user.id)).all()
    assert actions.count("consent.given") == 2


def test_terms_change_asks_again(client, users, login, program_clock):
    user = users("sme")
    login(client, user)
    assert client.get("/sme/").status_code == 200
    # The terms change on 2021-07-20 (published): from then on the new version is needed.
    db.session.add(TermsVersion(kind="terms", version="2021-07-20", title="改定規約", body="録画",
                                effective_at=datetime(2021, 7, 20, tzinfo=JST)))
    db.session.commit()
    assert client.get("/sme/").status_code == 200  # not yet in force at program time 2021-06-01
    program_clock.set(datetime(2021, 7, 20, 0, 0, tzinfo=JST))
    r = client.get("/sme/")
    assert r.status_code == 302 and "/account/consent" in r.headers["Location"]


def test_admin_creates_desk_account_with_setup_mail(client, users, login):
    admin = users("admin")
    login(client, admin)
    r = client.submit("/secretariat/staff", {"email": "new-desk@example.jp", "name": "窓口 太郎", "role": "desk"})
    assert r.status_code == 303
    desk = db.session.scalar(select(User).where(User.email == "new-desk@example.jp"))
    assert desk.role == "desk" and desk.password_hash is None and desk.totp_secret
    assert mail_link("new-desk@example.jp", "staff-setup").startswith("/account/password-reset/")
    r = client.submit("/secretariat/staff", {"email": "new-desk@example.jp", "name": "重複", "role": "desk"})
    assert r.status_code == 422


def test_desk_cannot_create_staff(client, users, login):
    login(client, users("desk"))
    assert client.get("/secretariat/staff").status_code == 403


def test_staff_cannot_sign_up_as_staff(client):
    r = client.submit("/account/sign-up/role", {"role": "admin"})
    assert r.status_code == 422


def test_inquiry_is_stored_and_acknowledged(client):
    r = client.submit("/inquiry", {"name": "問合 花子", "email": "ask@example.jp", "category": "registration",
                                   "body": "登録に必要な書類を教えてください。"})
    assert r.status_code == 303
    item = db.session.scalars(select(Inquiry)).one()
    assert item.status == "open" and item.reference in r.headers["Location"]
    ack = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "inquiry-ack")).one()
    assert item.reference in ack.subject and ack.recipient == "ask@example.jp"
    assert client.get(r.headers["Location"]).status_code == 200


def test_inquiry_errors_keep_what_was_typed(client):
    r = client.submit("/inquiry", {"name": "", "email": "ask@example.jp", "body": "長い質問" * 10})
    assert r.status_code == 422
    assert "長い質問長い質問" in r.get_data(as_text=True)


def test_outbox_send_writes_files_once(app, client, tmp_path):
    client.submit("/inquiry", {"name": "問合", "email": "ask@example.jp", "category": "other", "body": "質問"})
    runner = app.test_cli_runner()
    result = runner.invoke(args=["outbox", "send"])
    assert "sent 1, failed 0" in result.output
    result = runner.invoke(args=["outbox", "send"])
    assert "sent 0, failed 0" in result.output
    files = list(Path(app.config["MAIL_DIR"]).glob("*.eml"))
    assert len(files) == 1 and b"ask@example.jp" in files[0].read_bytes()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))) == 0


def test_outbox_keeps_message_when_smtp_is_down(make_app):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=1, DXAPP_DEMO=False)
    with app.app_context():
        client = app.test_client()
        client.submit("/inquiry", {"name": "問合", "email": "ask@example.jp", "category": "other", "body": "質問"})
        result = app.test_cli_runner().invoke(args=["outbox", "send"])
        assert "sent 0, failed 1" in result.output
        message = db.session.scalars(select(OutboxMessage)).one()
        assert message.sent_at is None and message.attempts == 1 and message.last_error


def test_create_admin_and_seed_demo_commands(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-admin", "--email", "boss@example.jp", "--name", "管理者"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User).where(User.email == "boss@example.jp")).role == "admin"
    assert runner.invoke(args=["create-admin", "--email", "boss@example.jp", "--name", "x"]).exit_code != 0
    result = runner.invoke(args=["seed-demo"])
    assert "demo accounts created: 7" in result.output and "demo-pass-2021!" in result.output
    assert "demo accounts created: 0" in runner.invoke(args=["seed-demo"]).output


def test_demo_accounts_log_in(app, client, login):
    from dxapp.demo import DEMO_PASSWORD
    from dxapp.demo import seed as seed_demo

    seed_demo()
    for email, home in (("sme@demo.example", "/sme/"), ("expert@demo.example", "/expert/"),
                        ("supporter@demo.example", "/supporter/"), ("desk@demo.example", "/secretariat/"),
                        ("admin@demo.example", "/secretariat/")):
        user = db.session.scalar(select(User).where(User.email == email))
        r = login(client, user, password=DEMO_PASSWORD)
        assert r.headers["Location"].endswith(home), email
        assert client.get(home).status_code == 200
        client.submit("/account/logout", page=home)
    phase1 = db.session.scalar(select(User).where(User.email == "phase1-expert@demo.example"))
    login(client, phase1, password=DEMO_PASSWORD)
    assert "/account/consent" in client.get("/expert/").headers["Location"]


def test_vendored_htmx_is_the_published_file(app):
    path = Path(app.static_folder) / "vendor" / "htmx-4.0.1.min.js"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest == "a0abb04f2f45a1f89d1d4844023245537e5e6014c87b144553e0607b4cc32130"
    assert (Path(app.static_folder) / "vendor" / "htmx-4.0.1.LICENSE.txt").is_file()


def test_static_urls_are_content_hashed_and_cached(client):
    page = client.get("/account/login").get_data(as_text=True)
    css = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]{12})"', page).group(1)
    r = client.get(css)
    assert r.status_code == 200 and "max-age=31536000" in r.headers["Cache-Control"]
    assert re.search(r'src="/static/vendor/htmx-4\.0\.1\.min\.js\?v=[0-9a-f]{12}" defer', page)


def test_pages_are_compressed(client):
    r = client.get("/account/login", headers={"Accept-Encoding": "gzip"})
    assert r.headers.get("Content-Encoding") == "gzip"
    r = client.get("/account/login", headers={"Accept-Encoding": "br"})
    assert r.headers.get("Content-Encoding") == "br"


def test_phase1_sme_sees_carried_over_details_after_consent(app, client, login):
    from dxapp.demo import DEMO_PASSWORD
    from dxapp.demo import seed as seed_demo

    seed_demo()
    user = db.session.scalar(select(User).where(User.email == "phase1-sme@demo.example"))
    login(client, user, password=DEMO_PASSWORD)
    assert "/account/consent" in client.get("/sme/").headers["Location"]
    client.submit("/account/consent", {"agree_terms": "y", "agree_privacy": "y"})
    page = text_of(client.get("/sme/"))
    assert "株式会社なかむら商店" in page and "10,000,000円" in page
    # The new Phase II questions are still to answer.
    r = client.get("/sme/register/check-answers")
    assert r.headers["Location"].endswith("/sme/register/exclusions")
