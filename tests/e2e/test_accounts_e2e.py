"""Accounts in a real browser, with JavaScript on and off: sign up through the wizard, confirm the
e-mail address from the outbox, log in, log out; every demo account logs in (secretariat with TOTP);
the home page; error re-renders.  The tab fixture runs axe on every page and collects it for the Nu
HTML Checker (see conftest.py).

The UI is Japanese by default; the assertions rely on URLs, ids and structure rather than on wording,
except for the 「エラー: 」 title prefix and lang="ja"."""

from __future__ import annotations

import re

import pytest

from dxapp.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET
from tests.fixtures.app import PASSWORD

SIGNUP = "/account/sign-up"
HOME_OF = {"sme": "/sme/", "expert": "/expert/", "supporter_admin": "/supporter/", "desk": "/secretariat/",
           "admin": "/secretariat/"}
DEMO = [(email, role) for email, role, _name in DEMO_ACCOUNTS]  # every demo account, as `make run` prints them


def assert_japanese_page(tab) -> None:
    assert tab.page.locator("html").get_attribute("lang") == "ja"
    assert tab.page.locator("h1").count() == 1
    assert tab.page.locator("a.skip[href='#main']").count() == 1


def assert_error_page(tab, *field_ids: str) -> None:
    """422 re-render: 「エラー: 」 title, an error summary that has focus and links to each field, the
    fields marked invalid and described by their message."""
    assert tab.title().startswith("エラー: "), tab.title()
    summary = tab.page.locator("main .error-summary")
    assert summary.count() == 1
    assert tab.focused_is(summary), "the error summary does not have focus"
    links = summary.locator("a").evaluate_all("els => els.map(a => a.getAttribute('href'))")
    for field_id in field_ids:
        assert f"#{field_id}" in links, (field_id, links)
        target = tab.page.locator(f"#{field_id}")
        assert target.get_attribute("aria-invalid") == "true", field_id
        described = (target.get_attribute("aria-describedby") or "").split()
        if target.get_attribute("type") != "radio":  # radios: the fieldset carries the description
            assert f"{field_id}-error" in described, (field_id, described)


def log_out(tab) -> None:
    tab.submit(tab.page.locator("header form[action='/account/logout'] button[type=submit]"))
    assert tab.path == "/"
    assert tab.page.locator("header a[href='/account/login']").count() == 1


def test_home_page(tab):
    tab.goto("/")
    assert_japanese_page(tab)
    assert tab.title().endswith("中小企業デジタル化応援隊事業") or "|" in tab.title()
    assert tab.page.locator(f"main a[href='{SIGNUP}/']").count() >= 1
    assert tab.page.locator("main a[href='/account/login']").count() >= 1
    assert tab.page.locator("main table.calendar tbody tr").count() >= 5
    assert tab.page.locator("aside.help a[href^='tel:']").count() == 1
    assert tab.page.locator("body").inner_text().count("4,000") >= 1  # the seed's honorarium example
    if tab.js:
        assert tab.page.evaluate("typeof window.htmx") != "undefined", "htmx did not load (CSP? path?)"
    # The first Tab reaches the skip link, which is visible when focused and leads to <main>.
    tab.page.keyboard.press("Tab")
    skip = tab.page.locator("a.skip")
    assert tab.focused_is(skip)
    box = skip.bounding_box()
    assert box and box["width"] >= 24 and box["height"] >= 24, box


