"""The bank account step of the expert wizard (issue 5, step 6): bank and branch by code or name (htmx
fragment, or the 「検索」 button without JavaScript), validation, corporate accounts, and invited experts
of a supporter corporation (kind and corporation preset, bank account optional)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dxapp.extensions import db
from dxapp.models import Application
from tests.fixtures.expert_answers import (
    BANK,
    DECLARATION,
    IDENTITY,
    PARTICIPATION,
    PERSON,
    PROFILE,
    QUALIFICATIONS,
)
from tests.fixtures.factories import approved_supporter_shell as approved_supporter
from tests.fixtures.pages import inspect, text_of
from tests.fixtures.walks import EXPERT as BASE
from tests.fixtures.walks import expert as walk
from tests.fixtures.walks import expert_identity_documents as identity_documents
from tests.fixtures.walks import expert_upload as upload

go, submit = walk.go, walk.submit


@pytest.fixture
def at_bank(client, users, login):
    user = users("expert", name="佐藤 一郎")
    login(client, user)
    go(client, "participation", PARTICIPATION)
    go(client, "person", PERSON)
    go(client, "identity", IDENTITY)
    identity_documents(client)
    go(client, "qualifications", QUALIFICATIONS)
    upload(client, "certificates", "qualification_certificate")
    go(client, "certificates", {})
    go(client, "profile", PROFILE)
    return user


def search(client, data):
    r = client.submit(f"{BASE}/bank/search", data, page=f"{BASE}/bank")
    assert r.status_code == 200, (r.status_code, text_of(r)[:1500])
    return r.get_data(as_text=True)


def test_search_without_javascript_keeps_what_was_typed(client, at_bank):
    html = search(client, {"bank_query": "みずほ", "account_number": "7654321", "account_holder": "サトウ"})
    assert 'name="bank_choice" value="0001"' in html and "みずほ信託" in html
    assert 'value="7654321"' in html and 'value="サトウ"' in html  # nothing typed is lost
    html = search(client, {"bank_choice": "0001", "account_number": "7654321"})
    import re

    assert re.search(r'<input[^>]*id="bank_code"[^>]*value="0001"', html)
    assert "みずほ" in text_of_html(html)
    html = search(client, {"bank_code": "0001", "branch_query": "とうきょう"})
    assert 'name="branch_choice" value="001"' in html and "東京営業部" in html
    html = search(client, {"bank_code": "0001", "branch_choice": "001"})
    assert "東京営業部" in html and inspect(html).h1 == 1
    # Choices that do not exist: the step again, with a message, nothing typed lost.
    html = search(client, {"bank_choice": "0000", "account_number": "7654321"})
    assert "選んだ金融機関が見つかりません" in text_of_html(html) or "bank chosen was not found" in html
    assert 'value="7654321"' in html
    html = search(client, {"bank_code": "0001", "branch_choice": "999"})
    assert 'name="branch_choice"' not in html and inspect(html).h1 == 1
    assert 'id="branch_code"' in html and not re.search(r'<input[^>]*id="branch_code"[^>]*value="999"', html)


def test_full_width_bank_code_then_branch_search_and_choice(client, at_bank):
    """「０００１」 typed, a branch searched and chosen: the rules read the code, no 400 page."""
    import re

    html = search(client, {"bank_code": "０００１", "branch_query": "とうきょう"})
    assert 'name="branch_choice" value="001"' in html and "東京営業部" in html
    html = search(client, {"bank_code": "０００１", "branch_choice": "001", "account_number": "7654321"})
    assert re.search(r'<input[^>]*id="bank_code"[^>]*value="0001"', html)
    assert re.search(r'<input[^>]*id="branch_code"[^>]*value="001"', html)
    assert "東京営業部" in html and 'value="7654321"' in html


def text_of_html(html):
    import re

    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_live_search_fragment_carries_no_account_details(client, at_bank):
    page = client.get(f"{BASE}/bank").get_data(as_text=True)
    # The live search includes only the bank-search block; the account fields are outside it.
    assert 'data-hx-include="#bank-search"' in page
    assert page.index('id="account_number"') > page.index('id="live-panel"')
    r = client.get(f"{BASE}/bank/check", query_string={"bank_query": "ゆうちょ", "bank_code": "", "branch_code": ""},
                   headers={"HX-Request": "true"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" not in html and 'value="9900"' in html
    assert len(r.get_data()) < 2048
    r = client.get(f"{BASE}/bank/check", query_string={"bank_code": "0001", "branch_code": "999"},
                   headers={"HX-Request": "true"})
    assert "この支店コードは見つかりません" in text_of(r)


def test_banks_are_shown_by_their_full_name(client, at_bank):
    """Issue 11 item 19: 北海道銀行 and みずほ銀行 with the code, not the table's 「北海道」 and 「みずほ」; the
    search finds a bank by its full name too."""
    r = client.get(f"{BASE}/bank/check", query_string={"bank_code": "0116", "branch_code": ""},
                   headers={"HX-Request": "true"})
    assert "北海道銀行 （0116）" in text_of(r)
    r = client.get(f"{BASE}/bank/check", query_string={"bank_query": "みずほ銀行", "bank_code": "", "branch_code": ""},
                   headers={"HX-Request": "true"})
    assert "みずほ銀行（0001）" in r.get_data(as_text=True)
    r = client.get(f"{BASE}/bank/check", query_string={"bank_query": "室蘭", "bank_code": "", "branch_code": ""},
                   headers={"HX-Request": "true"})
    assert "室蘭信用金庫（1003）" in r.get_data(as_text=True)
    go(client, "bank", BANK)
    go(client, "declaration", DECLARATION)
    assert "みずほ銀行（0001）" in text_of(client.get(f"{BASE}/check-answers"))


def test_yucho_symbol_and_number_are_converted_for_the_user(client, at_bank):
    """Issue 11 item 19: the 記号 and 番号 of a ゆうちょ銀行 bank book become bank 9900, branch 〇一八 (018),
    普通 and account 1234567, filled into the form (nothing saved until 次へ進む); a wrong 番号 is explained
    with what was typed kept."""
    import re

    page = client.get(f"{BASE}/bank").get_data(as_text=True)
    assert 'name="yucho_symbol"' in page and 'name="yucho_number"' in page
    # The 記号・番号 are the account: outside the live check's GET.
    assert page.index('id="yucho_symbol"') > page.index('id="live-panel"')
    html = search(client, {"yucho": "convert", "yucho_symbol": "１０１８０", "yucho_number": "1234567１",
                           "account_holder": "サトウ イチロウ"})
    assert re.search(r'<input[^>]*id="bank_code"[^>]*value="9900"', html)
    assert re.search(r'<input[^>]*id="branch_code"[^>]*value="018"', html)
    assert re.search(r'<input[^>]*id="account_number"[^>]*value="1234567"', html)
    assert re.search(r'<input[^>]*value="ordinary"[^>]*checked|<input[^>]*checked[^>]*value="ordinary"', html)
    shown = text_of_html(html)
    assert "ゆうちょ銀行 （9900）" in shown and "〇一八 （018）" in shown and "変換しました: 支店 〇一八（018）" in shown
    assert 'value="サトウ イチロウ"' in html
    from dxapp.models import WizardDraft

    assert (db.session.scalars(select(WizardDraft)).one().answers.get("steps") or {}).get("bank") is None
    html = search(client, {"yucho": "convert", "yucho_symbol": "10180", "yucho_number": "12345678"})
    assert "最後の数字は1" in text_of_html(html) and 'value="12345678"' in html
    # Saved as converted.
    go(client, "bank", {**BANK, "bank_code": "9900", "branch_code": "018", "account_number": "1234567"})
    draft = db.session.scalars(select(WizardDraft)).one()
    data = draft.answers["steps"]["bank"]["data"]
    assert data["bank_name"] == "ゆうちょ銀行" and data["branch_code"] == "018"


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"bank_code": "12"}, "bank_code", "4桁"),
    ({"bank_code": "0002"}, "bank_code", None),  # no such bank
    ({"branch_code": "999"}, "branch_code", None),  # no such branch
    ({"account_number": "123456"}, "account_number", "7桁"),
    ({"account_holder": "佐藤一郎"}, "account_holder", "カタカナ"),
    ({"account_holder": "すずき はなこ"}, "account_holder", None),  # a personal account in another name
    ({"account_owner": "corporate"}, "account_corporate_number", "法人番号"),
    ({"account_type": ""}, "account_type", None),
])
def test_bad_bank_answers(client, at_bank, change, field, message):
    r = go(client, "bank", {**BANK, **change}, expect=422)
    html = r.get_data(as_text=True)
    assert f'href="#{field}' in html
    if message:
        assert message in text_of(r)


def test_corporate_account_with_corporate_number(client, at_bank):
    go(client, "bank", {**BANK, "account_owner": "corporate", "account_holder": "カ)サトウコンサルティング",
                        "account_corporate_number": "7000012050002"})
    draft_data = client.get(f"{BASE}/check-answers")
    assert draft_data.status_code in (200, 303)
    from dxapp.models import WizardDraft

    draft = db.session.scalars(select(WizardDraft)).one()
    data = draft.answers["steps"]["bank"]["data"]
    assert data["account_holder"] == "ｶ)ｻﾄｳｺﾝｻﾙﾃｲﾝｸﾞ" and data["account_corporate_number"] == "7000012050002"
    assert data["bank_name"] == "みずほ銀行" and data["branch_name"] == "東京営業部"


# ------------------------------------------------------------------------------ invited experts

def test_invited_expert_has_kind_and_corporation_preset_and_bank_optional(client, users, login):
    from dxapp.models.supporter import Affiliation
    from dxapp.services import affiliations, drafts

    admin = approved_supporter(users)
    org = str(admin.organisation_id)
    expert = users("expert", name="佐藤 一郎")
    affiliations.add_invited(admin.organisation_id, expert.id, actor=admin.id)
    drafts.get_or_create("expert_registration", f"user:{expert.id}", expert.id, initial={
        "participation": {"participation": "supporter_member", "supporter_organisation_id": org},
        "_preset": {"participation": "supporter_member", "supporter_organisation_id": org, "bank_optional": True}})
    db.session.commit()
    login(client, expert)
    page = client.get(f"{BASE}/participation")
    html = page.get_data(as_text=True)
    assert "株式会社サポート" in html and 'name="participation"' not in html  # read-only
    # Whatever is posted, the invitation decides.
    go(client, "participation", {"participation": "freelance"})
    from dxapp.models import WizardDraft

    draft = db.session.scalars(select(WizardDraft)).one()
    assert draft.answers["steps"]["participation"]["data"]["participation"] == "supporter_member"
    assert draft.answers["steps"]["participation"]["data"]["supporter_organisation_id"] == org
    go(client, "person", PERSON)
    go(client, "identity", IDENTITY)
    identity_documents(client)
    go(client, "qualifications", {})
    go(client, "profile", PROFILE)
    assert 'name="payee"' in client.get(f"{BASE}/bank").get_data(as_text=True)
    go(client, "bank", {}, expect=422)  # where to pay must be answered
    go(client, "bank", {"payee": "corporation"})
    go(client, "declaration", DECLARATION)
    submit(client)
    application = db.session.scalars(select(Application).where(Application.kind == "expert")).one()
    assert application.answers["steps"]["bank"]["data"]["payee"] == "corporation"
    affiliation = db.session.scalars(select(Affiliation).where(Affiliation.expert_user_id == expert.id)).one()
    assert affiliation.status == "confirmed"


def test_a_self_registered_expert_gets_no_payee_choice(client, at_bank):
    assert 'name="payee"' not in client.get(f"{BASE}/bank").get_data(as_text=True)


def test_expert_invited_through_the_supporter_service_completes_the_short_wizard(client, users):
    """The supporter_org area's own invitation (contracts.md): preset draft, invitation link, then the
    expert's part, ending in a confirmed affiliation."""
    import re

    from dxapp.models import OutboxMessage, WizardDraft
    from dxapp.models.supporter import Affiliation
    from dxapp.services import supporters

    admin = approved_supporter(users)
    supporters.invite_expert(actor=admin, name="佐藤 一郎", name_kana="サトウ イチロウ", email="sato@example.jp")
    body = db.session.scalars(select(OutboxMessage.body)
                              .where(OutboxMessage.kind == "supporter-expert-invitation")).one()
    link = re.search(r"http://localhost(/\S+)", body).group(1)
    password = "quiet river stone lantern"
    r = client.submit(link, {"password": password, "password_confirm": password})
    assert r.status_code == 303, text_of(r)[:1000]
    client.submit("/account/login", {"email": "sato@example.jp", "password": password})
    client.submit("/account/consent", {"agree_terms": "y", "agree_privacy": "y"})
    html = client.get(f"{BASE}/participation").get_data(as_text=True)
    assert "株式会社サポート" in html and 'name="participation"' not in html
    go(client, "participation", {})
    page = client.get(f"{BASE}/person").get_data(as_text=True)
    assert 'value="佐藤 一郎"' in page  # what the corporation typed comes first
    go(client, "person", {**PERSON, "email": "sato@example.jp"})
    go(client, "identity", IDENTITY)
    identity_documents(client)
    go(client, "qualifications", {})
    go(client, "profile", PROFILE)
    go(client, "bank", {"payee": "corporation"})
    go(client, "declaration", DECLARATION)
    submit(client)
    assert db.session.scalars(select(WizardDraft).where(WizardDraft.wizard == "expert_registration")).first() is None
    affiliation = db.session.scalars(select(Affiliation)).one()
    assert affiliation.status == "confirmed"
