"""The SME registration wizard: steps, live eligibility, ineligible result, submit once, withdraw,
registration window (issue "SME registration wizard")."""

import io
import re
from datetime import datetime

import pytest
from sqlalchemy import func, select

from dxapp.clock import JST
from dxapp.extensions import db
from dxapp.models import Application, ApplicationEvent, OutboxMessage
from dxapp.services.workflow import Stale
from tests.fixtures.pages import inspect, text_of
from tests.fixtures.sme_answers import ADDRESS, DETAILS, EXCLUSIONS, PDF, SIZE, TYPE  # noqa: F401
from tests.fixtures.walks import SME as BASE
from tests.fixtures.walks import sme as walk
from tests.fixtures.walks import sme_fill_all as fill_all

go = walk.go


@pytest.fixture
def sme(client, users, login):
    user = users("sme")
    login(client, user)
    return user


def test_full_registration_submits_one_application(client, sme):
    fill_all(client)
    check = client.get(f"{BASE}/check-answers")
    hidden = {i["name"]: i.get("value", "") for i in inspect(check.get_data(as_text=True)).inputs
              if i.get("type") == "hidden"}
    body = text_of(check)
    assert "株式会社やまだ商店" in body and "50,000,000円" in body and "1989年4月1日（平成元年）" in body
    r = client.submit(f"{BASE}/submit", page=f"{BASE}/check-answers")
    assert r.status_code == 303
    done = client.get(r.headers["Location"])
    application = db.session.scalars(select(Application)).one()
    assert application.reference in text_of(done)
    assert application.status == "submitted" and application.decision["outcome"] == "eligible"
    assert application.answers["steps"]["business-details"]["data"]["corporate_number"] == "7000012050002"
    assert application.answers["steps"]["address"]["data"]["postal_code"] == "1000001"
    assert application.answers["steps"]["size"]["data"]["capital"] == 50_000_000
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.kind == "sme-application-received")) == 1
    # Back + submit again: still one application.
    again = client.post(f"{BASE}/submit", data=hidden)
    assert again.status_code == 303 and again.headers["Location"] == r.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Application)) == 1
    mypage = text_of(client.get("/sme/"))
    assert application.reference in mypage and "申請済み" in mypage


def test_live_panel_fragment_and_no_js_page(client, sme):
    r = client.get(f"{BASE}/business-type/check", query_string=TYPE, headers={"HX-Request": "true"})
    assert r.status_code == 200 and "<html" not in r.get_data(as_text=True)
    assert "まだ判定できません" in text_of(r)
    go(client, "business-type", TYPE)
    go(client, "business-details", DETAILS)
    go(client, "address", ADDRESS)
    r = client.get(f"{BASE}/size/check", query_string={"capital": "5千万", "employees": "51"},
                   headers={"HX-Request": "true"})
    assert "中小企業に該当します" in text_of(r)
    assert len(r.get_data()) < 6000
    r = client.get(f"{BASE}/size/check", query_string={"capital": "5千万1円", "employees": "51"},
                   headers={"HX-Request": "true"})
    assert "対象外です" in text_of(r)
    # Without JavaScript the same check returns the whole step, values kept, nothing saved.
    page = client.get(f"{BASE}/size/check", query_string={"capital": "5千万1円", "employees": "51"})
    assert page.status_code == 200 and 'value="5千万1円"' in page.get_data(as_text=True)
    assert "対象外です" in text_of(page)
    assert "size" not in db.session.scalars(select(ApplicationEvent)).all()


def test_small_business_is_announced(client, sme):
    go(client, "business-type", {"legal_form": "company", "industry": "retail"})
    go(client, "business-details", DETAILS)
    go(client, "address", ADDRESS)
    r = client.get(f"{BASE}/size/check", query_string={"capital": "1000万", "employees": "5"},
                   headers={"HX-Request": "true"})
    assert "小規模事業者にも該当します" in text_of(r)


