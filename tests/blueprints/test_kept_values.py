"""Nothing typed is lost when a session or a form's token expires (UX.md rule 11)."""

import time

from tests.fixtures.app import PASSWORD
from tests.fixtures.pages import inspect


def hidden_fields(client, url):
    page = client.get(url).get_data(as_text=True)
    return {i["name"]: i.get("value", "") for i in inspect(page).inputs if i.get("type") == "hidden"}


def test_post_after_idle_timeout_keeps_values_through_login(client, users, login, program_clock):
    user = users("sme")
    login(client, user)
    fields = hidden_fields(client, "/inquiry")
    program_clock.advance_wall(31 * 60)
    r = client.post("/inquiry", data={**fields, "name": "長文 入力", "email": "a@example.jp", "category": "other",
                                      "body": "夜中に書いた長い質問です。"})
    assert r.status_code == 303 and "/account/login" in r.headers["Location"]
    login_page = r.headers["Location"]
    r = client.submit(login_page, {"email": user.email, "password": PASSWORD})
    assert r.status_code == 303 and r.headers["Location"].endswith("/inquiry")
    page = client.get("/inquiry").get_data(as_text=True)
    assert "夜中に書いた長い質問です。" in page and 'value="長文 入力"' in page
    # Shown once: a later visit starts empty.
    assert "夜中に書いた長い質問です。" not in client.get("/inquiry").get_data(as_text=True)


def test_expired_csrf_token_refills_the_form(make_app):
    app = make_app(WTF_CSRF_TIME_LIMIT=1)
    with app.app_context():
        client = app.test_client()
        fields = hidden_fields(client, "/inquiry")
        time.sleep(2.1)
        r = client.post("/inquiry", data={**fields, "name": "期限 切れ", "email": "b@example.jp",
                                          "category": "other", "body": "トークン切れでも消えない"})
        assert r.status_code == 303 and r.headers["Location"].endswith("/inquiry")
        page = client.get("/inquiry").get_data(as_text=True)
        assert "トークン切れでも消えない" in page and 'value="期限 切れ"' in page


def test_missing_csrf_token_is_refused_without_refilling(client):
    r = client.post("/inquiry", data={"name": "偽造", "email": "c@example.jp", "category": "other", "body": "x"})
    assert r.status_code == 400
    assert 'value="偽造"' not in client.get("/inquiry").get_data(as_text=True)


def test_passwords_are_never_kept(client, users, login, program_clock):
    user = users("sme")
    login(client, user)
    fields = hidden_fields(client, "/inquiry")
    program_clock.advance_wall(31 * 60)
    client.post("/inquiry", data={**fields, "name": "x", "password": "do-not-keep-me-anywhere"})
    with client.session_transaction() as sess:
        assert "do-not-keep-me-anywhere" not in str(dict(sess))


def test_kept_values_are_for_the_same_person_only(client, users, login, program_clock):
    """Issue 11 item 25: what one person typed before their session expired is not shown to another
    person who logs in next on the same browser (a shared office PC)."""
    first, second = users("sme"), users("sme")
    login(client, first)
    fields = hidden_fields(client, "/inquiry")
    program_clock.advance_wall(31 * 60)
    r = client.post("/inquiry", data={**fields, "name": "前の人", "email": "a@example.jp", "category": "other",
                                      "body": "前の人の相談内容"})
    assert r.status_code == 303 and "/account/login" in r.headers["Location"]
    r = client.submit(r.headers["Location"], {"email": second.email, "password": PASSWORD})
    assert r.status_code == 303
    page = client.get("/inquiry").get_data(as_text=True)
    assert "前の人の相談内容" not in page and 'value="前の人"' not in page
