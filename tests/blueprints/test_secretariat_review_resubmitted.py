"""Issue 11 item 20: a resubmitted application shows the reviewer what changed since the return, keeps
its first submission date, and approving while a fraud signal is open asks the clerk to acknowledge it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from dxapp.extensions import db
from dxapp.models import AuditEvent
from tests.fixtures import factories, sme_answers
from tests.fixtures.pages import text_of
from tests.fixtures.review import REVIEW, refreshed


def _rows(html: str) -> dict[str, str]:
    """{label: the row's HTML} of the answers on the detail page."""
    answers = html[html.index(">申請内容<"):]
    return {label: row for row, label in
            ((m, m.split("<dt>", 1)[1].split("</dt>", 1)[0]) for m in answers.split('<div class="summary-row')[1:])}


def test_resubmitted_application_marks_the_changed_answers_and_keeps_the_first_date(users, desk, program_clock):
    clerk_user, clerk = desk
    user, application = factories.submitted_sme(users)
    first = refreshed(application).submitted_at
    factories.decide(application, "under_review", clerk=clerk_user)
    factories.decide(application, "returned", clerk=clerk_user, flags={"business-details": "商号を確認してください。"})
    program_clock.set(program_clock.program_now() + timedelta(days=3))
    factories.submit("sme", user, factories.sme_values(
        business_details={**sme_answers.DETAILS, "name": "株式会社山田商店"}))
    application = refreshed(application)
    assert application.status == "resubmitted"
    assert application.changed_answers == {"business-details": ["name"]}
    assert application.submitted_at == first  # the first submission date stays
    detail = f"{REVIEW}/applications/{application.id}"
    html = clerk.get(detail).get_data(as_text=True)
    rows = _rows(html)
    changed = [label for label, row in rows.items() if "変更あり" in row]
    assert len(changed) == 1 and "株式会社山田商店" in rows[changed[0]]
    assert 'id="changed-since-return"' in html and "1件の回答が変更されました" in text_of(clerk.get(detail))
    assert 'id="resubmitted-at"' in html
    # Returned again: nothing is marked while it is with the applicant.
    factories.decide(application, "under_review", "returned", clerk=clerk_user, flags={"address": "住所を確認"})
    assert "変更あり" not in clerk.get(detail).get_data(as_text=True)


def test_a_resubmission_without_changes_says_so(users, desk):
    clerk_user, clerk = desk
    user, application = factories.submitted_sme(users)
    factories.decide(application, "under_review", "returned", clerk=clerk_user, flags={"address": "住所を確認"})
    factories.submit("sme", user, factories.sme_values())
    page = text_of(clerk.get(f"{REVIEW}/applications/{application.id}"))
    assert "差戻しの後に変更された回答はありません。" in page and "変更あり" not in page


def test_approving_with_an_open_signal_asks_for_acknowledgement(users, desk):
    clerk_user, clerk = desk
    _sme, application = factories.submitted_sme(users)
    factories.submitted_expert(users)  # the same address (千代田1-1) and phone: signals on the SME
    detail = f"{REVIEW}/applications/{application.id}"
    clerk.submit(f"{detail}/pick-up", page=detail)
    html = clerk.get(detail).get_data(as_text=True)
    assert 'id="signal-shared_address"' in html and 'name="acknowledge_signals"' in html
    r = clerk.submit(f"{detail}/approve", page=detail)
    assert r.status_code == 422 and "チェックを入れてからもう一度承認する" in text_of(r)
    assert refreshed(application).status == "under_review"
    r = clerk.submit(f"{detail}/approve", {"acknowledge_signals": "y"}, page=detail)
    assert r.status_code == 303 and refreshed(application).status == "approved"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "application.signals_acknowledged")).one()
    assert event.actor_id == clerk_user.id and "shared_address" in event.summary["signals"]


def test_no_signal_no_acknowledgement(users, desk):
    clerk_user, clerk = desk
    _sme, application = factories.submitted_sme(users)
    detail = f"{REVIEW}/applications/{application.id}"
    clerk.submit(f"{detail}/pick-up", page=detail)
    assert 'name="acknowledge_signals"' not in clerk.get(detail).get_data(as_text=True)
    assert clerk.submit(f"{detail}/approve", page=detail).status_code == 303
