"""`flask` commands: demo data (dxapp/demo.py), the first admin, the outbox worker.  Each command is a
boundary: it commits once."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext


def seed_terms() -> None:
    """The published terms versions (idempotent)."""
    from dxapp.extensions import db
    from dxapp.services import terms

    terms.add_published()
    db.session.commit()


def register_cli(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @with_appcontext
    def seed_demo_command():
        """Create the terms, news and demo accounts (idempotent)."""
        from dxapp.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET, seed

        made = seed()
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
    @click.argument("secret", default="")
    def totp_code(secret):
        """Print the current TOTP code for a secret (demo helper; default: the demo staff's secret)."""
        import pyotp

        from dxapp.demo import DEMO_TOTP_SECRET

        secret = secret or DEMO_TOTP_SECRET
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
        from dxapp.services import terms

        terms.add_published()
        user = accounts.create_staff(email=email, name=name, role="admin", actor=None)
        db.session.commit()
        click.echo(f"admin {user.email} created; the set-up link is in the outbox (flask outbox send)")

    @app.cli.command("grant-app-role")
    @click.argument("role")
    @with_appcontext
    def grant_app_role_command(role):
        """PostgreSQL: give the app's ROLE what it needs (read and write, but only SELECT and INSERT on
        audit_event); run as the migration owner after `flask db upgrade` (dxapp/db_roles.py)."""
        from dxapp.db_roles import grant_app_role
        from dxapp.extensions import db
        from dxapp.transaction import transaction

        if db.engine.dialect.name != "postgresql":
            click.echo("SQLite has no roles: nothing to grant (the triggers keep audit_event append-only)")
            return
        try:
            with transaction():
                grant_app_role(db.session.connection(), role)
        except (ValueError, RuntimeError) as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"{role}: read and write on the app's tables; SELECT and INSERT only on audit_event")

    outbox = click.Group("outbox", help="The e-mail outbox.")

    @outbox.command("send")
    @click.option("--loop", is_flag=True, help="keep running, polling every 10 seconds")
    @with_appcontext
    def outbox_send(loop):
        import time

        from dxapp.worker import deliver_pending

        while True:
            sent, failed = deliver_pending()
            click.echo(f"sent {sent}, failed {failed}")
            if not loop:
                break
            time.sleep(10)

    app.cli.add_command(outbox)

    budget = click.Group("budget", help="The honorarium budget and its counters.")

    @budget.command("show")
    @with_appcontext
    def budget_show():
        """Print the program budget: total, committed, claimed, paid, remaining, intake."""
        from dxapp.services import budget as service

        now = service.standing()
        for label, amount in (("total", now.total_yen), ("committed", now.committed_yen),
                              ("claimed", now.claimed_yen), ("paid", now.paid_yen),
                              ("remaining", now.remaining_yen)):
            click.echo(f"{label:10} {amount:>17,} yen")
        click.echo(f"intake     {'open' if now.intake_open else 'closed'}")

    @budget.command("verify")
    @with_appcontext
    def budget_verify():
        """Recompute every counter from the ledger; exit 1 with a table of differences if any."""
        from dxapp.services import budget as service

        differences = service.verify()
        if not differences:
            click.echo("budget verify: every counter matches the ledger")
            return
        click.echo(f"{'row':16} {'counter':10} {'stored':>17} {'recomputed':>17}")
        for d in differences:
            click.echo(f"{d.row:16} {d.counter:10} {d.stored_yen:>17,} {d.recomputed_yen:>17,}")
        raise SystemExit(1)

    app.cli.add_command(budget)

    cases = click.Group("cases", help="Consultation cases (issue 12).")

    @cases.command("digest")
    @with_appcontext
    def cases_digest():
        """The daily e-mail of new matching cases for every saved search (program time; once a program day
        per search, so running it twice sends nothing twice).  The e-mails go through the outbox."""
        from dxapp.extensions import db
        from dxapp.services import case_search

        looked, queued = case_search.send_digests()
        db.session.commit()
        click.echo(f"saved searches looked at {looked}, e-mails queued {queued} (flask outbox send sends them)")

    app.cli.add_command(cases)
