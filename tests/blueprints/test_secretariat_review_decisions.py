"""Who may decide on an application, and when (review findings C1, P2, P3): the holder decides (an
administrator may take over, audited), a clerk who entered the applicant's answers at the desk does not
approve (four eyes), an expert registering as a member of a supporter corporation is approved only once
the corporation confirmed the membership, the approval note is validated, the searchable keys fit their
columns, every stored outcome has a label, and the answers are read through the blueprints' wizards."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from dxapp.extensions import db
from dxapp.models import Application, AuditEvent, OutboxMessage
from tests.fixtures.pages import text_of
from tests.fixtures.review import REVIEW, expert_answers, refreshed, sme_answers, submit


def login_as(app, login, user):
    client = app.test_client()
    login(client, user)
    return client


def detail_of(application) -> str:
    return f"{REVIEW}/applications/{application.id}"


def hidden_values(html: str, action: str) -> dict:
    form = html.split(f'action="{action}"', 1)[1].split("</form>", 1)[0]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


def post_action(client, application, action: str, data: dict | None = None):
    """A POST with a valid CSRF token and the application's current version, whatever the page shows."""
    detail = detail_of(application)
    return client.post(f"{detail}/{action}", data={"csrf_token": client.csrf_from(detail),
                                                   "version": str(refreshed(application).version), **(data or {})})


def pick_up(client, application):
    r = client.submit(f"{detail_of(application)}/pick-up", page=detail_of(application))
    assert r.status_code == 303, r.status_code
    return refreshed(application)


def approved_mails() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.kind == "review-approved"))


# ----------------------------------------------------------------------------------------- C1 membership

@pytest.fixture
def member_expert(users):
    """An expert who registered as a member of a supporter corporation; the corporation has not answered:
    (expert user, corporation id, application)."""
    from dxapp.services import affiliations

    corporation = users("supporter_admin")
    expert = users("expert", name="所属 花子")
    answers = expert_answers(name="所属 花子", kana="ショゾク ハナコ", bank=None, street="本町9-9", phone="0399998888")
    answers["steps"]["participation"] = {"raw": {}, "data": {
        "participation": "supporter_member", "supporter_organisation_id": str(corporation.organisation_id)}}
    application = submit(users, "expert", answers, user=expert)
    affiliations.request(expert, corporation.organisation_id, actor=expert)
    db.session.commit()
    return expert, corporation.organisation_id, application


def affiliation(expert, organisation_id):
    from dxapp.models.supporter import Affiliation

    return db.session.scalars(select(Affiliation).where(Affiliation.expert_user_id == expert.id,
                                                        Affiliation.organisation_id == organisation_id)).one()


def test_unconfirmed_membership_is_shown_signalled_and_blocks_approval(desk, member_expert):  # noqa: F811
    clerk_user, clerk = desk
    expert, organisation_id, application = member_expert
    html = clerk.get(detail_of(application)).get_data(as_text=True)
    assert 'id="membership"' in html and "tag-affiliation-requested" in html
    assert 'id="signal-affiliation_unconfirmed"' in html
    application = pick_up(clerk, application)
    html = clerk.get(detail_of(application)).get_data(as_text=True)
    assert 'id="blocker-affiliation_unconfirmed"' in html
    assert f'action="{detail_of(application)}/approve"' not in html  # no approve button to press
    version = application.version
    r = post_action(clerk, application, "approve", {"note": "承認します"})
    assert r.status_code == 422
    assert 'id="refusal"' in r.get_data(as_text=True)
    application = refreshed(application)
    assert application.status == "under_review" and application.version == version
    assert approved_mails() == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "application.approved")) == 0


