"""Expert My Page (issue 5): status, honorarium against the cap, the Phase I expert's consent first."""

from __future__ import annotations

import re

from dxapp.extensions import db
from tests.fixtures import factories
from tests.fixtures.pages import text_of


def test_new_expert_sees_zero_honorarium_and_the_cap(client, users, login):
    login(client, users("expert"))
    html = client.get("/expert/").get_data(as_text=True)
    assert "1,500,000円" in text_of_html(html)
    # The amount received, in its own element: exactly 0 yen (「1,500,000円」 also ends in 「0円」).
    assert re.search(r'<dd id="honoraria-total">\s*0円\s*</dd>', html), html


def test_phase1_expert_agrees_to_phase2_terms_first_then_sees_carried_over_amount(app, client):
    from dxapp.demo import DEMO_PASSWORD
    from dxapp.demo import seed as seed_demo

    seed_demo()
    db.session.commit()
    r = client.submit("/account/login", {"email": "phase1-expert@demo.example", "password": DEMO_PASSWORD})
    assert r.status_code == 303
    gate = client.get("/expert/")
    assert gate.status_code in (302, 303) and "/account/consent" in gate.headers["Location"]
    r = client.submit("/account/consent", {"agree_terms": "y", "agree_privacy": "y"})
    assert r.status_code == 303
    html = client.get("/expert/").get_data(as_text=True)
    page = text_of_html(html)
    assert "1,080,000円" in page and "1,500,000円" in page
    assert re.search(r'<dd id="honoraria-total">\s*420,000円\s*</dd>', html)


def test_mypage_shows_the_timeline(client, users, login):
    from dxapp.services import applications

    expert, application = factories.submitted_expert(users, name="佐藤 一郎")
    login(client, expert)
    applications.move(application, "under_review", version=application.version, actor_id=users("desk").id)
    page = text_of(client.get("/expert/"))
    assert application.reference in page and "申請済み" in page and "審査中" in page


def text_of_html(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
