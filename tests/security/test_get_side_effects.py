"""GET never changes data (SECURITY.md, headers and cookies): for anonymous visitors and every role,
every GET route leaves every row of every table exactly as it was."""

from __future__ import annotations

from dxapp.services import accounts
from tests.fixtures.app import PASSWORD
from tests.fixtures.security import ROLES, rules, snapshot, url_for_rule


def get_urls(app) -> list[str]:
    """Every GET route: parameterless ones as they are, the others with dummy values."""
    urls = [url_for_rule(app, rule) for rule in rules(app, "GET")]
    for slug in ("account", "password", "consent", "role/check", "role/check?role=sme"):
        urls.append(f"/account/sign-up/{slug}")
    return urls


def assert_gets_change_nothing(client, urls, who="anonymous", *, per_url=False):
    """Compare every row of every table before and after the GETs; when something changed, go
    through the URLs again one by one to name the culprit."""
    before = snapshot()
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, (who, url, response.status_code)
        response.close()
        if per_url:
            after = snapshot()
            changed = sorted(t for t in before if before[t] != after[t])
            assert not changed, f"GET {url} as {who} changed {changed}"
    if not per_url and snapshot() != before:
        assert_gets_change_nothing(client, urls, who, per_url=True)
        raise AssertionError(f"GETs as {who} changed data (not reproduced URL by URL)")


def test_anonymous_gets_change_nothing(app, client, users):
    user = users("sme", email="someone@example.jp")
    unverified = users("expert", email="new@example.jp", verified=False)
    with app.test_request_context("/"):
        links = [f"/account/verify/{accounts.make_token(unverified, 'verify')}",
                 f"/account/password-reset/{accounts.make_token(user, 'reset')}"]
    assert_gets_change_nothing(client, get_urls(app) + links)


def test_sign_up_pages_create_no_draft_on_get(app, client):
    """The wizard shows an empty, unsaved draft on GET; the row is made by the first POST."""
    before = snapshot()
    for url in ("/account/sign-up/", "/account/sign-up/role", "/account/sign-up/check-answers",
                "/account/sign-up/role/check?role=sme"):
        client.get(url)
    assert snapshot() == before
    assert client.submit("/account/sign-up/role", {"role": "sme"}).status_code == 303
    after = snapshot()
    assert len(after["wizard_draft"]) == 1 and len(before["wizard_draft"]) == 0


def test_gets_with_a_draft_in_progress_change_nothing(app, client):
    client.submit("/account/sign-up/role", {"role": "sme"})
    client.submit("/account/sign-up/account", {"name": "山田", "email": "yamada@example.jp"})
    assert_gets_change_nothing(client, get_urls(app))


def test_logged_in_gets_change_nothing_for_every_role(app, users, login):
    for role in ROLES:
        user = users(role)
        client = app.test_client()
        login(client, user)
        assert_gets_change_nothing(client, get_urls(app), who=role)


def test_gets_before_consent_change_nothing(app, users, login):
    """A user who still has to consent is redirected by the gate; that redirect records nothing."""
    user = users("sme", consented=False)
    client = app.test_client()
    login(client, user)
    assert_gets_change_nothing(client, get_urls(app))


def test_gets_during_the_totp_step_change_nothing(app, users):
    staff = users("desk")
    client = app.test_client()
    assert client.submit("/account/login", {"email": staff.email, "password": PASSWORD}).status_code == 303
    assert_gets_change_nothing(client, ["/account/login/code", "/secretariat/", "/"])