def test_approval_goes_ahead_once_the_corporation_confirms(desk, member_expert):  # noqa: F811
    from dxapp.services import affiliations

    clerk_user, clerk = desk
    expert, organisation_id, application = member_expert
    pick_up(clerk, application)
    membership = affiliation(expert, organisation_id)
    affiliations.decide(membership, accept=True, version=membership.version, actor=clerk_user)
    html = clerk.get(detail_of(application)).get_data(as_text=True)
    assert "tag-affiliation-confirmed" in html and 'id="signal-affiliation_unconfirmed"' not in html
    r = clerk.submit(f"{detail_of(application)}/approve", page=detail_of(application))
    assert r.status_code == 303
    assert refreshed(application).status == "approved" and approved_mails() == 1


@pytest.mark.parametrize("ending", ["declined", "ended"])
def test_declined_or_ended_membership_blocks_approval(desk, member_expert, ending):  # noqa: F811
    from dxapp.services import affiliations

    clerk_user, clerk = desk
    expert, organisation_id, application = member_expert
    pick_up(clerk, application)
    membership = affiliation(expert, organisation_id)
    if ending == "declined":
        affiliations.decide(membership, accept=False, version=membership.version, actor=clerk_user)
    else:
        affiliations.decide(membership, accept=True, version=membership.version, actor=clerk_user)
        affiliations.end(membership, version=membership.version, actor=clerk_user)
    assert f"tag-affiliation-{ending}" in clerk.get(detail_of(application)).get_data(as_text=True)
    assert post_action(clerk, application, "approve").status_code == 422
    assert refreshed(application).status == "under_review"


def test_membership_without_any_request_blocks_approval(users, desk):  # noqa: F811
    _clerk_user, clerk = desk
    corporation = users("supporter_admin")
    answers = expert_answers(bank=None)
    answers["_preset"] = {"participation": "supporter_member", "supporter_organisation_id": corporation.organisation_id}
    application = submit(users, "expert", answers)
    assert "tag-affiliation-none" in clerk.get(detail_of(application)).get_data(as_text=True)
    pick_up(clerk, application)
    assert post_action(clerk, application, "approve").status_code == 422


def test_a_freelance_expert_has_no_membership_row(users, desk):  # noqa: F811
    _clerk_user, clerk = desk
    application = submit(users, "expert", expert_answers(bank=None))
    html = clerk.get(detail_of(application)).get_data(as_text=True)
    assert 'id="membership"' not in html and "affiliation_unconfirmed" not in html


# ----------------------------------------------------------------------------------------- P2 holder

def test_only_the_holder_decides(app, users, login, desk, submitted_sme):  # noqa: F811
    holder_user, holder = desk
    other = login_as(app, login, users("desk", name="別の 職員"))
    _sme, _c, application = submitted_sme
    application = pick_up(holder, application)
    html = other.get(detail_of(application)).get_data(as_text=True)
    assert 'id="blocker-not_holder"' in html and f'action="{detail_of(application)}/approve"' not in html
    version = application.version
    r = post_action(other, application, "approve")
    assert r.status_code == 422 and holder_user.name in text_of(r)
    from dxapp.blueprints.secretariat.review import step_choices

    flag = f"flag_{[slug for slug, _t in step_choices(application)].index('business-details')}"
    r = post_action(other, application, "return", {flag: "商号をご確認ください。"})
    assert r.status_code == 422 and 'id="refusal"' in r.get_data(as_text=True)
    assert "商号をご確認ください。" in r.get_data(as_text=True)  # what the clerk typed is still there
    application = refreshed(application)
    assert application.status == "under_review" and application.version == version and application.flags == {}
    assert application.holder_id == holder_user.id
    # The holder can.
    r = holder.submit(f"{detail_of(application)}/approve", page=detail_of(application))
    assert r.status_code == 303 and refreshed(application).status == "approved"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "application.holder_overridden")) == 0


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_an_administrator_may_take_over_and_it_is_audited(app, users, login, desk, admin, submitted_sme,  # noqa: F811
                                                          decision):
    holder_user, holder = desk
    admin_user, staff = admin
    _sme, _c, application = submitted_sme
    application = pick_up(holder, application)
    assert 'id="taking-over"' in staff.get(detail_of(application)).get_data(as_text=True)
    data = {"reason": "みなし大企業に該当します。"} if decision == "reject" else {}
    assert post_action(staff, application, decision, data).status_code == 303
    target = {"approve": "approved", "reject": "rejected"}[decision]
    assert refreshed(application).status == target
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "application.holder_overridden")).one()
    assert event.actor_id == admin_user.id and event.object_id == str(application.id)
    assert event.summary["holder_id"] == holder_user.id and event.summary["decision"] == target


