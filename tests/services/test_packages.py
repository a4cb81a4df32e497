"""services/packages.py: approved experts (and supporter corporations for their confirmed members)
publish packages; SMEs browse them and request one, which makes a 提案不要 case and the expert's
proposal in one transaction, once per form token."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dxapp.extensions import db
from dxapp.models import ConsultationCase, OutboxMessage, Proposal
from dxapp.services import cases, packages, workflow
from tests.fixtures import expert_answers, factories


@pytest.fixture
def pair(users):
    sme, _ = factories.approved_sme(users)
    expert, _ = factories.approved_expert(users)
    return sme, expert


def test_lifecycle(pair):
    _sme, expert = pair
    package = factories.support_package(expert, publish=False)
    assert package.status == "draft"
    assert packages.browse(packages.Filters())[1] == 0
    packages.publish(package, version=package.version, actor=expert)
    db.session.commit()
    assert package.status == "published" and packages.browse(packages.Filters())[1] == 1
    packages.unpublish(package, version=package.version, actor=expert)
    db.session.commit()
    assert package.status == "unpublished" and packages.listed(package.id) is None
    with pytest.raises(workflow.Stale):
        packages.unpublish(package, version=package.version, actor=expert)
    db.session.rollback()
    packages.publish(package, version=package.version, actor=expert)
    packages.edit(package, factories.package_fields(title="新しい題名", areas=("rpa", "cloud_accounting")),
                  version=package.version, actor=expert)
    db.session.commit()
    assert package.title == "新しい題名" and [a.area for a in package.areas] == ["rpa", "cloud_accounting"]
    with pytest.raises(workflow.Stale):
        packages.edit(package, factories.package_fields(), version=1, actor=expert)


def test_not_approved_expert_is_refused(users):
    pending, _ = factories.submitted_expert(users)
    with pytest.raises(packages.PackageRefused) as refused:
        packages.create(pending, factories.package_fields())
    assert refused.value.code == "not_approved"


def test_supporter_publishes_for_a_confirmed_member_only(users):
    admin = factories.approved_supporter(users)
    (member, _), = factories.affiliated_experts(admin, [{"name": "青木 健", "name_kana": "アオキ ケン",
                                                         "email": "aoki@example.jp"}])
    with pytest.raises(packages.PackageRefused) as refused:  # a member not yet approved as an expert
        packages.create(admin, factories.package_fields(), expert_user_id=member.id)
    assert refused.value.code == "not_approved"
    factories.approved_expert(users, user=member, bank={**expert_answers.BANK, "payee": "own"})
    package = factories.support_package(admin, expert_user_id=member.id)
    assert package.organisation_id == admin.organisation_id and package.expert_user_id == member.id
    assert packages.owned(admin, package.id) == package and packages.owned(member, package.id) == package
    stranger, _ = factories.approved_expert(users, user=users("expert"))
    with pytest.raises(packages.PackageRefused) as refused:
        packages.create(admin, factories.package_fields(), expert_user_id=stranger.id)
    assert refused.value.code == "not_affiliated"
    assert packages.owned(stranger, package.id) is None


def test_browse_filters(pair):
    _sme, expert = pair
    factories.support_package(expert, title="オンライン", mode="online", regions=(), areas=("telework",))
    factories.support_package(expert, title="大阪で訪問", mode="onsite", regions=("大阪府",), areas=("ec_sites",))

    def titles(**f):
        return sorted(p.title for p in packages.browse(packages.Filters(**f))[0])

    assert titles() == ["オンライン", "大阪で訪問"]
    assert titles(area="telework") == ["オンライン"]
    assert titles(prefecture="大阪府") == ["オンライン", "大阪で訪問"]  # no region named: anywhere
    assert titles(prefecture="北海道") == ["オンライン"]
    assert titles(mode="onsite") == ["大阪で訪問"]


def test_request_makes_a_case_and_a_proposal_once_per_token(pair):
    sme, expert = pair
    package = factories.support_package(expert)
    token = packages.new_token()
    case, proposal, created = packages.request(sme, package, token=token, situation="店頭のみ", prefecture="東京都")
    db.session.commit()
    assert created and case.kind == "no_proposals" and case.status == "published" and case.title == package.title
    assert proposal.status == "sent" and proposal.package_id == package.id and proposal.expert_user_id == expert.id
    assert proposal.hourly_rate_yen == 5000 and proposal.half_hours == 20
    again, again_proposal, created = packages.request(sme, package, token=token)
    assert not created and again.id == case.id and again_proposal.id == proposal.id
    assert db.session.scalar(select(func.count()).select_from(ConsultationCase)) == 1
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 1
    assert db.session.scalar(select(OutboxMessage.recipient).where(OutboxMessage.kind == "package-requested")) \
        == expert.email
    quote = packages.quote(package, sme)
    assert quote.fee_total == 50_000 and quote.subsidy_total == 35_000 and quote.sme_burden_total == 15_000


def test_request_refusals(users, pair):
    sme, expert = pair
    package = factories.support_package(expert, publish=False)
    with pytest.raises(packages.PackageRefused) as refused:
        packages.request(sme, package, token=packages.new_token())
    assert refused.value.code == "not_published"
    packages.publish(package, version=package.version, actor=expert)
    db.session.commit()
    pending, _ = factories.submitted_sme(users)
    with pytest.raises(cases.CaseRefused) as refused:
        packages.request(pending, package, token=packages.new_token())
    assert refused.value.code == "not_approved"