def test_sign_up_verify_log_in_log_out(tab, live_server):
    email = f"hanako.{tab.mode}@example.jp"
    tab.goto("/")
    tab.click(tab.page.locator(f"header a[href='{SIGNUP}/']"))
    assert tab.path == f"{SIGNUP}/"
    tab.click(tab.page.locator("main .task-list a").first)
    assert tab.path == f"{SIGNUP}/role"

    # Who are you: nothing chosen is an error, then choose SME.
    tab.submit(tab.primary_button(), status=422)
    assert_error_page(tab, "role-0")
    tab.page.locator("input[name=role][value=sme]").check()
    response = tab.submit(tab.primary_button())
    assert tab.path == f"{SIGNUP}/account"
    if tab.js:  # htmx posts the step and gets the next one in the same round trip (UX.md)
        assert response.request.method == "POST" and response.headers.get("hx-push-url") == f"{SIGNUP}/account"
    else:  # POST, 303, GET
        assert response.request.redirected_from is not None
        assert response.request.redirected_from.method == "POST"

    # Name and e-mail address; an invalid address keeps the typed values.
    tab.page.locator("#name").fill("山田 花子")
    tab.page.locator("#email").fill("hanako at example")
    tab.submit(tab.primary_button(), status=422)
    assert_error_page(tab, "email")
    assert tab.page.locator("#name").input_value() == "山田 花子"
    assert tab.page.locator("#email").input_value() == "hanako at example"
    tab.page.locator("#email").fill(email)
    tab.submit(tab.primary_button())
    assert tab.path == f"{SIGNUP}/password"

    # Password twice.
    assert tab.page.locator("#password").get_attribute("autocomplete") == "new-password"
    tab.page.locator("#password").fill(PASSWORD)
    tab.page.locator("#password_confirm").fill(PASSWORD)
    tab.submit(tab.primary_button())
    assert tab.path == f"{SIGNUP}/consent"

    # Both consents.
    tab.page.locator("#agree_terms").check()
    tab.page.locator("#agree_privacy").check()
    tab.submit(tab.primary_button())
    assert tab.path == f"{SIGNUP}/check-answers"

    # Check your answers: what was typed, a change link per row, never the password.
    summary = tab.page.locator("main dl.summary").all_inner_texts()
    text = "\n".join(summary)
    assert "山田 花子" in text and email in text
    assert PASSWORD not in tab.page.content()
    assert tab.page.locator("main dl.summary a[href*='return=check']").count() >= 3
    tab.submit(tab.primary_button())
    assert re.fullmatch(rf"{SIGNUP}/sent/U-[\w-]+", tab.path), tab.path

    # The e-mail: its link opens a page whose button confirms (GET changes nothing).
    link = live_server.link_in_mail(email, "verify-email", r"/account/verify/[\w.\-]+")
    tab.goto(link)
    assert tab.page.locator(f"main form[action='{link.removeprefix(live_server.url)}']").count() == 1
    tab.submit(tab.primary_button())
    assert tab.path == "/account/login"
    assert tab.page.locator("main .notice-success").count() == 1

    # Log in, My Page, log out.
    tab.page.locator("#email").fill(email)
    tab.page.locator("#password").fill(PASSWORD)
    tab.submit(tab.primary_button())
    assert tab.path == "/sme/"
    assert tab.h1() == "マイページ"
    assert email in tab.page.locator("main").inner_text()
    log_out(tab)
    tab.goto("/sme/", status=200)  # redirected to the login page
    assert tab.path.startswith("/account/login")


def test_login_error_is_rerendered(tab):
    tab.goto("/account/login")
    assert_japanese_page(tab)
    response = tab.submit(tab.primary_button(), status=422)
    assert response.request.method == "POST"
    assert_error_page(tab, "email", "password")
    # The typed address is kept; the password is not echoed back.
    tab.page.locator("#email").fill("sme@demo.example")
    tab.page.locator("#password").fill("wrong password for the demo")
    tab.submit(tab.primary_button(), status=422)
    assert_error_page(tab, "password")
    assert tab.page.locator("#email").input_value() == "sme@demo.example"
    assert tab.page.locator("#password").input_value() == ""


def reset_phase1_consents(live_server, email: str) -> None:
    """The Phase I demo expert has agreed to the Phase I terms only; forget any Phase II consent that an
    earlier test gave, so that every run sees the consent page."""
    from sqlalchemy import delete, select

    from dxapp.extensions import db
    from dxapp.models import Consent, TermsVersion, User

    def reset():
        user = db.session.scalar(select(User).where(User.email == email))
        phase1 = select(TermsVersion.id).where(TermsVersion.version == "phase1")
        db.session.execute(delete(Consent).where(Consent.user_id == user.id, Consent.terms_version_id.not_in(phase1)))
        db.session.commit()

    live_server.query(reset)


@pytest.mark.parametrize(("email", "role"), DEMO, ids=[e.split("@")[0] for e, _r in DEMO])
def test_demo_account_logs_in(tab, live_server, email, role):
    if email.startswith("phase1-"):
        reset_phase1_consents(live_server, email)
    tab.goto("/account/login")
    tab.page.locator("#email").fill(email)
    tab.page.locator("#password").fill(DEMO_PASSWORD)
    tab.submit(tab.primary_button())
    if role in ("desk", "admin"):
        assert tab.path == "/account/login/code"
        code = tab.page.locator("#code")
        assert code.get_attribute("autocomplete") == "one-time-code"
        code.fill("000000" if live_server.totp(DEMO_TOTP_SECRET) != "000000" else "111111")
        tab.submit(tab.primary_button(), status=422)  # a wrong code is an error, not a lock-out
        assert_error_page(tab, "code")
        tab.page.locator("#code").fill(live_server.totp(DEMO_TOTP_SECRET))
        tab.submit(tab.primary_button())
    if email.startswith("phase1-"):
        # Phase I users agree to the Phase II terms before anything else.
        assert tab.path.startswith("/account/consent")
        tab.submit(tab.primary_button(), status=422)
        assert_error_page(tab, "agree_terms", "agree_privacy")
        tab.page.locator("#agree_terms").check()
        tab.page.locator("#agree_privacy").check()
        tab.submit(tab.primary_button())
    assert tab.path == HOME_OF[role], tab.path
    assert_japanese_page(tab)
    if role not in ("desk", "admin"):
        assert tab.h1() == "マイページ"
    assert tab.page.locator("header a[href='/account/home']").count() == 1
    if role == "admin":
        tab.click(tab.page.locator("main a[href='/secretariat/staff']"))
        assert tab.page.locator("main table tbody tr").count() >= 2
    log_out(tab)