def test_a_refused_takeover_leaves_no_audit_row(app, users, login, desk, submitted_sme):  # noqa: F811
    _holder_user, holder = desk
    other = login_as(app, login, users("desk"))
    _sme, _c, application = submitted_sme
    application = pick_up(holder, application)
    assert post_action(other, application, "approve").status_code == 422
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "application.holder_overridden")) == 0


def test_four_eyes_a_clerk_who_entered_the_answers_does_not_approve(app, users, login):
    """Desk-assisted entry: the clerk saves a step of the applicant's draft with a support code, the
    applicant completes and sends it; that clerk may pick it up and return it, but not approve it."""
    from tests.fixtures import desk as desk_tests
    from tests.fixtures.walks import SME as BASE
    from tests.fixtures.walks import sme_fill_all as fill_all

    applicant = users("sme")
    applicant_client = login_as(app, login, applicant)
    entering_user = users("desk", name="入力 担当")
    entering = login_as(app, login, entering_user)
    base = desk_tests.open_with_code((applicant, applicant_client), (entering_user, entering))
    from tests.fixtures.sme_answers import DETAILS, TYPE

    desk_tests.post(entering, f"{base}/business-type", TYPE)
    desk_tests.post(entering, f"{base}/business-details", DETAILS)
    fill_all(applicant_client)
    assert applicant_client.submit(f"{BASE}/submit", page=f"{BASE}/check-answers").status_code == 303
    application = db.session.scalars(select(Application)).one()
    application = pick_up(entering, application)
    html = entering.get(detail_of(application)).get_data(as_text=True)
    assert 'id="blocker-entered_on_behalf"' in html and f'action="{detail_of(application)}/approve"' not in html
    r = post_action(entering, application, "approve")
    assert r.status_code == 422 and 'id="refusal"' in r.get_data(as_text=True)
    assert refreshed(application).status == "under_review" and approved_mails() == 0
    # Another clerk's applicant is not affected: an administrator who did not enter anything approves.
    other_admin = login_as(app, login, users("admin"))
    assert post_action(other_admin, application, "approve").status_code == 303
    assert refreshed(application).status == "approved"


def test_four_eyes_applies_to_the_applicant_only(app, users, login, desk, submitted_sme):  # noqa: F811
    """A clerk who entered answers for someone else may approve this application."""
    from dxapp.services import audit

    clerk_user, clerk = desk
    someone_else = users("sme")
    audit.record("draft.step_saved", "wizard_draft", 1, actor=clerk_user, on_behalf_of=someone_else)
    db.session.commit()
    _sme, _c, application = submitted_sme
    pick_up(clerk, application)
    assert clerk.submit(f"{detail_of(application)}/approve", page=detail_of(application)).status_code == 303


# ----------------------------------------------------------------------------------------- P2 approve form

def test_approval_note_is_limited_to_1000_characters(desk, submitted_sme):  # noqa: F811
    _clerk_user, clerk = desk
    _sme, _c, application = submitted_sme
    application = pick_up(clerk, application)
    detail = detail_of(application)
    r = clerk.submit(f"{detail}/approve", {"note": "あ" * 1001}, page=detail)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'id="note-error"' in html and 'aria-invalid="true"' in html and "error-summary" in html
    assert "あ" * 1001 in html  # what was typed is kept
    assert refreshed(application).status == "under_review" and approved_mails() == 0
    r = clerk.submit(f"{detail}/approve", {"note": "あ" * 1000}, page=detail)
    assert r.status_code == 303 and refreshed(application).status == "approved"


