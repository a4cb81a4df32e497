"""E-mails go out in the recipient's language (issue 11 item 21): a preference on the account, set by
the language switch (and by signing up in English), Japanese by default; every Japanese mail has an
English version whose first line is its subject."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

import dxapp
from dxapp.extensions import db
from dxapp.models import AuditEvent, OutboxMessage, User
from tests.fixtures.walks import fill_signup

MAIL = Path(dxapp.__file__).resolve().parent / "templates" / "mail"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def mails_to(email, kind=None):
    query = select(OutboxMessage).where(OutboxMessage.recipient == email).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return db.session.scalars(query).all()


def sign_up(client, email):
    fill_signup(client, email=email, name="Hanako Yamada")
    assert client.submit("/account/sign-up/submit", page="/account/sign-up/check-answers").status_code == 303


def test_every_mail_has_an_english_version_with_a_subject():
    japanese = {p.name for p in MAIL.glob("*.txt")}
    english = {p.name for p in (MAIL / "en").glob("*.txt")}
    assert japanese == english
    for name in english - {"_footer.txt"}:
        text = (MAIL / "en" / name).read_text(encoding="utf-8")
        assert text.startswith("Subject: "), name
        assert 'include "mail/en/_footer.txt"' in text, name


def test_japanese_by_default(client):
    sign_up(client, "hanako@example.jp")
    mail = mails_to("hanako@example.jp", "verify-email")[0]
    assert mail.subject == "【中小企業デジタル化応援隊事業】メールアドレスの確認をお願いします"
    assert "ご登録ありがとうございます" in mail.body
    assert db.session.scalars(select(User.locale).where(User.email == "hanako@example.jp")).one() is None


def test_signing_up_in_english_sends_english_mails(client):
    client.submit("/language", {"lang": "en", "next": "/"}, page="/")
    sign_up(client, "hanako@example.jp")
    mail = mails_to("hanako@example.jp", "verify-email")[0]
    assert mail.subject == "[SME Digitalization Support Corps] Please confirm your e-mail address"
    assert mail.body.startswith("Dear Hanako Yamada,") and "/account/verify/" in mail.body
    assert not JAPANESE.search(mail.body), mail.body
    assert db.session.scalars(select(User.locale).where(User.email == "hanako@example.jp")).one() == "en"


def test_the_switch_sets_the_accounts_language_and_its_mails_follow(app, client, users, login):
    from tests.fixtures.factories import submitted_sme

    user = users("sme")
    login(client, user)
    client.submit("/language", {"lang": "en", "next": "/sme/"}, page="/sme/")
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "account.language_set",
                                                       AuditEvent.object_id == str(user.id))).one()
    _user, application = submitted_sme(users, user=db.session.get(User, user.id))
    received = mails_to(user.email, "sme-application-received")[-1]
    assert received.subject.startswith("[SME Digitalization Support Corps] We have received your registration")
    assert application.reference in received.subject and "Status: Submitted" in received.body
    assert not JAPANESE.search(received.body.replace(user.name, "")), received.body
    # Back to Japanese: the next mail is Japanese again.
    client.submit("/language", {"lang": "ja", "next": "/sme/"}, page="/sme/")
    client.submit("/account/logout", page="/sme/")
    client.submit("/account/password-reset", {"email": user.email})
    reset = mails_to(user.email, "password-reset")[-1]
    assert reset.subject == "【中小企業デジタル化応援隊事業】パスワード再設定のご案内"


def test_a_mail_to_an_english_account_from_a_japanese_page(app, client, users, login):
    """The clerk works in Japanese; the applicant reads English: the review mail is English, with the
    status in English."""
    from dxapp.services import review
    from tests.fixtures.factories import submitted_sme

    applicant = users("sme")
    applicant.locale = "en"
    db.session.commit()
    _user, application = submitted_sme(users, user=applicant)
    clerk = users("desk")
    with app.test_request_context("/", headers={"Accept-Language": "ja"}):
        review.REGISTRATION.pick_up(application, version=application.version, actor=clerk)
        db.session.commit()
    mail = mails_to(applicant.email, "review-picked-up")[-1]
    assert "The review of your registration application has started" in mail.subject
    assert "Status: Under review" in mail.body and not JAPANESE.search(mail.body.replace(applicant.name, ""))
