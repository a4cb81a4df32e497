"""Review of an IT expert's registration through the expert wizard (issue 6): found by furigana in the
expert queue, the signals against an SME at the same address and an expert with the same bank account,
returned for correction of one step, corrected by the expert, resubmitted and approved."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dxapp.extensions import db
from dxapp.models import Application, Document
from tests.fixtures import factories
from tests.fixtures.expert_answers import BANK, PERSON
from tests.fixtures.pages import text_of
from tests.fixtures.review import REVIEW, mails, refreshed
from tests.fixtures.walks import expert as expert_walk


@pytest.fixture
def submitted_expert(app, users, login):
    """An IT expert who sent the registration (built by the factory), logged in: (user, client, application)."""
    user, application = factories.submitted_expert(users, name="佐藤 一郎")
    client = app.test_client()
    login(client, user)
    return user, client, application


def flag_field(application, slug: str) -> str:
    from dxapp.blueprints.secretariat.review import step_choices

    return f"flag_{[s for s, _title in step_choices(application)].index(slug)}"


def test_expert_round_trip_with_signals(app, users, login, desk, submitted_sme, submitted_expert):  # noqa: F811
    clerk_user, clerk = desk
    expert, client, application = submitted_expert
    assert application.display_name == "佐藤 一郎" and application.kana_key == "サトウイチロウ"
    assert application.bank_key and application.birth_date.isoformat() == "1980-04-01"
    # Found by furigana in the expert queue, not in the SME queue.
    assert application.reference in text_of(clerk.get(f"{REVIEW}/experts?q=さとういちろう"))
    assert application.reference not in text_of(clerk.get(f"{REVIEW}/sme?q=さとういちろう"))
    # A second expert with the same bank account.
    other, _second = factories.submitted_expert(
        users, name="鈴木 次郎", participation={"participation": "freelance"},
        person={**PERSON, "name": "鈴木 次郎", "name_kana": "すずき じろう", "street": "丸の内2-2",
                "phone": "080-1111-2222"},
        identity={"identity_kind": "driving_licence"}, bank={**BANK, "account_holder": "すずき じろう"})
    second = db.session.scalars(select(Application).where(Application.user_id == other.id)).one()
    _sme, _c, sme_application = submitted_sme
    detail = f"{REVIEW}/applications/{application.id}"
    html = clerk.get(detail).get_data(as_text=True)
    # The SME in the same building (千代田1-1) and the other expert's account are signals, with links.
    assert 'id="signal-shared_address"' in html and f"/review/applications/{sme_application.id}\"" in html
    assert 'id="signal-shared_bank"' in html and f"/review/applications/{second.id}\"" in html
    # Every answer and every document of the expert are there (downloads are POST forms).
    page = text_of(clerk.get(detail))
    assert "佐藤 一郎" in page and "ITC-12345" in page
    for document in db.session.scalars(select(Document).where(Document.owner_user_id == expert.id)):
        assert f"/documents/{document.id}\"" in html
    # Pick up, return the person step.
    clerk.submit(f"{detail}/pick-up", page=detail)
    r = clerk.submit(f"{detail}/return", {flag_field(application, "person"): "氏名が本人確認書類と一致しません。"})
    assert r.status_code == 303
    assert refreshed(application).flags == {"person": "氏名が本人確認書類と一致しません。"}
    assert "氏名が本人確認書類と一致しません。" in mails("review-returned")[0].body
    # The expert sees the note, corrects that step only and sends again.
    assert "氏名が本人確認書類と一致しません。" in text_of(client.get("/expert/"))
    expert_walk.go(client, "person", {**PERSON, "name": "佐藤 壱郎"})  # the expert's own correction, over HTTP
    expert_walk.submit(client)
    application = refreshed(application)
    assert application.status == "resubmitted" and application.display_name == "佐藤 壱郎"
    assert application.reference in text_of(clerk.get(f"{REVIEW}/experts?status=resubmitted&q=壱郎"))
    clerk.submit(f"{detail}/pick-up", page=detail)
    # The signals are open: the approval asks the clerk to acknowledge them (issue 11 item 20).
    assert clerk.submit(f"{detail}/approve", page=detail).status_code == 422
    assert clerk.submit(f"{detail}/approve", {"acknowledge_signals": "y"}, page=detail).status_code == 303
    assert refreshed(application).status == "approved" and mails("review-approved")[0].recipient == expert.email


def test_supporter_corporation_review_with_a_corporate_number_already_registered(app, users, login, desk,  # noqa: F811
                                                                                  submitted_sme):  # noqa: F811
    _clerk_user, clerk = desk
    admin, application = factories.submitted_supporter(users)
    assert application.corporate_number == "7000012050002" and application.display_name == "株式会社デジタル支援"
    assert application.reference in text_of(clerk.get(f"{REVIEW}/supporters?q=でじたる"))
    assert application.reference in text_of(clerk.get(f"{REVIEW}/supporters?q=0120500"))
    _sme, _c, sme_application = submitted_sme
    detail = f"{REVIEW}/applications/{application.id}"
    html = clerk.get(detail).get_data(as_text=True)
    assert 'id="signal-corporate_number_taken"' in html and f"/review/applications/{sme_application.id}\"" in html
    assert "第2021-0123号" in text_of(clerk.get(detail))
    # The SME sees the same signal the other way round.
    assert f"/review/applications/{application.id}\"" in clerk.get(
        f"{REVIEW}/applications/{sme_application.id}").get_data(as_text=True)
    clerk.submit(f"{detail}/pick-up", page=detail)
    assert clerk.submit(f"{detail}/approve", {"acknowledge_signals": "y"}, page=detail).status_code == 303
    assert refreshed(application).status == "approved"
    assert mails("review-approved")[0].recipient == admin.email
