"""Sign-up through the wizard, e-mail verification from the outbox, login, logout (Foundation issue:
the wizard engine proven with the sign-up flow)."""

import re
import threading

from sqlalchemy import func, select

from dxapp.extensions import db
from dxapp.models import AuditEvent, OutboxMessage, Submission, User, WizardDraft
from tests.fixtures.app import PASSWORD
from tests.fixtures.pages import inspect, text_of
from tests.fixtures.walks import fill_signup  # noqa: F401

BASE = "/account/sign-up"


def verification_link(email):
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == email, OutboxMessage.kind == "verify-email")
    ).one()
    return re.search(r"http://localhost(/account/verify/\S+)", message.body).group(1)


def test_signup_verify_login_logout(client):
    fill_signup(client)
    check = client.get(f"{BASE}/check-answers")
    assert check.status_code == 200
    body = text_of(check)
    assert "hanako@example.jp" in body and "山田 花子" in body
    assert PASSWORD not in check.get_data(as_text=True)
    r = client.submit(f"{BASE}/submit", page=f"{BASE}/check-answers")
    assert r.status_code == 303 and "/account/sign-up/sent/U-" in r.headers["Location"]
    done = client.get(r.headers["Location"])
    assert done.status_code == 200
    user = db.session.scalar(select(User).where(User.email == "hanako@example.jp"))
    assert user.role == "sme" and user.organisation is not None and user.email_verified_at is None
    assert user.password_hash.startswith("$argon2id$")
    # No draft is left behind, and Back + resubmit creates nothing more.
    assert db.session.scalar(select(func.count()).select_from(WizardDraft)) == 0

    # Unverified: login refused with a resend offer.
    r = client.submit("/account/login", {"email": "hanako@example.jp", "password": PASSWORD})
    assert r.status_code == 200 and "resend" in r.get_data(as_text=True)

    link = verification_link("hanako@example.jp")
    page = client.get(link)
    assert page.status_code == 200
    db.session.refresh(user)
    assert user.email_verified_at is None  # GET changes nothing
    r = client.submit(link)
    assert r.status_code == 303
    db.session.refresh(user)
    assert user.email_verified_at is not None
    assert client.get(link).status_code == 410  # single use

    r = client.submit("/account/login", {"email": "HANAKO@example.jp ", "password": PASSWORD})
    assert r.status_code == 303 and r.headers["Location"].endswith("/sme/")
    assert client.get("/sme/").status_code == 200
    r = client.submit("/account/logout", page="/sme/")
    assert r.status_code == 303
    assert client.get("/sme/").status_code == 302

    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    for expected in ("draft.created", "draft.step_saved", "draft.submitted", "account.created",
                     "consent.given", "account.email_verified", "auth.login", "auth.logout"):
        assert expected in actions


def test_double_submit_creates_one_account(client, app):
    fill_signup(client)
    page = client.get(f"{BASE}/check-answers").get_data(as_text=True)
    fields = {i["name"]: i.get("value", "") for i in inspect(page).inputs if i.get("type") == "hidden"}
    first = client.post(f"{BASE}/submit", data=fields)
    second = client.post(f"{BASE}/submit", data=fields)  # a double click / a replay
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 1


