"""The expert directory for logged-in SMEs (issue 5): published on approval, filters, server-side
pagination, no personal data; and the demo data that fills it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from dxapp import demo
from dxapp.extensions import db
from dxapp.models import ExpertProfile
from dxapp.services import experts
from tests.fixtures import factories
from tests.fixtures.pages import text_of


def profile_ids(response) -> list[int]:
    return [int(i) for i in re.findall(r'href="/expert/directory/(\d+)"', response.get_data(as_text=True))]


@pytest.fixture
def seeded(app):
    made = demo.seed_expert_directory()
    db.session.commit()
    assert made == 30
    return made


@pytest.fixture
def sme(client, users, login):
    user = users("sme")
    login(client, user)
    return user


def test_directory_lists_listed_profiles_with_pagination(client, seeded, sme):
    listed = db.session.scalar(select(func.count()).select_from(ExpertProfile).where(ExpertProfile.listed))
    assert listed == 27  # every tenth demo expert declined introductions
    assert 'href="/expert/directory"' in client.get("/sme/").get_data(as_text=True)  # linked from My Page
    first = client.get("/expert/directory")
    assert first.status_code == 200 and f"{listed}" in text_of(first)
    page1 = profile_ids(first)
    assert len(page1) == experts.PAGE_SIZE
    page3 = profile_ids(client.get("/expert/directory?page=3"))
    assert len(page3) == listed - 2 * experts.PAGE_SIZE and not set(page1) & set(page3)
    assert 'rel="next"' in first.get_data(as_text=True)
    assert profile_ids(client.get("/expert/directory?page=99")) == []
    assert client.get("/expert/directory?page=abc").status_code == 200


def test_directory_filters(client, seeded, sme):
    def ids(**query):
        r = client.get("/expert/directory", query_string={**query, "page": 1})
        assert r.status_code == 200
        found, total = experts.directory(experts.Filters(**{k: (int(v) if k.startswith("rate") else v)
                                                            for k, v in query.items()}), 1, 100)
        return set(profile_ids(r)), {p.id for p in found}, total

    shown, expected, total = ids(area="security")
    assert shown and shown <= expected and total == len(expected)
    assert all("security" in {a.area for a in db.session.get(ExpertProfile, i).areas} for i in expected)
    _, online, _ = ids(delivery="online")
    assert all(db.session.get(ExpertProfile, i).delivery in ("online", "both") for i in online)
    _, onsite_tokyo, _ = ids(prefecture="東京都", delivery="onsite")
    assert onsite_tokyo and all("東京都" in {p.prefecture for p in db.session.get(ExpertProfile, i).prefectures}
                                for i in onsite_tokyo)
    _, cheap, _ = ids(rate_min="3000", rate_max="4000")
    assert cheap and all(3000 <= db.session.get(ExpertProfile, i).hourly_rate <= 4000 for i in cheap)
    # Rates typed as people type them; a rate that cannot be read is a 422 with the message.
    r = client.get("/expert/directory", query_string={"rate_max": "５千円"})
    assert r.status_code == 200
    r = client.get("/expert/directory", query_string={"rate_max": "たくさん"})
    assert r.status_code == 422 and 'href="#rate_max"' in r.get_data(as_text=True)


def test_profile_page_shows_no_personal_data(client, users, login, app):
    from tests.fixtures.app import PASSWORD

    expert_client = app.test_client()
    expert, _application = factories.approved_expert(users, name="佐藤 一郎", clerk=users("desk"))
    expert_client.submit("/account/login", {"email": expert.email, "password": PASSWORD})
    profile = db.session.scalars(select(ExpertProfile)).one()
    login(client, users("sme"))
    page = client.get(f"/expert/directory/{profile.id}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "佐藤 一郎" in body and "5,000円" in body and "3,500円" in body
    for private in ("千代田1-1", "1000001", "100-0001", "090", "+8190", "sato@example.jp", expert.email, "1234567",
                    "ｻﾄｳ", "1980", "昭和55"):
        assert private not in body, private
    assert client.get(f"/expert/directory/{profile.id + 999}").status_code == 404
    # The expert sees their own public profile (linked from My Page), but no one else's, and no list.
    own = expert_client.get("/expert/")
    assert f'href="/expert/directory/{profile.id}"' in own.get_data(as_text=True)
    assert expert_client.get(f"/expert/directory/{profile.id}").status_code == 200
    other = demo.seed_expert_directory() and db.session.scalars(select(ExpertProfile).where(
        ExpertProfile.id != profile.id, ExpertProfile.listed)).first()
    assert expert_client.get(f"/expert/directory/{other.id}").status_code == 404
    assert expert_client.get("/expert/directory").status_code == 403


def test_unlisted_profile_is_not_found(client, seeded, sme):
    hidden = db.session.scalars(select(ExpertProfile).where(ExpertProfile.listed.is_(False))).first()
    assert client.get(f"/expert/directory/{hidden.id}").status_code == 404
    assert hidden.id not in profile_ids(client.get("/expert/directory?page=1"))


def test_directory_is_for_smes_not_experts_or_anonymous(app, users, login, seeded):
    anonymous = app.test_client()
    assert anonymous.get("/expert/directory").status_code == 302
    expert_client = app.test_client()
    login(expert_client, users("expert"))
    assert expert_client.get("/expert/directory").status_code == 403


def test_seed_is_idempotent(app, seeded):
    assert demo.seed_expert_directory() == 0


def test_disabled_expert_accounts_leave_the_directory(client, seeded, sme):
    """Review finding C4: a disabled account is neither listed nor shown, whatever its profile says."""
    from dxapp.models import User

    profile = db.session.scalars(select(ExpertProfile).where(ExpertProfile.listed.is_(True))
                                 .order_by(ExpertProfile.hourly_rate, ExpertProfile.id)).first()
    assert profile.id in profile_ids(client.get("/expert/directory?page=1"))
    _rows, before = experts.directory(experts.Filters())
    db.session.get(User, profile.user_id).active = False
    db.session.commit()
    rows, after = experts.directory(experts.Filters())
    assert after == before - 1 and profile.id not in [p.id for p in rows]
    assert profile.id not in profile_ids(client.get("/expert/directory?page=1"))
    assert client.get(f"/expert/directory/{profile.id}").status_code == 404
    assert experts.listed_profile(profile.id) is None
