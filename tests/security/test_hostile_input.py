"""Input that answered 500 (issue 11 item 23), one test per cause; the fuzz of every form
(test_fuzz_forms.py) keeps them from coming back anywhere else."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from dxapp.extensions import db
from dxapp.models import Inquiry, WizardDraft
from dxapp.rules import normalize
from tests.fixtures.app import PASSWORD, totp_now
from tests.fixtures.pages import text_of
from tests.fixtures.security import url_for_rule
from tests.fixtures.sme_answers import ANSWERS as SME_ANSWERS
from tests.fixtures.walks import expert_wizard, sme_wizard

INQUIRY = {"name": "山田", "email": "q@example.jp", "category": "other", "body": "質問です"}


def logged_in(app, users, login, role):
    user = users(role)
    client = app.test_client()
    login(client, user)
    return user, client


# ------------------------------------------------------------------------------------------- NUL

@pytest.mark.parametrize("field", ["name", "body", "email"])
def test_nul_in_a_form_field_is_the_400_page_and_saves_nothing(client, field):
    response = client.submit("/inquiry", {**INQUIRY, field: "質問\x00です"})
    assert response.status_code == 400
    assert "The request could not be processed" in text_of(response) or "処理できません" in text_of(response)
    assert db.session.scalar(select(func.count()).select_from(Inquiry)) == 0
    # The same form without the NUL goes through: typed values are not refused in normal use.
    assert client.submit("/inquiry", INQUIRY).status_code == 303


def test_nul_in_a_field_name_or_the_path_is_the_400_page(client):
    token = client.csrf_from("/inquiry")
    assert client.post("/inquiry", data={**INQUIRY, "csrf_token": token, "x\x00": "1"}).status_code == 400
    assert client.get("/inquiry%00").status_code in (400, 404)


def test_nul_in_a_search_is_the_400_page(app, users, login):
    _user, clerk = logged_in(app, users, login, "desk")
    for url in ("/secretariat/review/sme", "/secretariat/review/experts", "/secretariat/inquiries/"):
        assert clerk.get(url, query_string={"q": "山田\x00"}).status_code == 400, url
        assert clerk.get(url, query_string={"q": "山田"}).status_code == 200, url
    _user, sme = logged_in(app, users, login, "sme")
    assert sme.get("/expert/directory", query_string={"rate_max": "1\x00"}).status_code == 400


def test_nul_in_a_step_is_refused_and_the_draft_still_submits(app, client, users, login):
    login(client, users("sme"))
    sme_wizard.fill_all(client)
    r = client.submit(f"{sme_wizard.BASE}/business-details", {**sme_wizard.DETAILS, "trade_name": "やまだ\x00"})
    assert r.status_code == 400
    draft = db.session.scalars(select(WizardDraft)).one()
    assert "\x00" not in repr(draft.answers)
    db.session.rollback()
    r = client.submit(f"{sme_wizard.BASE}/submit", page=f"{sme_wizard.BASE}/check-answers")
    assert r.status_code == 303 and "/sent/" in r.headers["Location"]


# --------------------------------------------------------------------------------- TOTP, tokens

def _at_totp_step(app, users):
    staff = users("desk")
    client = app.test_client()
    assert client.submit("/account/login", {"email": staff.email, "password": PASSWORD}).status_code == 303
    app.extensions["dxapp_clock"].advance_wall(31)
    return staff, client


def test_full_width_totp_digits_are_the_digits_typed(app, users):
    staff, client = _at_totp_step(app, users)
    code = totp_now(app, staff).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    r = client.submit("/account/login/code", {"code": code})
    assert r.status_code == 303 and "/account/login" not in r.headers["Location"]


@pytest.mark.parametrize("code", ["١٢٣٤٥٦", "۱۲۳۴۵۶", "१२३४५६", "①②③④⑤⑥", "12345６7"])
def test_other_digits_in_the_totp_field_get_a_message(app, users, code):
    _staff, client = _at_totp_step(app, users)
    r = client.submit("/account/login/code", {"code": code})
    assert r.status_code == 422
    assert "0" in text_of(r) and "9" in text_of(r)  # 「半角または全角の数字0〜9で」


@pytest.mark.parametrize("token", ["トークン", "１２３", "é" * 40])
def test_non_ascii_submit_token_is_refused_without_500(app, client, users, login, token):
    login(client, users("sme"))
    sme_wizard.fill_all(client)
    r = client.submit(f"{sme_wizard.BASE}/submit", {"submit_token": token}, page=f"{sme_wizard.BASE}/check-answers")
    assert r.status_code == 400


# ------------------------------------------------------------------------------ nameless multipart

NAMELESS = (b"--B\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n"
            b'--B\r\nContent-Disposition: form-data; name="x"\r\n\r\ny\r\n--B--\r\n')


def test_a_multipart_part_without_a_name_is_the_400_page_on_every_post_route(app, users, login):
    anonymous = app.test_client()
    _user, sme = logged_in(app, users, login, "sme")
    checked = 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "POST" not in rule.methods:
            continue
        try:
            url = url_for_rule(app, rule)
        except Exception:  # noqa: BLE001  a converter that takes only some values: any value will do here
            url = re.sub(r"<[^>]+>", "documents", rule.rule)
        for client in (anonymous, sme):
            r = client.post(url, data=NAMELESS, content_type="multipart/form-data; boundary=B")
            assert r.status_code == 400, (url, r.status_code)
            checked += 1
    assert checked >= 100


def test_a_nameless_file_part_is_the_400_page(app, client, users, login):
    login(client, users("sme"))
    body = (b'--B\r\nContent-Disposition: form-data; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
            b"%PDF-1.4\r\n--B--\r\n")
    r = client.post(f"{sme_wizard.BASE}/documents/upload", data=body, content_type="multipart/form-data; boundary=B")
    assert r.status_code == 400


# ---------------------------------------------------------------------------------- version fields

@pytest.mark.parametrize("version", [str(2**31), str(2**63), str(2**64), "-1", "１", "1_0", " 1", "9" * 400])
def test_out_of_range_or_odd_versions_are_the_400_page(app, client, users, login, version):
    login(client, users("sme"))
    sme_wizard.go(client, "business-type", sme_wizard.TYPE)
    r = client.submit(f"{sme_wizard.BASE}/business-details", {**sme_wizard.DETAILS, "draft_version": version})
    assert r.status_code == 400, r.status_code
    _user, clerk = logged_in(app, users, login, "desk")
    client.submit("/inquiry", INQUIRY)
    inquiry = db.session.scalars(select(Inquiry)).one()
    db.session.rollback()
    r = clerk.submit(f"/secretariat/inquiries/{inquiry.id}/close", {"version": version},
                     page=f"/secretariat/inquiries/{inquiry.id}")
    assert r.status_code == 400, r.status_code


# ------------------------------------------------------------------------------ rules and fields

@pytest.mark.parametrize("year", ["9" * 30, "9" * 5000, 10**30, "99999999999"])
def test_a_huge_era_year_is_a_value_error(year):
    for era in ("reiwa", "western", "showa"):
        with pytest.raises(ValueError):
            normalize.parse_era_date(era, year, "1", "1")


def test_a_yen_amount_of_thousands_of_digits_is_a_value_error_with_a_message():
    with pytest.raises(ValueError, match="大きすぎ"):
        normalize.parse_yen("9" * 5000)
    with pytest.raises(ValueError, match="大きすぎ"):
        normalize.parse_yen("1" + "0" * 16)
    assert normalize.parse_yen("9999兆9999億9999万9999円") == 10**16 - 1
    with pytest.raises(ValueError, match="大きすぎ"):
        normalize.parse_count("9" * 4000)


def test_a_huge_capital_is_a_field_error(app, client, users, login):
    login(client, users("sme"))
    for slug in ("business-type", "business-details", "address"):
        sme_wizard.go(client, slug, SME_ANSWERS[slug])
    r = client.submit(f"{sme_wizard.BASE}/size", {"capital": "9" * 5000, "employees": "12"})
    assert r.status_code == 422 and "大きすぎます" in text_of(r)


@pytest.mark.parametrize("field", ["postal_code", "phone"])
@pytest.mark.parametrize("value", [" ", "\u3000", "\t"])
def test_blank_postal_code_or_phone_on_the_address_step_is_a_field_error(app, client, users, login, field, value):
    login(client, users("sme"))
    sme_wizard.go(client, "business-type", sme_wizard.TYPE)
    sme_wizard.go(client, "business-details", sme_wizard.DETAILS)
    r = client.submit(f"{sme_wizard.BASE}/address", {**sme_wizard.ADDRESS, field: value})
    assert r.status_code == 422


@pytest.mark.parametrize(("chosen", "stored"), [([""], []), (["", "it_coordinator"], ["it_coordinator"]),
                                                (["nonsense"], None)])
def test_an_empty_qualification_choice_is_no_choice(app, client, users, login, chosen, stored):
    """``['']`` is what a form with nothing ticked may send: no qualification (until 2021-10-19 a freelance
    expert may have none); an unknown code is a field error."""
    login(client, users("expert"))
    expert_wizard.go(client, "participation", expert_wizard.PARTICIPATION)
    expert_wizard.go(client, "person", expert_wizard.PERSON)
    expert_wizard.go(client, "identity", expert_wizard.IDENTITY)
    expert_wizard.identity_documents(client)
    r = client.submit(f"{expert_wizard.BASE}/qualifications", {"qualifications": chosen,
                                                               "it_coordinator_number": "ITC-1"})
    if stored is None:
        assert r.status_code == 422, r.status_code
        return
    assert r.status_code == 303, r.status_code
    draft = db.session.scalars(select(WizardDraft).where(WizardDraft.wizard == "expert_registration")).one()
    assert draft.answers["steps"]["qualifications"]["data"]["qualifications"] == stored


@pytest.mark.parametrize("codes", [["\t\r\n"], ["\t\r\n", "bogus"], [" ", "it_coordinator", "x y"]])
def test_blank_or_unknown_qualification_codes_are_refused_not_500(app, users, login, codes):
    """A blank first value made Optional() clear the choice check, and the form then looked up detail
    fields of a code not on the list (a 500 in the fuzz of the desk's expert section)."""
    from werkzeug.datastructures import MultiDict

    from dxapp.procedures.expert_registration.forms import QualificationsForm

    with app.test_request_context(method="POST"):
        form = QualificationsForm(formdata=MultiDict([("qualifications", c) for c in codes]), meta={"csrf": False})
        ok = form.validate()
        form.extra_data()  # no KeyError whatever was posted
    if any(c.strip() for c in codes):
        assert not ok and form.qualifications.errors  # something was posted that is not on the list
    else:
        assert form.qualifications.data == []