def test_ineligible_answers_lead_to_result_page(client, sme):
    go(client, "business-type", TYPE)
    go(client, "business-details", DETAILS)
    go(client, "address", ADDRESS)
    r = go(client, "size", {"capital": "50,000,001", "employees": "51"})
    assert r.headers["Location"].endswith(f"{BASE}/result")
    result = client.get(f"{BASE}/result")
    assert result.status_code == 200 and "対象外です" in text_of(result)
    # The check page and submit refuse to go on.
    assert client.get(f"{BASE}/check-answers").status_code == 303
    # Changing the answer makes it eligible again.
    go(client, "size", SIZE)
    assert client.get(f"{BASE}/result").status_code == 303


def test_step_errors_and_full_width_input(client, sme):
    go(client, "business-type", TYPE)
    bad = {**DETAILS, "corporate_number": "1234567890123", "name_kana": "Yamada"}
    r = go(client, "business-details", bad, expect=422)
    html = r.get_data(as_text=True)
    assert 'value="1234567890123"' in html and 'href="#corporate_number"' in html
    go(client, "business-details", {**DETAILS, "corporate_number": "７０００−０１２０−５０００２"})


def test_company_must_give_capital_sole_proprietor_need_not(client, sme):
    go(client, "business-type", TYPE)
    go(client, "business-details", DETAILS)
    go(client, "address", ADDRESS)
    go(client, "size", {"capital": "", "employees": "3"}, expect=422)


def test_withdraw_application(client, sme):
    fill_all(client)
    client.submit(f"{BASE}/submit", page=f"{BASE}/check-answers")
    application = db.session.scalars(select(Application)).one()
    r = client.submit(f"/sme/applications/{application.id}/withdraw")
    assert r.status_code == 303
    db.session.refresh(application)
    assert application.status == "withdrawn"
    assert [e.to_status for e in application.events] == ["submitted", "withdrawn"]
    # A second withdrawal of the same version is a conflict, not a second event.
    assert client.get(f"/sme/applications/{application.id}/withdraw").status_code == 409


def test_foreign_application_is_not_found(client, sme, users, app):
    other = app.test_client()
    from tests.fixtures.app import PASSWORD

    user = users("sme")
    other.submit("/account/login", {"email": user.email, "password": PASSWORD})
    fill_all(other)
    other.submit(f"{BASE}/submit", page=f"{BASE}/check-answers")
    foreign = db.session.scalars(select(Application)).one()
    assert client.get(f"/sme/applications/{foreign.id}/withdraw").status_code == 404


def test_registration_window_closed_keeps_drafts_readable(client, sme, program_clock):
    go(client, "business-type", TYPE)
    program_clock.set(datetime(2021, 10, 1, 0, 0, tzinfo=JST))
    # The terms changed on 2021-07-20: agree first (the consent gate), then the draft is readable.
    client.submit("/account/consent", {"agree_terms": "y", "agree_privacy": "y"})
    assert client.get(f"{BASE}/business-type").status_code == 200
    r = client.submit(f"{BASE}/business-type", TYPE)
    assert r.status_code == 403 and "2021年9月30日" in text_of(r)
    program_clock.set(datetime(2021, 9, 30, 23, 59, 59, tzinfo=JST))
    go(client, "business-type", TYPE)


def test_other_roles_cannot_use_the_sme_wizard(client, users, login):
    login(client, users("expert"))
    assert client.get(f"{BASE}/business-type").status_code == 403


