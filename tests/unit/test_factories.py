"""tests/fixtures/factories.py builds through the services what a user would build through the pages."""

from __future__ import annotations

from sqlalchemy import select

from dxapp.extensions import db
from dxapp.models import Document, Submission, WizardDraft
from dxapp.wizard import Answers
from tests.fixtures import factories


def test_submitted_and_approved_sme(app, users):
    user, application = factories.submitted_sme(users)
    assert application.kind == "sme" and application.status == "submitted"
    assert application.decision["outcome"] == "eligible"
    answers = Answers(application.answers)
    assert answers.value("address", "postal_code") == "1000001" and answers.value("size", "capital") == 50_000_000
    assert [d["name"] for d in answers.value("documents", "documents")] == ["履歴事項全部証明書.pdf"]
    assert user.organisation.name == "株式会社やまだ商店"  # as the procedure's own submit names it
    # The drafts' submit: one submission with the procedure's reference prefix, the draft gone.
    submission = db.session.scalars(select(Submission)).one()
    assert submission.result_id == application.id and submission.reference.startswith("R-")
    assert db.session.scalars(select(WizardDraft)).first() is None
    _user, approved = factories.approved_sme(users, business_details={
        **factories.sme_answers.DETAILS, "name": "株式会社ふたつめ", "corporate_number": "2010003012345"})
    assert approved.status == "approved" and Answers(approved.answers).value("business-details", "name") == "株式会社ふたつめ"


def test_submitted_expert_with_its_documents(app, users):
    user, application = factories.submitted_expert(users)
    assert application.kind == "expert" and application.status == "submitted"
    assert Answers(application.answers).value("profile", "hourly_rate") == 5000
    purposes = sorted(db.session.scalars(select(Document.purpose).where(Document.owner_user_id == user.id)))
    assert purposes == ["face_photo", "identity_document", "qualification_certificate"]
    _user, approved = factories.approved_expert(users, qualifications={})
    assert approved.status == "approved" and "certificates" not in Answers(approved.answers).answered


def test_supporter_corporation_with_affiliated_experts(app, users):
    from dxapp.services import supporters

    admin = factories.approved_supporter(users)
    assert supporters.is_approved(admin.organisation_id)
    people = [{"name": "青木 健", "name_kana": "アオキ ケン", "email": "aoki@example.jp"},
              {"name": "石井 美穂", "name_kana": "イシイ ミホ", "email": "ishii@example.jp"}]
    made = factories.affiliated_experts(admin, people)
    assert [(u.email, a.status) for u, a in made] == [("aoki@example.jp", "confirmed"), ("ishii@example.jp", "confirmed")]
    invited = factories.affiliated_experts(admin, [{"name": "上田 翔", "name_kana": "ウエダ ショウ",
                                                    "email": "ueda@example.jp"}], confirmed=False)
    assert invited[0][1].status == "invited"