# ----------------------------------------------------------------------------------------- P3 keys

def test_key_lengths_match_the_columns():
    from dxapp.rules import review as rules

    columns = Application.__table__.columns
    assert rules.LENGTHS == {name: columns[name].type.length for name in rules.LENGTHS}
    assert set(rules.LENGTHS) == {f for f, v in rules.IndexFields.__dataclass_fields__.items()
                                  if v.type in ("str | None",)}


def test_a_150_character_name_fits_every_key(users, desk):  # noqa: F811
    """Runs on PostgreSQL too (TEST_DATABASE_URL), where an over-long value is an error."""
    _clerk_user, clerk = desk
    long_name = "山" * 150
    sme = submit(users, "sme", sme_answers(name="株式会社" + "川" * 146, representative=long_name))
    expert = submit(users, "expert", expert_answers(name=long_name, bank=None, street="北町3-3", phone="0311112222"))
    db.session.expire_all()
    sme, expert = db.session.get(Application, sme.id), db.session.get(Application, expert.id)
    assert sme.representative_key == "山" * 100 and expert.representative_key == "山" * 100
    assert expert.name_key == "山" * 150
    # The cut keys still meet: the SME's representative is the expert.
    html = clerk.get(detail_of(expert)).get_data(as_text=True)
    assert 'id="signal-shared_representative"' in html


# ----------------------------------------------------------------------------------------- labels

@pytest.mark.parametrize("outcome", ["eligible", "ineligible", "pending", "unknown", "submitted", "something-new"])
def test_every_stored_outcome_has_a_label(users, desk, outcome):  # noqa: F811
    from dxapp.services import applications

    _clerk_user, clerk = desk
    user = users("supporter_admin")
    application = applications.submit(user=user, kind="supporter", answers={}, decision={"outcome": outcome},
                                      organisation_id=user.organisation_id)
    db.session.commit()
    html = clerk.get(detail_of(application)).get_data(as_text=True)
    shown = re.search(r'<strong id="outcome">([^<]*)</strong>', html).group(1)
    assert shown.strip() and shown != outcome


# ----------------------------------------------------------------------------------------- wizard registry

def test_wizards_come_from_the_procedures():
    from dxapp.blueprints.secretariat.review import wizard_of
    from dxapp.procedures.expert_registration.wizard import EXPERT_REGISTRATION
    from dxapp.procedures.sme_registration.wizard import SME_REGISTRATION
    from dxapp.procedures.supporter_registration.wizard import SUPPORTER_REGISTRATION

    assert wizard_of("sme") is SME_REGISTRATION
    assert wizard_of("expert") is EXPERT_REGISTRATION
    assert wizard_of("supporter") is SUPPORTER_REGISTRATION


def test_a_wizard_bug_is_not_hidden_from_the_clerk(app, desk, submitted_sme, monkeypatch):  # noqa: F811
    from dxapp import procedures

    _clerk_user, clerk = desk
    _sme, _c, application = submitted_sme

    def broken(answers):
        raise RuntimeError("bug in the wizard")

    monkeypatch.setattr(procedures.get("sme").wizard, "visible_steps", broken)
    r = clerk.get(detail_of(application))
    assert r.status_code == 500  # the error page, logged; not raw keys passed off as the answers


def test_answers_that_no_longer_fit_the_wizard_are_logged_and_shown_plainly(desk, submitted_sme, monkeypatch,  # noqa: F811
                                                                            caplog):
    from dxapp import procedures

    _clerk_user, clerk = desk
    _sme, _c, application = submitted_sme

    def old_shape(answers):
        raise KeyError("legal_form")

    monkeypatch.setattr(procedures.get("sme").wizard, "visible_steps", old_shape)
    r = clerk.get(detail_of(application))
    assert r.status_code == 200
    assert "do not fit the sme wizard" in caplog.text and application.reference in caplog.text