def test_postal_lookup_with_and_without_javascript(client, sme):
    go(client, "business-type", TYPE)
    go(client, "business-details", DETAILS)
    # Without JavaScript: the search button re-renders the step with the address filled in.
    page = client.get(f"{BASE}/address/check", query_string={"postal_code": "１００ー０００１", "prefecture": "",
                                                               "city": "", "street": ""})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'value="東京都"' in html and 'value="千代田区"' in html
    # Never overwrite what the user typed.
    page = client.get(f"{BASE}/address/check", query_string={"postal_code": "1000001", "prefecture": "東京都",
                                                               "city": "自分で入力", "street": ""})
    assert 'value="自分で入力"' in page.get_data(as_text=True)
    # With htmx: a fragment, with out-of-band inputs for the fields it filled.
    r = client.get(f"{BASE}/address/check", query_string={"postal_code": "1000001", "prefecture": "", "city": "",
                                                            "street": ""}, headers={"HX-Request": "true"})
    fragment = r.get_data(as_text=True)
    assert "<html" not in fragment and 'data-hx-swap-oob="true"' in fragment and 'value="千代田区"' in fragment
    # Several towns: a choice, then the chosen one fills the street.
    r = client.get(f"{BASE}/address/check", query_string={"postal_code": "452-0961", "prefecture": "", "city": "",
                                                            "street": ""})
    assert 'name="town_choice"' in r.get_data(as_text=True)
    r = client.get(f"{BASE}/address/check", query_string={"postal_code": "452-0961", "prefecture": "", "city": "",
                                                            "street": "", "town_choice": "1"})
    assert 'value="清須市"' in r.get_data(as_text=True)
    # Unknown code: manual entry stays possible.
    r = client.get(f"{BASE}/address/check", query_string={"postal_code": "9999999"})
    assert r.status_code == 200
    go(client, "address", ADDRESS)


def test_returned_application_reenters_only_flagged_steps(client, sme, users):
    from dxapp.services import applications

    fill_all(client)
    client.submit(f"{BASE}/submit", page=f"{BASE}/check-answers")
    application = db.session.scalars(select(Application)).one()
    clerk = users("desk")
    applications.move(application, "under_review", version=application.version, actor_id=clerk.id)
    applications.move(application, "returned", version=application.version, actor_id=clerk.id,
                      flags={"business-details": "商号が登記事項証明書と一致しません。"}, note="商号を確認してください")
    mypage = text_of(client.get("/sme/"))
    assert "差戻し" in mypage and "商号が登記事項証明書と一致しません。" in mypage
    tasks = client.get(f"{BASE}/")
    assert "確認が必要" in text_of(tasks)
    # Only the flagged step needs re-entry; the others are complete.
    assert client.get(f"{BASE}/check-answers").headers["Location"].endswith(f"{BASE}/business-details")
    go(client, "business-details", {**DETAILS, "name": "株式会社山田商店"})
    r = client.submit(f"{BASE}/submit", page=f"{BASE}/check-answers")
    assert r.status_code == 303
    db.session.refresh(application)
    assert application.status == "resubmitted" and application.flags == {}
    assert application.answers["steps"]["business-details"]["data"]["name"] == "株式会社山田商店"
    assert [e.to_status for e in application.events] == ["submitted", "under_review", "returned", "resubmitted"]
    assert db.session.scalar(select(func.count()).select_from(Application)) == 1


def test_stale_review_move_is_refused(client, sme, users):
    from dxapp.services import applications

    fill_all(client)
    client.submit(f"{BASE}/submit", page=f"{BASE}/check-answers")
    application = db.session.scalars(select(Application)).one()
    clerk = users("desk")
    version = application.version
    applications.move(application, "under_review", version=version, actor_id=clerk.id)
    with pytest.raises(Stale):
        applications.move(application, "under_review", version=version, actor_id=clerk.id)