def test_parallel_submits_create_one_account(app):
    client = app.test_client()
    fill_signup(client)
    page = client.get(f"{BASE}/check-answers").get_data(as_text=True)
    fields = {i["name"]: i.get("value", "") for i in inspect(page).inputs if i.get("type") == "hidden"}
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    results = []

    def post():
        c = app.test_client()
        c.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
        with app.app_context():
            results.append(c.post(f"{BASE}/submit", data=fields).status_code)

    threads = [threading.Thread(target=post) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results and all(code == 303 for code in results), results
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 1


def test_existing_email_is_not_revealed(client, users):
    users("expert", email="taken@example.jp")
    fill_signup(client, email="taken@example.jp")
    r = client.submit(f"{BASE}/submit", page=f"{BASE}/check-answers")
    assert r.status_code == 303  # same confirmation page as a new address
    kinds = db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.recipient == "taken@example.jp")).all()
    assert "signup-existing" in kinds
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_step_errors_rerender_with_422_and_keep_values(client):
    client.submit(f"{BASE}/role", {"role": "expert"})
    r = client.submit(f"{BASE}/account", {"name": "佐藤 一郎", "email": "not-an-address"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'value="佐藤 一郎"' in html and 'value="not-an-address"' in html
    assert 'aria-invalid="true"' in html and 'href="#email"' in html
    r = client.submit(f"{BASE}/password", {"password": "short", "password_confirm": "short", "draft_version": "2"},
                      page=f"{BASE}/account")
    assert r.status_code == 303  # cannot open password before account is complete
    assert r.headers["Location"].endswith(f"{BASE}/account")


def test_later_step_redirects_to_first_incomplete(client):
    r = client.get(f"{BASE}/consent")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"{BASE}/role")
    assert client.get(f"{BASE}/check-answers").headers["Location"].endswith(f"{BASE}/role")
    assert client.get(f"{BASE}/no-such-step").status_code == 404


def test_save_and_return_keeps_typed_values_without_validating(client):
    client.submit(f"{BASE}/role", {"role": "sme"})
    r = client.submit(f"{BASE}/account", {"name": "途中 保存", "email": "half-typed@", "action": "save"})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"{BASE}/")
    page = client.get(f"{BASE}/account").get_data(as_text=True)
    assert 'value="途中 保存"' in page and 'value="half-typed@"' in page


def test_change_link_returns_to_check_answers(client):
    fill_signup(client)
    r = client.submit(f"{BASE}/account?return=check", {"name": "山田 太郎", "email": "taro@example.jp"},
                      page=f"{BASE}/account?return=check")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"{BASE}/check-answers")
    assert "山田 太郎" in text_of(client.get(f"{BASE}/check-answers"))


def test_stale_version_gets_409_and_nothing_is_overwritten(client):
    client.submit(f"{BASE}/role", {"role": "sme"})
    page = client.get(f"{BASE}/account").get_data(as_text=True)
    fields = {i["name"]: i.get("value", "") for i in inspect(page).inputs if i.get("type") == "hidden"}
    # Another window saves first ...
    client.submit(f"{BASE}/account", {"name": "先の保存", "email": "first@example.jp"})
    # ... then this window's older form arrives.
    r = client.post(f"{BASE}/account", data={**fields, "name": "後の保存", "email": "second@example.jp"})
    assert r.status_code == 409
    body = text_of(r)
    assert "先の保存" in body and "後の保存" in body
    draft = db.session.scalars(select(WizardDraft)).one()
    assert draft.answers["steps"]["account"]["data"]["name"] == "先の保存"


def test_get_creates_no_draft(client):
    client.get(f"{BASE}/")
    client.get(f"{BASE}/role")
    assert db.session.scalar(select(func.count()).select_from(WizardDraft)) == 0


def test_password_step_rejects_weak_and_mismatched(client):
    client.submit(f"{BASE}/role", {"role": "sme"})
    client.submit(f"{BASE}/account", {"name": "山田", "email": "yamada-hanako@example.jp"})
    r = client.submit(f"{BASE}/password", {"password": "short", "password_confirm": "short"})
    assert r.status_code == 422
    r = client.submit(f"{BASE}/password", {"password": PASSWORD, "password_confirm": PASSWORD + "x"})
    assert r.status_code == 422
    r = client.submit(f"{BASE}/password", {"password": "yamada-hanako-secret", "password_confirm": "yamada-hanako-secret"})
    assert r.status_code == 422


def test_boosted_step_post_answers_with_the_next_step(client):
    """One round trip per step with htmx: the next page and HX-Push-Url, no redirect (UX.md budget)."""
    r = client.submit(f"{BASE}/role", {"role": "sme"}, headers={"HX-Request": "true", "HX-Boosted": "true",
                                                                 "HX-Request-Type": "full"})
    assert r.status_code == 200
    assert r.headers["HX-Push-Url"].endswith(f"{BASE}/account")
    assert 'name="email"' in r.get_data(as_text=True)
    # A boosted POST with errors comes back as the same step with 422 and no push.
    r = client.submit(f"{BASE}/account", {"name": "", "email": "x"}, headers={"HX-Request": "true",
                                                                              "HX-Boosted": "true"})
    assert r.status_code == 422 and "HX-Push-Url" not in r.headers
