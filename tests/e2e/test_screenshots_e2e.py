"""Phone-sized screenshots for people to look at (test-artifacts/screenshots/, gitignored): the home
page, a sign-up step, the login page with errors, My Page.  The same pages are checked with axe at
this size (target sizes matter most on a phone) and must not scroll sideways."""

from __future__ import annotations

from dxapp.demo import DEMO_PASSWORD

PHONE = {"width": 390, "height": 844}


def assert_fits_the_phone(tab) -> None:
    wide = tab.page.evaluate("document.documentElement.scrollWidth")
    assert wide <= PHONE["width"], f"{tab.path} scrolls sideways on a {PHONE['width']} px phone ({wide} px)"


def test_phone_screenshots(open_tab):
    tab = open_tab(js=True, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    shots = []

    tab.goto("/")
    assert_fits_the_phone(tab)
    shots.append(tab.screenshot("01-home"))

    tab.goto("/account/sign-up/role")
    assert_fits_the_phone(tab)
    shots.append(tab.screenshot("02-sign-up-role"))
    tab.submit(tab.primary_button(), status=422)
    assert_fits_the_phone(tab)
    shots.append(tab.screenshot("03-sign-up-role-error"))

    tab.goto("/account/login")
    tab.page.locator("#email").fill("sme@demo.example")
    tab.submit(tab.primary_button(), status=422)
    assert tab.title().startswith("エラー: ")
    assert_fits_the_phone(tab)
    shots.append(tab.screenshot("04-login-error"))

    tab.page.locator("#password").fill(DEMO_PASSWORD)
    tab.submit(tab.primary_button())
    assert tab.path == "/sme/"
    assert_fits_the_phone(tab)
    shots.append(tab.screenshot("05-my-page"))

    for shot in shots:
        assert shot.stat().st_size > 5_000, f"{shot} looks empty"