def test_change_request_after_approval_keeps_approved_details_in_force(client, sme, users):
    from dxapp.services import applications

    fill_all(client)
    client.submit(f"{BASE}/submit", page=f"{BASE}/check-answers")
    registration = db.session.scalars(select(Application)).one()
    clerk = users("desk")
    applications.move(registration, "under_review", version=registration.version, actor_id=clerk.id)
    applications.move(registration, "approved", version=registration.version, actor_id=clerk.id)
    assert "株式会社やまだ商店" in text_of(client.get("/sme/"))
    # The change starts from the approved details; only the changed step is re-entered.
    go(client, "address", {**ADDRESS, "street": "千代田2-2"})
    assert client.get(f"{BASE}/check-answers").status_code == 200
    r = client.submit(f"{BASE}/submit", page=f"{BASE}/check-answers")
    assert r.status_code == 303
    change = db.session.scalars(select(Application).where(Application.change_of_id == registration.id)).one()
    db.session.refresh(registration)
    assert change.status == "submitted" and registration.status == "approved"
    assert registration.answers["steps"]["address"]["data"]["street"] == "千代田1-1"  # still in force
    page = text_of(client.get("/sme/"))
    assert change.reference in page
    applications.move(change, "under_review", version=change.version, actor_id=clerk.id)
    applications.move(change, "approved", version=change.version, actor_id=clerk.id)
    db.session.refresh(registration)
    assert registration.answers["steps"]["address"]["data"]["street"] == "千代田2-2"


def test_contact_person_continues_the_same_draft(client, sme, app):
    import re

    go(client, "business-type", TYPE)
    client.submit("/sme/contacts", {"name": "担当 次郎", "email": "tanto@example.jp"})
    body = db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.kind == "contact-invitation")).one()
    link = re.search(r"http://localhost(/\S+)", body).group(1)
    other = app.test_client()
    other.submit(link, {"password": "quiet river stone lantern", "password_confirm": "quiet river stone lantern"})
    other.submit("/account/login", {"email": "tanto@example.jp", "password": "quiet river stone lantern"})
    other.submit("/account/consent", {"agree_terms": "y", "agree_privacy": "y"})
    # The organisation's draft: the contact person continues where the owner stopped.
    assert other.get(f"{BASE}/check-answers").headers["Location"].endswith(f"{BASE}/business-details")


def test_boosted_submit_answers_with_the_confirmation_page(client, sme):
    """One round trip with htmx for the final send too (UX.md slow-link budget)."""
    fill_all(client)
    r = client.submit(f"{BASE}/submit", page=f"{BASE}/check-answers",
                      headers={"HX-Request": "true", "HX-Boosted": "true", "HX-Request-Type": "full"})
    application = db.session.scalars(select(Application)).one()
    assert r.status_code == 200 and "/sme/register/sent/" in r.headers["HX-Push-Url"]
    assert application.reference in text_of(r)


def test_boosted_upload_answers_with_the_step(client, sme):
    go(client, "business-type", TYPE)
    go(client, "business-details", DETAILS)
    go(client, "address", ADDRESS)
    go(client, "size", SIZE)
    go(client, "exclusions", EXCLUSIONS)
    r = client.submit(f"{BASE}/documents/upload",
                      {"purpose": "registration_certificate", "file": (io.BytesIO(PDF), "登記.pdf")},
                      page=f"{BASE}/documents", content_type="multipart/form-data",
                      headers={"HX-Request": "true", "HX-Boosted": "true", "HX-Request-Type": "full"})
    assert r.status_code == 200 and r.headers["HX-Push-Url"].endswith(f"{BASE}/documents")
    assert "登記.pdf" in text_of(r)


def test_check_answers_and_application_show_one_spelling(client, sme):
    """Furigana typed in hiragana and numbers typed in full width are shown and kept as the rules
    normalise them (katakana, half-width digits); the step itself can be refilled from what was typed."""
    fill_all(client)
    go(client, "business-details", {**DETAILS, "corporate_number": "７０００ー０１２０５０００２",
                                    "invoice_number": "ｔ７０００ー０１２０５０００２"},
       expect=303)
    body = text_of(client.get(f"{BASE}/check-answers"))
    assert "カブシキガイシャヤマダショウテン" in body and "かぶしきがいしゃ" not in body
    assert "7000012050002" in body and "T7000012050002" in body and "７０００" not in body
    client.submit(f"{BASE}/submit", page=f"{BASE}/check-answers")
    application = db.session.scalars(select(Application)).one()
    data = application.answers["steps"]["business-details"]["data"]
    assert data["name_kana"] == "カブシキガイシャヤマダショウテン"
    assert data["corporate_number"] == "7000012050002" and data["invoice_number"] == "T7000012050002"


