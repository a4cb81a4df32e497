"""The declared procedures (dxapp.procedures): one registry the desk, the review and the CLI read; the
start guard's refusals and the one page that explains them; may_start and the calendar in force."""

from __future__ import annotations

from datetime import datetime

import pytest

from dxapp import procedures
from dxapp.clock import JST
from dxapp.procedures.spec import Refusal, may_start
from dxapp.rules import calendar as calendars
from tests.fixtures.pages import text_of

INSIDE = datetime(2021, 6, 1, 10, 0, tzinfo=JST)  # inside the published registration window
#: The published calendar, with the registration window over before INSIDE.
ENDED = {**calendars.PHASE2, "registration": calendars.Window(datetime(2021, 5, 1, tzinfo=JST),
                                                              datetime(2021, 5, 15, tzinfo=JST))}


def test_one_registry_of_kinds_with_unique_names():
    kinds = [p.kind for p in procedures.all()]
    assert kinds == ["sme", "expert", "supporter"]
    assert all(procedures.get(kind).kind == kind for kind in kinds)
    assert len({p.wizard.name for p in procedures.all()}) == len(kinds)
    assert len({p.reference_prefix for p in procedures.all()}) == len(kinds)
    with pytest.raises(KeyError):
        procedures.get("plan")
    assert procedures.by_wizard("expert_registration") is procedures.get("expert")
    assert procedures.by_wizard("nothing") is None
    # Procedures that create no application are declared too, outside the review's and the desk's list.
    assert [p.kind for p in procedures.every()] == [*kinds, "consultation_case"]
    case = procedures.get("consultation_case")
    assert case.review is None and case.desk is None and case.guard is not None


def test_the_desk_and_the_review_read_the_registry(app):
    from dxapp.blueprints.secretariat import desk, review
    from dxapp.services import desk as desk_service

    assert set(review.KIND_LABELS) == {p.kind for p in procedures.all()}
    assert set(review.QUEUE_TITLES) == {p.kind for p in procedures.all()} | {"changes"}
    assert all(review.wizard_of(p.kind) is p.wizard for p in procedures.all())
    with_desk = [p for p in procedures.all() if p.desk is not None]
    assert set(desk.WIZARDS) == {p.wizard.name for p in with_desk}
    assert {role: w.wizard for role, w in desk_service.WIZARDS.items()} == {p.role: p.wizard.name for p in with_desk}


def test_may_start_decides_the_window_of_the_calendar_it_is_given(app, users):
    user = users("sme")
    sme = procedures.get("sme")
    assert may_start(user, sme, INSIDE, calendars.PHASE2) is None
    refusal = may_start(user, sme, INSIDE, ENDED)
    assert refusal == Refusal("closed", {"window": ENDED["registration"], "last_day": datetime(2021, 5, 14).date(),
                                         "before": False})
    assert refusal.status == 403
    early = may_start(user, sme, datetime(2021, 4, 1, tzinfo=JST), ENDED)
    assert early.code == "closed" and early.params["before"] is True


def test_an_open_application_refuses_a_second_one_whatever_the_calendar(app, users):
    from dxapp.extensions import db
    from dxapp.services import applications

    user = users("expert")
    application = applications.submit(user=user, kind="expert", answers={"steps": {}}, decision={"outcome": "eligible"},
                                      organisation_id=None)
    db.session.commit()
    for calendar in (calendars.PHASE2, ENDED):
        refusal = may_start(user, procedures.get("expert"), INSIDE, calendar)
        assert refusal.code == "already_applied" and refusal.params["application"].id == application.id
        assert refusal.status == 409


def test_a_calendar_override_is_seen_by_every_window_check(make_app, users, login):
    """PROGRAM_CALENDAR replaces the published calendar for the applicant's guard, the home page's
    calendar and the sign-up's live panel alike."""
    from dxapp.procedures.signup import role_panel

    app = make_app(PROGRAM_CALENDAR=ENDED)
    with app.app_context():
        assert role_panel({"role": "sme"}, {})["registration_open"] is False
        from dxapp.procedures.calendar import calendar_rows

        row = next(r for r in calendar_rows(INSIDE) if r["action"] == "registration")
        assert row["open"] is False and row["last_day"] == datetime(2021, 5, 14).date()
    with app.test_request_context():
        assert role_panel({"role": "sme"}, {})["registration_open"] is False


def test_the_refusal_page_says_why_and_what_to_do(make_app):
    """A closed window: 403, the day it ended, the saved answers stay readable, a way back to My Page."""
    from dxapp.extensions import db
    from dxapp.services import accounts, passwords, terms

    app = make_app(PROGRAM_CALENDAR=ENDED)
    client = app.test_client()
    with app.app_context():
        user = accounts.sign_up(role="sme", name="山田", email="closed@example.jp",
                                password_hash=passwords.hash_password("correct horse battery staple"),
                                consented_version_ids=[v.id for v in terms.current_versions()])
        user.email_verified_at = user.created_at
        db.session.commit()
    r = client.submit("/account/login", {"email": "closed@example.jp", "password": "correct horse battery staple"})
    assert r.status_code == 303
    assert client.get("/sme/register/business-type").status_code == 200  # reading stays open
    r = client.submit("/sme/register/business-type", {"legal_form": "company", "industry": "retail"})
    assert r.status_code == 403
    body = text_of(r)
    assert "現在、新規登録は受け付けていません" in body and "2021年5月14日" in body
    assert 'href="/sme/"' in r.get_data(as_text=True)


def test_the_refusal_page_of_an_open_application_names_it(client, users, login):
    from dxapp.extensions import db
    from dxapp.services import applications

    user = users("sme")
    application = applications.submit(user=user, kind="sme", answers={"steps": {}}, decision={"outcome": "eligible"},
                                      organisation_id=user.organisation_id)
    db.session.commit()
    login(client, user)
    # The step's GET shows the application sent (issue 11 item 9); a POST from a page open before is refused.
    r = client.submit("/sme/register/business-type", {"legal_form": "company", "industry": "retail"}, page="/sme/")
    assert r.status_code == 409
    body = text_of(r)
    assert "すでに申請済みです" in body and application.reference in body and "マイページ" in body



def test_the_desk_sees_the_same_refusal_with_its_own_way_back(app, users, login, program_clock):
    """A clerk saving answers for an applicant after the window: the refusal page, linking back to the
    applicant's steps at the desk (not to a My Page the clerk cannot open)."""
    import re

    applicant, clerk = users("sme"), users("desk")
    mine, desk = app.test_client(), app.test_client()
    login(mine, applicant)
    login(desk, clerk)
    assert mine.submit("/sme/support-code", page="/sme/").status_code == 303
    code = re.search(r'class="support-code">([A-Z0-9]{4}-[A-Z0-9]{4})<', mine.get("/sme/").get_data(as_text=True))
    r = desk.submit("/secretariat/desk/code", {"email": applicant.email, "code": code.group(1)},
                    page="/secretariat/desk/")
    base = r.headers["Location"].replace("http://localhost", "").rstrip("/")
    program_clock.set(datetime(2021, 10, 1, 0, 0, tzinfo=JST))
    r = desk.submit(f"{base}/business-type", {"legal_form": "company", "industry": "retail"},
                    page=f"{base}/business-type")
    assert r.status_code == 403
    body = r.get_data(as_text=True)
    assert "現在、新規登録は受け付けていません" in text_of(r) and "2021年9月30日" in text_of(r)
    assert f'href="{base}/"' in body and "申請者の入力状況に戻る" in text_of(r)
