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


def english(mail, *names):
    """The mail's body without the names people typed in Japanese (people's and cases' names)."""
    body = mail.body
    for name in names:
        body = body.replace(name, "")
    return body


def test_an_english_expert_gets_an_english_proposal_declined_mail(users):
    from dxapp.services import proposals
    from tests.fixtures import factories

    sme, _ = factories.approved_sme(users)
    expert, _ = factories.approved_expert(users)
    expert.locale = "en"
    db.session.commit()
    case = factories.published_case(sme)
    proposal = factories.proposed(case, expert)
    received = mails_to(sme.email, "proposal-received")[-1]  # the SME reads Japanese
    assert received.subject == f"【中小企業デジタル化応援隊事業】新しい提案が届きました（相談案件 {case.reference}）"
    proposals.decline(proposal, case, version=proposal.version, actor=sme)
    db.session.commit()
    mail = mails_to(expert.email, "proposal-declined")[-1]
    assert mail.subject == ("[SME Digitalization Support Corps] The outcome of your proposal "
                            f"(consultation case {case.reference})")
    assert mail.body.startswith(f"Dear {expert.name},") and f'"{case.title}" ({case.reference})' in mail.body
    assert "decided not to accept it" in mail.body and "/expert/" in mail.body
    assert not JAPANESE.search(english(mail, expert.name, case.title)), mail.body


def test_an_english_expert_gets_english_plan_notices(users):
    from dxapp.services import plans
    from tests.fixtures import factories

    sme, _ = factories.approved_sme(users)
    expert, _ = factories.approved_expert(users)
    expert.locale = "en"
    db.session.commit()
    case = factories.published_case(sme)
    match = factories.matched(case, expert)
    plan = plans.start(match, factories.plan_fields(), actor=expert)
    plans.send_to_sme(plan, version=plan.version, actor=expert)
    plans.sme_return(plan, version=plan.version, actor=sme, comment="日程を見直してください")
    db.session.commit()
    to_sme = mails_to(sme.email, "plan_sent")[-1]
    assert to_sme.subject == f"【中小企業デジタル化応援隊事業】支援計画の確認をお願いします（支援計画ID {plan.reference}）"
    mail = mails_to(expert.email, "plan_sme_returned")[-1]
    assert mail.subject == ("[SME Digitalization Support Corps] The SME has returned the support plan to you "
                            f"(plan id {plan.reference})")
    assert "The SME has returned the support plan to you." in mail.body
    assert f"Plan id: {plan.reference}" in mail.body and "A comment from the SME:\n日程を見直してください" in mail.body
    assert "出店先の比較" not in mail.body  # never the plan's content
    assert not JAPANESE.search(english(mail, expert.name, "日程を見直してください")), mail.body
    plans.send_to_sme(plan, version=plan.version, actor=expert)
    plans.sme_agree(plan, version=plan.version, actor=sme)
    clerk = users("desk")
    plans.REVIEW.pick_up(plan, version=plan.version, actor=clerk)
    plans.REVIEW.approve(plan, version=plan.version, actor=clerk)
    db.session.commit()
    for kind, headline in [("plan_agreed", "The SME has agreed to the support plan"),
                           ("plan_review_picked_up", "The review of the support plan has started"),
                           ("plan_review_approved", "The support plan has been approved. Please go on to "
                                                    "conclude the contract")]:
        mail = mails_to(expert.email, kind)[-1]
        assert mail.subject == f"[SME Digitalization Support Corps] {headline} (plan id {plan.reference})", kind
        assert not JAPANESE.search(english(mail, expert.name)), mail.body
    assert mails_to(sme.email, "plan_review_approved")[-1].subject.startswith("【中小企業デジタル化応援隊事業】支援計画が承認されました")