def test_timeline_dates_are_program_dates(client, sme, program_clock):
    """The timeline and the submission date follow the program clock (the demo's shifted clock), not
    the machine's: a deadline and the date an application was sent are judged on the same calendar."""
    fill_all(client)
    client.submit(f"{BASE}/submit", page=f"{BASE}/check-answers")
    application = db.session.scalars(select(Application)).one()
    program_day = program_clock.program_now().astimezone(JST).date()
    assert application.submitted_at.astimezone(JST).date() == program_day
    assert [e.at.astimezone(JST).date() for e in application.events] == [program_day]
    assert f"{program_day.year}年{program_day.month}月{program_day.day}日" in text_of(client.get("/sme/"))


def test_capital_is_labelled_required_for_companies(client, sme):
    go(client, "business-type", TYPE)
    go(client, "business-details", DETAILS)
    go(client, "address", ADDRESS)
    html = client.get(f"{BASE}/size").get_data(as_text=True)
    label = re.search(r'<label for="capital">(.*?)</label>', html, re.S).group(1)
    assert "会社は必須" in label and "任意" not in label
    employees = re.search(r'<label for="employees">(.*?)</label>', html, re.S).group(1)
    assert "必須" in employees


def test_check_answers_leaves_out_what_a_company_is_not_asked(client, sme):
    fill_all(client)
    body = text_of(client.get(f"{BASE}/check-answers"))
    assert "事業として商品やサービスを提供していますか" not in body
    assert "100-0001" in body and "〒１００" not in body  # the postal code as the post office writes it


def test_other_organisations_see_their_answer_on_check_answers(app):
    from dxapp.procedures.sme_registration.forms import BusinessTypeForm
    from dxapp.wizard.forms import refill, summary_rows

    with app.test_request_context():
        answered = summary_rows(refill(BusinessTypeForm, {"legal_form": ["npo"], "industry": ["services"],
                                                          "carries_on_business": ["yes"]}))
        company = summary_rows(refill(BusinessTypeForm, {"legal_form": ["company"], "industry": ["retail"]}))
    assert [r[0] for r in answered] == ["legal_form", "industry", "carries_on_business"]
    assert answered[2][2] == "はい"
    assert [r[0] for r in company] == ["legal_form", "industry"]


def test_the_address_panel_names_the_search_button_only_without_javascript(client, sme):
    """Issue 11 item 14: with JavaScript the address fills in as the postal code is typed and there is no
    search button, so only the no-JS reading (<noscript>) tells the user to press it."""
    go(client, "business-type", TYPE)
    go(client, "business-details", DETAILS)
    page = client.get(f"{BASE}/address").get_data(as_text=True)
    panel = page[page.index('id="live-panel"'):]
    panel = panel[:panel.index("</div>")]
    assert "ボタンを押して" not in re.sub(r"<noscript>.*?</noscript>", "", panel, flags=re.S)
    assert re.search(r"<noscript>[^<]*「住所を検索する」ボタンを押してください", panel)
    for query in ({"postal_code": ""}, {"postal_code": "0600000"}):  # nothing yet; a code with several towns
        fragment = client.get(f"{BASE}/address/check", query_string={**query, "prefecture": "", "city": "",
                                                                      "street": ""},
                              headers={"HX-Request": "true"}).get_data(as_text=True)
        assert "<html" not in fragment and "ボタンを押して" not in fragment, fragment


