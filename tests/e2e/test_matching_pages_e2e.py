"""The introduction, self-matching, package and match-signal pages in a real browser, with JavaScript
on and off (issue 12): reached from the demo accounts' My Pages and the secretariat dashboard, each
checked with axe (zero violations) and, for the module, the Nu HTML Checker (zero errors), error
pages included.  Read-only on the shared demo data: the forms are sent only with answers that fail
validation."""

from __future__ import annotations

from dxapp.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET


def demo_login(tab, live_server, email: str, home: str) -> None:
    tab.goto("/account/login")
    tab.page.locator("#email").fill(email)
    tab.page.locator("#password").fill(DEMO_PASSWORD)
    tab.submit(tab.primary_button())
    if home == "/secretariat/":
        assert tab.path == "/account/login/code"
        tab.page.locator("#code").fill(live_server.totp(DEMO_TOTP_SECRET))
        tab.submit(tab.primary_button())
    assert tab.path == home, tab.path


def follow(tab, selector: str) -> None:
    link = tab.page.locator(selector).first
    tab.goto(link.get_attribute("href"))


def test_sme_pages(tab, live_server):
    demo_login(tab, live_server, "sme@demo.example", "/sme/")
    follow(tab, "main a[href$='/introductions']")
    assert tab.h1().endswith("に紹介されたIT専門家"), tab.h1()
    tab.goto("/sme/packages/")
    tab.goto("/sme/packages/?area=ec_sites&mode=onsite")
    follow(tab, "main ul.packages a")
    follow(tab, "main a[href$='/request']")
    tab.goto("/sme/self-match")
    tab.page.locator("#number").fill("12345")
    tab.submit(tab.primary_button(), status=422)
    assert tab.title().startswith("エラー: ")
    tab.goto("/sme/self-match/sent")


def test_expert_pages(tab, live_server):
    demo_login(tab, live_server, "expert@demo.example", "/expert/")
    follow(tab, "main a[href='/expert/introductions/']")
    follow(tab, "main ul.introductions a")
    tab.submit(tab.page.locator("main form .actions button.button-secondary"), status=422)
    tab.goto("/expert/self-matches/")
    tab.goto("/expert/packages/")
    follow(tab, "main ul.packages h2 a")
    tab.goto("/expert/packages/new")
    tab.submit(tab.primary_button(), status=422)


def test_secretariat_pages(tab, live_server):
    demo_login(tab, live_server, "desk@demo.example", "/secretariat/")
    follow(tab, "main a[href='/secretariat/introductions/']")
    follow(tab, "main table a")
    follow(tab, "main table a[href*='/experts/']")
    follow(tab, "header a, main a.back-link")
    tab.goto("/secretariat/match-signals/")
    tab.submit(tab.page.locator("main form .actions button").first, status=422)
