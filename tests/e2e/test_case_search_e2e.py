"""The experts' case search in a real browser, with JavaScript on and off (issue 12, "Experts find
cases"): an approved expert goes from My Page to the search, finds a case by a word typed in hiragana
(htmx swaps the results and pushes the URL; without JavaScript the same form is a plain GET), narrows by
area, opens the case, comes back and saves the search.  Every page is checked with axe and collected for
the Nu HTML Checker (conftest.py)."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect

from tests.fixtures.browser import log_in, new_account

SEARCH = "/expert/cases"


def seed(live_server, mode: str) -> tuple[str, str, str]:
    """An approved SME with two cases (one whose theme holds a word only this mode uses) and an approved
    expert: (expert e-mail, reference of the case to find, its title)."""
    word = "トマト" if mode == "js-on" else "ミカン"
    email = f"case-search.{mode}@expert.example.jp"

    def create():
        from dxapp import demo
        from dxapp.extensions import db
        from dxapp.services import accounts, applications, cases, passwords, terms

        row = (f"case-search.{mode}@sme.example.jp", "森 花子", f"株式会社{word}農園", "ノウエン", "7000012050002",
               "森 花子", "長野県", "長野市", "大字南長野1-1", "026-111-2222")
        sme = accounts.sign_up(role="sme", name=row[1], email=row[0], password_hash=passwords.hash_password("x" * 16),
                               consented_version_ids=[v.id for v in terms.current_versions()])
        db.session.flush()
        application = demo.submit_review_sme(sme, row)
        applications.move(application, "under_review", version=application.version, actor_id=None)
        applications.move(application, "approved", version=application.version, actor_id=None)
        title = f"{word}の受発注をクラウドで管理したい"
        found = cases.publish(sme, cases.CaseFields(
            title=title, goals="電話とFAXの注文をやめたい", situation="注文は紙の台帳です", areas=("cloud_accounting",),
            kind="proposals_wanted", half_hours=12, period_months=2, mode="online", deadline=date(2021, 7, 15)))
        cases.publish(sme, cases.CaseFields(
            title=f"{word}の直売所にキャッシュレス決済を入れたい", goals="カード払いを受けたい", situation="現金のみ",
            areas=("cashless",), kind="support_wanted", half_hours=6, period_months=1, mode="onsite",
            deadline=date(2021, 6, 20), prefecture="長野県", place="長野市"))
        db.session.commit()
        return found.reference, title

    reference, title = live_server.query(create)
    new_account(live_server, email, "expert", "佐藤 一郎", then=lambda user: _approve(user, mode))
    return email, reference, title


def _approve(user, mode: str) -> None:
    from dxapp import demo

    demo.approve_demo_expert(user, 90000200 + (mode == "js-off"))


def hiragana(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


def test_an_expert_finds_a_case_opens_it_and_saves_the_search(tab, live_server):
    email, reference, title = seed(live_server, tab.mode)
    word = "トマト" if tab.js else "ミカン"
    page = tab.page
    log_in(tab, email, home="/expert/", h1=None)
    tab.click(page.locator(f"main a[href='{SEARCH}']").first)
    assert tab.path == SEARCH
    # A word of the theme typed in hiragana finds the katakana.
    page.locator("#q").fill(hiragana(word))
    search = page.locator("form.case-filters button[type=submit]")
    if tab.js:
        with page.expect_response(lambda r: SEARCH in r.url and r.request.resource_type in ("fetch", "xhr")) as answer:
            search.click()
        assert answer.value.status == 200
        expect(page.locator("#results")).to_contain_text(reference)
        expect(page).to_have_url(re.compile(r"[?&]q="))
        tab.check()
    else:
        tab.submit(search)
        assert "q=" in tab.path
    expect(page.locator("#results ul.case-list > li")).to_have_count(2)
    # Narrow by area: with htmx the results follow the select at once; without, the button sends the form.
    page.locator("#area").select_option("cloud_accounting")
    if tab.js:
        expect(page.locator("#results ul.case-list > li")).to_have_count(1)
        expect(page).to_have_url(re.compile(r"area=cloud_accounting"))
        tab.check()
    else:
        tab.submit(search)
    expect(page.locator("#results ul.case-list > li")).to_have_count(1)
    # The URL reproduces the page.
    here = tab.path
    tab.goto(here)
    expect(page.locator("#results ul.case-list > li")).to_have_count(1)
    assert page.locator("#area").input_value() == "cloud_accounting"
    # The case as an expert sees it, and back to the same search.
    tab.click(page.locator(f"#results a:has-text('{title}')"))
    assert tab.path.startswith(f"{SEARCH}/{reference}") and tab.h1() == title
    assert "株式会社" not in page.locator("main").inner_text()
    tab.click(page.locator("a.back-link"))
    expect(page.locator("#results ul.case-list > li")).to_have_count(1)
    # Save it: the list of saved searches shows it.
    tab.submit(page.locator("#results form[action='/expert/saved-searches'] button[type=submit]"))
    assert tab.path == "/expert/saved-searches"
    expect(page.locator("main .saved-searches li")).to_have_count(1)
    expect(page.locator("main .saved-searches li").first).to_contain_text(hiragana(word))