def test_every_plan_notice_has_an_english_headline(app):
    """The English plan notice names its headline by the mail's kind: every kind plans.py sends has one."""
    from flask import render_template
    from flask_babel import force_locale

    from dxapp.services import plans

    source = Path(plans.__file__).read_text(encoding="utf-8")
    kinds = set(re.findall(r'_mail_(?:sme|expert|other)\([^")]*"(plan_\w+)"', source))
    kinds |= {kind for _subject, kind in plans.REVIEW_MAILS.values()}
    assert {"plan_sent", "plan_contract", "plan_review_rejected"} <= kinds

    class Plan:
        reference = "P-0001"

    class Person:
        name = "Hanako Yamada"

    with app.test_request_context("/"), force_locale("en"):
        for kind in kinds:
            text = render_template("mail/en/plan_notice.txt", user=Person(), plan=Plan(), headline="見出し", notice=kind)
            assert "News about your support plan" not in text and not JAPANESE.search(text), (kind, text)


def test_the_matching_mails_reach_english_accounts_in_english(users, program_clock):
    """Proposals, introductions, self-matches, packages, messages and the case digest, both sides
    reading English: subjects and bodies in English, with nothing but what people typed in Japanese."""
    from datetime import datetime

    from dxapp.rules import JST
    from dxapp.services import case_search, packages, proposals, self_matches
    from tests.fixtures import factories

    sme, _ = factories.approved_sme(users)
    expert, _ = factories.approved_expert(users)
    sme.locale = expert.locale = "en"
    db.session.commit()
    factories.saved_search(expert, "area=ec_sites")
    program_clock.advance_wall(5)
    case = factories.published_case(sme, areas=("ec_sites",))
    proposal = factories.proposed(case, expert)
    proposals.accept(proposal, case, version=proposal.version, actor=sme)
    wanted = factories.published_case(sme, kind="support_wanted", title="支援希望の案件")
    factories.introduced(wanted, expert, users("desk"), status="accepted")
    self_match = factories.self_match_requested(sme, expert)
    self_matches.confirm(self_match, version=self_match.version, actor=expert)
    package = factories.support_package(expert)
    packages.request(sme, package, token=packages.new_token())
    _sme, _expert, thread = factories.case_thread(users, sme=sme, expert=expert)
    factories.message(thread, expert, "日程のご相談です")
    db.session.commit()
    assert case_search.send_digests(at=datetime(2021, 6, 1, 10, 0, tzinfo=JST))[1] >= 1
    db.session.commit()
    business = self_matches.sme_names([self_match])[self_match.organisation_id]
    typed = [sme.name, expert.name, business, case.title, wanted.title, package.title, "ご検討ください"]
    subjects = {
        (sme.email, "proposal-received"): f"A new proposal has arrived (consultation case {case.reference})",
        (expert.email, "proposal-accepted"): f"Your proposal has been accepted (consultation case {case.reference})",
        (expert.email, "introduction-new"): f"The secretariat introduces you to a consultation case ({wanted.reference})",
        (sme.email, "introduction-accepted"): f"An IT expert has accepted the introduction ({wanted.reference})",
        (expert.email, "self-match-requested"): "Please confirm a self-matching request",
        (sme.email, "self-match-confirmed"): "Your self-matching has been made",
        (expert.email, "package-requested"): "Your support package has been requested",
        (sme.email, "message-new"): "You have a new message",
        (expert.email, "case_digest"): "New consultation case",
    }
    for (recipient, kind), subject in subjects.items():
        mail = mails_to(recipient, kind)[-1]
        assert mail.subject.startswith(f"[SME Digitalization Support Corps] {subject}"), (kind, mail.subject)
        assert mail.body.startswith(f"Dear {sme.name if recipient == sme.email else expert.name},"), kind
        assert not JAPANESE.search(english(mail, *typed)), (kind, mail.body)
    assert "日程のご相談です" not in mails_to(sme.email, "message-new")[-1].body
    assert f"Proposal deadline: {case.deadline:%Y-%m-%d}" in mails_to(expert.email, "case_digest")[-1].body
