"""`flask` commands: demo data, the first admin, the outbox worker."""

from __future__ import annotations

from datetime import date, datetime

import click
from flask import Flask
from flask.cli import with_appcontext

from dxapp import clock
from dxapp.clock import JST

# Published demo credentials (README), used only by `flask seed-demo`.
DEMO_PASSWORD = "demo-pass-2021!"  # noqa: S105  # nosec B105
DEMO_TOTP_SECRET = "DXAPPDEMOTOTPSECRETKEYFORSTAFFAA"  # noqa: S105  # nosec B105
DEMO_ACCOUNTS = (
    ("sme@demo.example", "sme", "山田 花子（デモ中小企業）"),
    ("expert@demo.example", "expert", "佐藤 一郎（デモIT専門家）"),
    ("supporter@demo.example", "supporter_admin", "鈴木 次郎（デモSMEサポーター）"),
    ("phase1-expert@demo.example", "expert", "高橋 三郎（第Ⅰ期からのIT専門家）"),
    ("phase1-sme@demo.example", "sme", "中村 美咲（第Ⅰ期からの中小企業）"),
    ("desk@demo.example", "desk", "田中 窓口（事務局）"),
    ("admin@demo.example", "admin", "伊藤 管理（事務局）"),
)

TERMS = (
    ("terms", "phase1", "第Ⅰ期 利用規約", datetime(2020, 12, 1, 10, 0, tzinfo=JST), "terms_phase1.txt"),
    ("privacy", "phase1", "第Ⅰ期 個人情報の取扱いについて", datetime(2020, 12, 1, 10, 0, tzinfo=JST), "privacy.txt"),
    ("terms", "phase2-2021-04-26", "第Ⅱ期 利用規約", datetime(2021, 4, 26, 10, 0, tzinfo=JST), "terms_phase2.txt"),
    ("privacy", "phase2-2021-04-26", "第Ⅱ期 個人情報の取扱いについて", datetime(2021, 4, 26, 10, 0, tzinfo=JST),
     "privacy.txt"),
    ("terms", "phase2-2021-07-20", "第Ⅱ期 利用規約（2021年7月20日改定）", datetime(2021, 7, 20, 0, 0, tzinfo=JST),
     "terms_phase2_0720.txt"),
    ("terms", "phase2-2021-10-19", "第Ⅱ期 利用規約（2021年10月19日改定）", datetime(2021, 10, 19, 0, 0, tzinfo=JST),
     "terms_phase2_1019.txt"),
)

NEWS = (
    (date(2021, 4, 26), "第Ⅱ期の受付を開始しました",
     "第Ⅰ期にご登録の方は、2021年4月26日10時から第Ⅱ期をご利用いただけます。最初のログイン時に第Ⅱ期の利用規約への同意をお願いします。"),
    (date(2021, 5, 24), "新規登録の受付を開始しました",
     "中小企業等・IT専門家・SMEサポーターの新規登録を2021年5月24日10時から受け付けています。"),
    (date(2021, 7, 20), "利用規約を改定しました",
     "支援の様子を録画し、5年間保存していただくことになりました。ログイン時に改定後の規約への同意をお願いします。"),
)


def seed_terms() -> None:
    from flask import render_template
    from sqlalchemy import select

    from dxapp.extensions import db
    from dxapp.models import TermsVersion

    for kind, version, title, effective, template in TERMS:
        exists = db.session.scalar(select(TermsVersion).filter_by(kind=kind, version=version))
        if exists is None:
            db.session.add(TermsVersion(kind=kind, version=version, title=title, effective_at=effective,
                                        body=render_template(f"terms/{template}")))
    db.session.commit()


PHASE1_SME_ANSWERS = {
    "business-type": {"legal_form": "company", "industry": "retail"},
    "business-details": {"name": "株式会社なかむら商店", "name_kana": "カブシキガイシャナカムラショウテン",
                         "corporate_number": "7000012050002", "representative_name": "中村 美咲",
                         "representative_kana": "ナカムラ ミサキ", "representative_title": "代表取締役",
                         "established-era": "heisei", "established-year": "15", "established-month": "4",
                         "established-day": "1"},
    "address": {"postal_code": "100-0001", "prefecture": "東京都", "city": "千代田区", "street": "千代田1-1",
                "phone": "03-1234-5678", "contact_email": "phase1-sme@demo.example"},
    "size": {"capital": "1000万円", "employees": "8"},
}


