"""Throttling (SECURITY.md rule 8): login and password reset are limited per client and per account;
authenticated limits key on the user, because desk clerks share one office IP."""

from __future__ import annotations

import pytest

from tests.fixtures.app import PASSWORD

WRONG = "not the right password at all"  # noqa: S105


@pytest.fixture
def limited_app(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        yield app


def make_user(app, role="sme", email=None):
    """An account on an app that is not the `app` fixture (the `users` factory is bound to that)."""
    from dxapp import clock
    from dxapp.extensions import db
    from dxapp.services import accounts, passwords, terms

    user = accounts.sign_up(role=role, name="利用者", email=email or f"{role}@example.jp",
                            password_hash=passwords.hash_password(PASSWORD),
                            consented_version_ids=[v.id for v in terms.current_versions()])
    user.email_verified_at = clock.wall_now()
    db.session.commit()
    email = user.email
    db.session.rollback()
    return email


def post_login(client, token, email, password, ip="192.0.2.1"):
    return client.post("/account/login", data={"csrf_token": token, "email": email, "password": password},
                       environ_overrides={"REMOTE_ADDR": ip})


def assert_429_page(response):
    assert response.status_code == 429
    body = response.get_data(as_text=True)
    assert "試行回数が上限を超えました" in body  # the Japanese 429 page, not Flask-Limiter's default text
    assert 'lang="ja"' in body
    assert response.headers.get("Cache-Control") == "no-store"


def test_limits_are_off_unless_enabled(app, client, users):
    user = users("sme")
    token = client.csrf_from("/account/login")
    for _ in range(12):
        assert post_login(client, token, user.email, WRONG).status_code == 422


def test_eleventh_login_post_in_a_minute_from_one_client_is_429(limited_app):
    email = make_user(limited_app)
    client = limited_app.test_client()
    token = client.csrf_from("/account/login")
    for attempt in range(10):
        assert post_login(client, token, f"nobody{attempt}@example.jp", WRONG).status_code == 422, attempt
    response = post_login(client, token, email, PASSWORD)  # even the right password
    assert_429_page(response)
    # Showing the login page is not limited, and another client is not affected.
    assert client.get("/account/login", environ_overrides={"REMOTE_ADDR": "192.0.2.1"}).status_code == 200
    other = limited_app.test_client()
    other_token = other.csrf_from("/account/login")
    assert post_login(other, other_token, email, PASSWORD, ip="192.0.2.2").status_code == 303


def test_per_account_limit_is_per_client_so_nobody_locks_the_owner_out(limited_app):
    """Issue 11 item 25: anyone who knew an address could lock its owner out (the 21st attempt of the
    hour on the account was refused even with the right password).  The per-account limit is now per
    account and client: 25 wrong passwords from rotating addresses are each answered, and the owner,
    from their own client, gets in with the right password."""
    email = make_user(limited_app, email="target@example.jp")
    client = limited_app.test_client()
    token = client.csrf_from("/account/login")
    for attempt in range(25):
        response = post_login(client, token, email, WRONG, ip=f"198.51.100.{attempt + 1}")
        assert response.status_code == 422, attempt
    owner = limited_app.test_client()
    owner_token = owner.csrf_from("/account/login")
    assert post_login(owner, owner_token, " TARGET@example.jp", PASSWORD, ip="203.0.113.1").status_code == 303


def test_password_reset_requests_are_limited(limited_app):
    make_user(limited_app, email="target@example.jp")
    client = limited_app.test_client()
    token = client.csrf_from("/account/password-reset")
    for attempt in range(5):
        response = client.post("/account/password-reset", data={"csrf_token": token, "email": "target@example.jp"})
        assert response.status_code == 200, attempt
    assert_429_page(client.post("/account/password-reset", data={"csrf_token": token, "email": "target@example.jp"}))


def test_totp_attempts_are_limited(limited_app):
    from dxapp.extensions import db
    from dxapp.services import accounts

    accounts.create_staff(email="desk@example.jp", name="職員", role="desk", actor=None, password=PASSWORD)
    db.session.commit()
    client = limited_app.test_client()
    token = client.csrf_from("/account/login")
    assert post_login(client, token, "desk@example.jp", PASSWORD).status_code == 303
    token = client.csrf_from("/account/login/code")  # the session was renewed after the password step
    for attempt in range(10):
        response = client.post("/account/login/code", data={"csrf_token": token, "code": "000000"},
                               environ_overrides={"REMOTE_ADDR": "192.0.2.1"})
        assert response.status_code == 422, attempt
    response = client.post("/account/login/code", data={"csrf_token": token, "code": "000000"},
                           environ_overrides={"REMOTE_ADDR": "192.0.2.1"})
    assert_429_page(response)


def test_wrong_totp_codes_are_capped_per_account_from_any_address(limited_app):
    """Issue 11 item 25: wrong codes from rotating addresses were never capped.  Ten wrong codes in 15
    minutes on one account, whichever clients send them, then 429."""
    from dxapp.extensions import db
    from dxapp.services import accounts

    accounts.create_staff(email="desk@example.jp", name="職員", role="desk", actor=None, password=PASSWORD)
    db.session.commit()
    client = limited_app.test_client()
    token = client.csrf_from("/account/login")
    assert post_login(client, token, "desk@example.jp", PASSWORD).status_code == 303
    token = client.csrf_from("/account/login/code")
    for attempt in range(10):
        response = client.post("/account/login/code", data={"csrf_token": token, "code": "000000"},
                               environ_overrides={"REMOTE_ADDR": f"198.51.100.{attempt + 1}"})
        assert response.status_code == 422, attempt
    response = client.post("/account/login/code", data={"csrf_token": token, "code": "000000"},
                           environ_overrides={"REMOTE_ADDR": "203.0.113.99"})
    assert_429_page(response)


def test_authenticated_limits_key_on_the_user_not_the_shared_office_address(limited_app):
    """Two accounts behind one office IP: one of them using up a limit does not block the other."""
    first, second = make_user(limited_app, email="a@example.jp"), make_user(limited_app, email="b@example.jp")
    clients = []
    for email in (first, second):
        c = limited_app.test_client()
        token = c.csrf_from("/account/login")
        assert post_login(c, token, email, PASSWORD, ip="192.0.2.50").status_code == 303
        clients.append((c, c.csrf_from("/sme/")))
    (c1, t1), (c2, t2) = clients
    office = {"REMOTE_ADDR": "192.0.2.50"}
    for _ in range(5):
        assert c1.post("/account/verify/resend", data={"csrf_token": t1, "email": first},
                       environ_overrides=office).status_code == 303
    assert_429_page(c1.post("/account/verify/resend", data={"csrf_token": t1, "email": first},
                            environ_overrides=office))
    assert c2.post("/account/verify/resend", data={"csrf_token": t2, "email": second},
                   environ_overrides=office).status_code == 303


def test_inquiries_are_limited(limited_app):
    client = limited_app.test_client()
    token = client.csrf_from("/inquiry")
    data = {"csrf_token": token, "name": "山田", "email": "q@example.jp", "category": "other", "body": "質問"}
    for attempt in range(10):
        assert client.post("/inquiry", data=data).status_code == 303, attempt
    assert_429_page(client.post("/inquiry", data=data))


def test_an_app_without_limits_stays_without_them_when_another_app_turns_them_on(app, make_app):
    """Flask-Limiter keeps its on/off switch on the one global Limiter, so creating an app with limits
    (as the tests above do) used to switch them on for an app created earlier without them (the e2e
    live server): its inquiry form then answered 429 to other tests."""
    unlimited = app.test_client()
    limited = make_app(RATELIMIT_ENABLED=True)
    assert limited.config["RATELIMIT_ENABLED"] and not app.config["RATELIMIT_ENABLED"]
    with app.app_context():
        token = unlimited.csrf_from("/inquiry")
        data = {"csrf_token": token, "name": "山田", "email": "q@example.jp", "category": "other", "body": "質問"}
        for attempt in range(12):
            assert unlimited.post("/inquiry", data=data).status_code == 303, attempt


# ------------------------------------------------------------------ mails anyone can make us send (issue 11 item 25)

def test_sign_ups_are_limited_per_client_and_their_mails_per_address(make_app):
    """A sign-up sends a mail from the official sender: per client at most SIGNUP_LIMIT_PER_CLIENT an
    hour (429 after), and an address that has an account gets at most three notices a day, however many
    clients sign it up."""
    from dxapp.extensions import db
    from dxapp.models import OutboxMessage
    from tests.fixtures.walks import fill_signup

    app = make_app(RATELIMIT_ENABLED=True, SIGNUP_LIMIT_PER_CLIENT="2 per hour")
    with app.app_context():
        taken = make_user(app, email="taken@example.jp")

        def sign_up(ip, email):
            client = app.test_client()
            fill_signup(client, email=email)
            token = client.csrf_from("/account/sign-up/check-answers")
            html = client.get("/account/sign-up/check-answers").get_data(as_text=True)
            import re

            submit_token = re.search(r'name="submit_token" value="([^"]+)"', html).group(1)
            return client.post("/account/sign-up/submit", data={"csrf_token": token, "submit_token": submit_token},
                               environ_overrides={"REMOTE_ADDR": ip})

        assert sign_up("198.51.100.1", "new1@example.jp").status_code == 303
        assert sign_up("198.51.100.1", taken).status_code == 303
        assert_429_page(sign_up("198.51.100.1", "new2@example.jp"))
        for n in range(4):  # other clients, the same address that has an account
            assert sign_up(f"198.51.100.{10 + n}", taken).status_code == 303
        notices = db.session.query(OutboxMessage).filter_by(recipient=taken, kind="signup-existing").count()
        assert notices == 3 - 1  # the verification mail of the account itself counts among the three
        assert db.session.query(OutboxMessage).filter_by(recipient="new2@example.jp").count() == 0


def test_contact_invitations_are_limited_per_account_and_per_client(make_app):
    """Adding contacts sends mails: at most CONTACT_LIMIT_PER_ACCOUNT per account and
    CONTACT_LIMIT_PER_CLIENT per client an hour; failed posts (422) do not count."""
    app = make_app(RATELIMIT_ENABLED=True, CONTACT_LIMIT_PER_ACCOUNT="2 per hour", CONTACT_LIMIT_PER_CLIENT="3 per hour")
    with app.app_context():
        clients = []
        for email in ("owner1@example.jp", "owner2@example.jp"):
            address = make_user(app, email=email)
            c = app.test_client()
            token = c.csrf_from("/account/login")
            assert post_login(c, token, address, PASSWORD, ip="192.0.2.60").status_code == 303
            clients.append((c, c.csrf_from("/sme/contacts")))
        (c1, t1), (c2, t2) = clients

        def add(client, token, n, ip="192.0.2.60", email=None):
            return client.post("/sme/contacts", data={"csrf_token": token, "name": f"担当 {n}",
                                                      "email": email or f"person{n}@example.jp"},
                               environ_overrides={"REMOTE_ADDR": ip})

        assert add(c1, t1, 0, email="not an address").status_code == 422  # not counted
        assert add(c1, t1, 1).status_code == 303
        assert add(c1, t1, 2).status_code == 303
        assert_429_page(add(c1, t1, 3))  # the account's limit
        assert add(c1, t1, 3, ip="192.0.2.61").status_code == 429  # per account, from anywhere
        assert add(c2, t2, 4).status_code == 303  # another account behind the same address
        assert_429_page(add(c2, t2, 5))  # the client's limit (three from 192.0.2.60)
        assert add(c2, t2, 5, ip="192.0.2.62").status_code == 303


def test_reset_and_verification_mails_are_capped_per_address_from_any_client(make_app):
    """Issue 11 item 25: rotating client addresses does not make the program mail one address without
    end: at most five reset links and three sign-up mails (the first verification included) a day."""
    from dxapp.extensions import db
    from dxapp.models import OutboxMessage

    app = make_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        email = make_user(app, email="victim@example.jp")
        client = app.test_client()
        token = client.csrf_from("/account/password-reset")
        for n in range(8):
            r = client.post("/account/password-reset", data={"csrf_token": token, "email": email},
                            environ_overrides={"REMOTE_ADDR": f"203.0.113.{n}"})
            assert r.status_code == 200  # the same page every time
        assert db.session.query(OutboxMessage).filter_by(recipient=email, kind="password-reset").count() == 5
        # An unverified address: its verification mail again, from many clients.
        from dxapp.models import User

        db.session.query(User).filter_by(email=email).update({"email_verified_at": None})
        db.session.commit()
        for n in range(6):
            r = client.post("/account/verify/resend", data={"csrf_token": token, "email": email},
                            environ_overrides={"REMOTE_ADDR": f"203.0.113.{50 + n}"})
            assert r.status_code == 303
        assert db.session.query(OutboxMessage).filter_by(recipient=email, kind="verify-email").count() == 3
        # A day later the owner can ask again.
        app.extensions["dxapp_clock"].advance_wall(24 * 3600 + 1)
        client.post("/account/verify/resend", data={"csrf_token": token, "email": email},
                    environ_overrides={"REMOTE_ADDR": "203.0.113.99"})
        assert db.session.query(OutboxMessage).filter_by(recipient=email, kind="verify-email").count() == 4