def test_task_list_counts_its_rows_and_ends_with_check_and_apply(client, sme):
    """Issue 11 item 15: the count is of the rows shown (sections plus 「確認して申請」), and the last row
    becomes a link only when every section is complete."""
    page = client.get(f"{BASE}/").get_data(as_text=True)
    rows = re.findall(r'<li class="task">(.*?)</li>', page, flags=re.S)
    assert len(rows) == 6  # five sections and the final row
    assert f"全{len(rows)}項目のうち0項目が完了" in text_of(client.get(f"{BASE}/"))
    assert "確認して申請" in rows[-1] and "まだ開始できません" in rows[-1] and "<a " not in rows[-1]
    go(client, "business-type", TYPE)
    go(client, "business-details", DETAILS)
    assert "全6項目のうち1項目が完了" in text_of(client.get(f"{BASE}/"))
    fill_all(client)
    rows = re.findall(r'<li class="task">(.*?)</li>', client.get(f"{BASE}/").get_data(as_text=True), flags=re.S)
    assert f'<a href="{BASE}/check-answers"' in rows[-1] and "未着手" in rows[-1]


def test_phone_and_furigana_are_shown_as_stored(client, sme, desk):
    """Issue 11 item 11: check-your-answers, My Page and the secretariat show what is stored (the phone
    in the national format, furigana in katakana), not what was typed."""
    fill_all(client)
    go(client, "business-details", {**DETAILS, "name_kana": "かぶしきがいしゃやまだしょうてん"})
    walk.at_check(go(client, "address", {**ADDRESS, "phone": "０３（１２３４）５６７８"}))
    for page in (text_of(client.get(f"{BASE}/check-answers")), text_of(client.get("/sme/"))):
        assert "03-1234-5678" in page and "０３（１２３４）５６７８" not in page
        assert "カブシキガイシャヤマダショウテン" in page and "かぶしきがいしゃ" not in page
    client.submit(f"{BASE}/submit", page=f"{BASE}/check-answers")
    application = db.session.scalars(select(Application)).one()
    assert application.answers["steps"]["address"]["data"]["phone"] == "+81312345678"
    _clerk, clerk_client = desk
    review = text_of(clerk_client.get(f"/secretariat/review/applications/{application.id}"))
    assert "03-1234-5678" in review and "０３（１２３４）５６７８" not in review and "+81312345678" not in review
    assert "カブシキガイシャヤマダショウテン" in review


def test_declaration_step_links_the_terms_it_asks_to_accept(client, sme):
    """Issue 11 item 15: the declaration asks the user to agree to the terms of use; it links them."""
    fill_all(client)
    page = client.get(f"{BASE}/declaration").get_data(as_text=True)
    assert 'href="/terms"' in page and "利用規約を読む" in page


def test_second_tap_on_continue_lands_on_the_next_step(client, sme):
    """Issue 11 item 1: the same step POST twice from one page view (same draft_version) is no conflict
    when it repeats what the first one saved; different answers from that old view still are."""
    go(client, "business-type", TYPE)
    page = client.get(f"{BASE}/business-details").get_data(as_text=True)
    hidden = {i["name"]: i.get("value", "") for i in inspect(page).inputs if i.get("type") == "hidden"}
    first = client.post(f"{BASE}/business-details", data={**hidden, **DETAILS})
    assert first.status_code == 303
    second = client.post(f"{BASE}/business-details", data={**hidden, **DETAILS})
    assert second.status_code == 303 and second.headers["Location"] == first.headers["Location"]
    other = client.post(f"{BASE}/business-details", data={**hidden, **DETAILS, "name": "株式会社べつの商店"})
    assert other.status_code == 409


def test_corporation_must_give_its_corporate_number_sole_proprietor_need_not(client, sme):
    """Issue 11 item 8: once a corporation form is chosen the 法人番号 is required (and labelled so)."""
    go(client, "business-type", TYPE)
    html = client.get(f"{BASE}/business-details").get_data(as_text=True)
    label = re.search(r'<label for="corporate_number">(.*?)</label>', html, re.S).group(1)
    assert "法人は必須" in label and "任意" not in label
    r = go(client, "business-details", {**DETAILS, "corporate_number": ""}, expect=422)
    assert "13桁の法人番号を入力してください" in text_of(r)
    go(client, "business-type", {**TYPE, "legal_form": "sole_proprietor"})
    go(client, "business-details", {**DETAILS, "corporate_number": ""})