def carry_over_phase1_sme(user) -> None:
    """Phase I data carried into a Phase II draft: the questions Phase II added (exclusions,
    documents, declaration) are still to answer."""
    from flask import current_app
    from werkzeug.datastructures import MultiDict

    from dxapp.blueprints.sme.wizard import SME_REGISTRATION, owner_key
    from dxapp.services import drafts
    from dxapp.wizard import Wizard
    from dxapp.wizard.forms import data_of, raw_of

    answers: dict = {"steps": {}, "partial": {}, "flags": {}}
    with current_app.test_request_context("/"):
        for slug, values in PHASE1_SME_ANSWERS.items():
            form = SME_REGISTRATION.step(slug).form(formdata=MultiDict(values), meta={"csrf": False})
            form.answers = answers
            if not form.validate():
                raise click.ClickException(f"demo answers for {slug} are invalid: {form.errors}")
            answers = Wizard.with_step(answers, slug, raw_of(form), data_of(form))
        draft = drafts.get_or_create(SME_REGISTRATION.name, owner_key(user), user.id, initial=answers)
    draft.answers = {**draft.answers, "carried_over": True}


def seed_demo() -> list[tuple[str, str]]:
    from sqlalchemy import select

    from dxapp.extensions import db
    from dxapp.models import NewsItem, TermsVersion
    from dxapp.services import accounts, audit, passwords, terms
    from dxapp.services.terms import record_consents

    seed_terms()
    for published, title, body in NEWS:
        if db.session.scalar(select(NewsItem).filter_by(title=title)) is None:
            db.session.add(NewsItem(published_on=published, title=title, body=body))
    made = []
    for email, role, name in DEMO_ACCOUNTS:
        if accounts.find_by_email(email) is not None:
            continue
        if role in ("desk", "admin"):
            user = accounts.create_staff(email=email, name=name, role=role, actor=None, password=DEMO_PASSWORD,
                                         totp_secret=DEMO_TOTP_SECRET)
        else:
            user = accounts.sign_up(role=role, name=name, email=email,
                                    password_hash=passwords.hash_password(DEMO_PASSWORD), consented_version_ids=[])
            user.email_verified_at = clock.wall_now()
            db.session.flush()
            if email.startswith("phase1-"):
                # A Phase I user: consented to the Phase I terms only, so the Phase II consent comes first.
                phase1 = db.session.scalars(select(TermsVersion).filter_by(version="phase1")).all()
                from dxapp.models import Consent

                for version in phase1:
                    db.session.add(Consent(user_id=user.id, terms_version_id=version.id,
                                           consented_at=datetime(2021, 1, 15, 10, 0, tzinfo=JST)))
            else:
                record_consents(user, [v.id for v in terms.current_versions()])
        if email == "phase1-sme@demo.example":
            carry_over_phase1_sme(user)
        audit.record("demo.account_seeded", "user", user.id, summary={"role": role})
        made.append((email, role))
    from dxapp.services.experts import seed_demo as seed_expert_directory  # Phase I carry-over, directory
    seed_expert_directory()
    db.session.commit()
    from dxapp.services.review import seed_demo as seed_review_queues  # secretariat review queues
    seed_review_queues()
    from dxapp.services.supporters import seed_demo as seed_supporter  # demo corporation, ~20 experts
    seed_supporter()
    from dxapp.services.inquiries import seed_demo as seed_inquiries  # the inquiry inbox
    seed_inquiries()
    return made


def register_cli(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @with_appcontext
    def seed_demo_command():
        """Create the terms, news and demo accounts (idempotent)."""
        made = seed_demo()
        click.echo(f"demo accounts created: {len(made)}")
        click.echo("")
        click.echo(f"Demo logins (password for all: {DEMO_PASSWORD})")
        for email, role, _name in DEMO_ACCOUNTS:
            click.echo(f"  {role:16} {email}")
        click.echo(f"Secretariat TOTP secret: {DEMO_TOTP_SECRET}  (flask totp-code prints the current code)")

    @app.cli.command("seed-terms")
    @with_appcontext
    def seed_terms_command():
        seed_terms()
        click.echo("terms versions present")

    @app.cli.command("totp-code")
    @click.argument("secret", default=DEMO_TOTP_SECRET)
    def totp_code(secret):
        """Print the current TOTP code for a secret (demo helper)."""
        import pyotp

        click.echo(pyotp.TOTP(secret).now())

    @app.cli.command("create-admin")
    @click.option("--email", required=True)
    @click.option("--name", required=True)
    @with_appcontext
    def create_admin(email, name):
        """Create the first secretariat administrator; a set-up e-mail goes through the outbox."""
        from dxapp.extensions import db
        from dxapp.services import accounts

        if accounts.find_by_email(email):
            raise click.ClickException("an account with this e-mail address exists")
        seed_terms()
        user = accounts.create_staff(email=email, name=name, role="admin", actor=None)
        db.session.commit()
        click.echo(f"admin {user.email} created; the set-up link is in the outbox (flask outbox send)")

    outbox = click.Group("outbox", help="The e-mail outbox.")

    @outbox.command("send")
    @click.option("--loop", is_flag=True, help="keep running, polling every 10 seconds")
    @with_appcontext
    def outbox_send(loop):
        import time

        from dxapp.services.outbox import deliver_pending

        while True:
            sent, failed = deliver_pending()
            click.echo(f"sent {sent}, failed {failed}")
            if not loop:
                break
            time.sleep(10)

    app.cli.add_command(outbox)
