"""Issue 11 items 4, 5, 7, 9, 16 of the SME registration: no loop for an SME judged 対象外, the deciding
reasons first, no share questions for sole proprietors, the sent application after submitting, one
reference per application."""

import re

import pytest
from sqlalchemy import select

from dxapp.extensions import db
from dxapp.models import Application
from tests.fixtures.pages import text_of
from tests.fixtures.sme_answers import ADDRESS, DETAILS, EXCLUSIONS, SIZE, TYPE
from tests.fixtures.walks import SME as BASE
from tests.fixtures.walks import sme as walk
from tests.fixtures.walks import sme_fill_all as fill_all
from tests.fixtures.walks import sme_upload

go = walk.go
EXCLUDED = {**EXCLUSIONS, "shares_largest_large_company": "500", "shares_all_large_companies": "500"}


@pytest.fixture
def sme(client, users, login):
    user = users("sme")
    login(client, user)
    return user


def _excluded(client):
    go(client, "business-type", TYPE)
    go(client, "business-details", DETAILS)
    go(client, "address", ADDRESS)
    go(client, "size", SIZE)
    r = go(client, "exclusions", EXCLUDED)
    assert r.headers["Location"].endswith(f"{BASE}/result")


def _hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


# -- item 4: no loop; the result page, the task list and My Page point at the deciding step ----------------

def test_result_page_links_to_the_step_that_decided(client, sme):
    _excluded(client)
    html = client.get(f"{BASE}/result").get_data(as_text=True)
    assert f"{BASE}/exclusions" in _hrefs(html)
    assert f"{BASE}/" not in _hrefs(html)  # not the task list, whose links led round the loop
    # Changing the deciding answer there makes it eligible and goes on to the documents step.
    r = go(client, "exclusions", EXCLUSIONS)
    assert r.headers["Location"].endswith(f"{BASE}/documents")


def test_task_list_marks_the_section_not_eligible(client, sme):
    _excluded(client)
    html = client.get(f"{BASE}/").get_data(as_text=True)
    rows = re.findall(r'<li class="task"><a href="([^"]+)"[^>]*>([^<]+)</a> <span[^>]*>(.*?)</span></li>', html, re.S)
    marked = [(href, status) for href, _title, status in rows if "対象外" in status]
    assert marked and marked[0][0].endswith(f"{BASE}/exclusions"), html
    assert "確認して申請" in text_of(client.get(f"{BASE}/"))
    assert f"{BASE}/check-answers" not in _hrefs(html)  # nothing to check and send while not eligible


def test_my_page_shows_the_draft_not_eligible_with_why(client, sme):
    _excluded(client)
    html = client.get("/sme/").get_data(as_text=True)
    assert 'id="draft-not-eligible"' in html
    panel = html[html.index('id="draft-not-eligible"'):]
    panel = panel[:panel.index("</div>")]
    assert "2分の1以上" in panel and f"{BASE}/exclusions" in panel
    assert "中小企業に当たります" not in panel  # only the deciding reasons


# -- item 5: the deciding reasons first and apart from the others -----------------------------------------

def test_result_page_shows_deciding_reasons_apart(client, sme):
    _excluded(client)
    html = client.get(f"{BASE}/result").get_data(as_text=True)
    deciding = html[html.index('id="deciding-reasons"'):]
    deciding = deciding[:deciding.index("</ul>")]
    others = html[html.index('id="other-reasons"'):]
    others = others[:others.index("</ul>")]
    assert "2分の1以上" in deciding and "3分の2以上" not in deciding
    assert "中小企業に当たります" not in deciding and "中小企業に当たります" in others
    assert html.index('id="deciding-reasons"') < html.index('id="other-reasons"')


def test_size_over_decides_when_no_table_fits(client, sme):
    go(client, "business-type", TYPE)
    go(client, "business-details", DETAILS)
    go(client, "address", ADDRESS)
    r = go(client, "size", {"capital": "50,000,001", "employees": "51"})
    assert r.headers["Location"].endswith(f"{BASE}/result")
    html = client.get(f"{BASE}/result").get_data(as_text=True)
    deciding = html[html.index('id="deciding-reasons"'):]
    assert "上限を超えている" in deciding[:deciding.index("</ul>")]
    assert f"{BASE}/size" in _hrefs(html)


def test_rules_name_the_deciding_reasons():
    from dxapp.rules.enterprise import Applicant, deciding_reasons

    excluded = Applicant(legal_form="company", industry="retail", employees=12, capital_yen=50_000_000,
                         shares_total=1000, shares_largest_large_company=500, shares_all_large_companies=500)
    assert [r.code for r in deciding_reasons(excluded)] == ["excluded_single_large_owner"]
    too_big = Applicant(legal_form="company", industry="retail", employees=51, capital_yen=50_000_001)
    assert {r.code for r in deciding_reasons(too_big)} == {"sme_employees_over", "sme_capital_over", "sme_size_over",
                                                           "small_employees_over"}
    fine = Applicant(legal_form="company", industry="retail", employees=12, capital_yen=50_000_001)
    assert deciding_reasons(fine) == ()


# -- item 7: a sole proprietor is not asked about shares and officers --------------------------------------

SOLE = {"legal_form": "sole_proprietor", "industry": "retail"}
SOLE_DETAILS = {**DETAILS, "name": "やまだ商店", "corporate_number": "", "representative_title": "代表"}


def _sole_to_exclusions(client):
    go(client, "business-type", SOLE)
    go(client, "business-details", SOLE_DETAILS)
    go(client, "address", ADDRESS)
    return go(client, "size", {"capital": "", "employees": "3"})


def test_sole_proprietor_is_not_asked_about_shares(client, sme):
    r = _sole_to_exclusions(client)
    assert r.headers["Location"].endswith(f"{BASE}/taxable-income")
    html = client.get(f"{BASE}/taxable-income").get_data(as_text=True)
    for name in ("shares_total", "shares_largest_large_company", "owned_by_deemed_large", "officers_total"):
        assert f'name="{name}"' not in html
    assert 'name="avg_taxable_income"' in html and 'name="no_antisocial_ties"' in html
    # The company's step is not theirs: it sends them to what is still to do.
    assert client.get(f"{BASE}/exclusions").status_code == 303
    r = go(client, "taxable-income", {"avg_taxable_income": "", "no_antisocial_ties": "y"})
    assert r.headers["Location"].endswith(f"{BASE}/documents")
    # Nothing about large companies on their task list.
    assert "大企業" not in text_of(client.get(f"{BASE}/"))


def test_shares_never_make_a_sole_proprietor_not_eligible(client, sme):
    """Shares typed for a company before the legal form changed to sole proprietor do not count, and the
    rules themselves do not exclude a sole proprietor for shares (seed ※4 ①-⑤ are about shares and
    officers)."""
    go(client, "business-type", TYPE)
    go(client, "business-details", DETAILS)
    go(client, "address", ADDRESS)
    go(client, "size", SIZE)
    go(client, "exclusions", {**EXCLUSIONS, "shares_total": "100", "shares_largest_large_company": "50",
                              "shares_all_large_companies": "50"}, expect=303)
    go(client, "business-type", SOLE)
    go(client, "business-details", SOLE_DETAILS)
    assert client.get(f"{BASE}/result").status_code == 303  # not 対象外: redirected to the task list
    # The live panel of a sole proprietor ignores share counts sent with it.
    query = {"legal_form": "sole_proprietor", "industry": "retail", "employees": "3", "shares_total": "100",
             "shares_largest_large_company": "50", "shares_all_large_companies": "50",
             "owned_by_deemed_large": "yes", "avg_taxable_income": ""}
    panel = text_of(client.get(f"{BASE}/taxable-income/panel", query_string=query, headers={"HX-Request": "true"}))
    assert "対象外" not in panel

    from dxapp.rules.enterprise import Applicant, classify

    decision = classify(Applicant(legal_form="sole_proprietor", industry="retail", employees=3, shares_total=100,
                                  shares_largest_large_company=50, shares_all_large_companies=50,
                                  owned_by_deemed_large=True))
    assert decision.outcome == "eligible" and not decision.excluded
    taxed = classify(Applicant(legal_form="sole_proprietor", industry="retail", employees=3,
                               avg_taxable_income_yen=1_500_000_001))
    assert taxed.outcome == "ineligible" and "excluded_taxable_income" in taxed.codes


def test_sole_proprietor_registers_without_the_share_questions(client, sme):
    _sole_to_exclusions(client)
    go(client, "taxable-income", {"avg_taxable_income": "1億円", "no_antisocial_ties": "y"})
    sme_upload(client, "opening_notification", "開業届.pdf")
    go(client, "documents", {})
    go(client, "declaration", {"agree_terms": "y"})
    check = text_of(client.get(f"{BASE}/check-answers"))
    assert "発行済株式" not in check and "100,000,000円" in check
    walk.submit(client)
    application = db.session.scalars(select(Application)).one()
    assert application.decision["outcome"] == "eligible"
    assert "exclusions" not in application.answers["steps"]


# -- item 9: after sending, the wizard shows the application sent, not an empty new one --------------------

def test_back_or_the_wizard_url_shows_the_sent_application(client, sme, users):
    from dxapp.services import applications

    fill_all(client)
    walk.submit(client)
    application = db.session.scalars(select(Application)).one()
    sent = f"{BASE}/sent/{application.reference}"
    for url in (f"{BASE}/", f"{BASE}/check-answers", f"{BASE}/size", f"{BASE}/business-type"):
        r = client.get(url)
        assert r.status_code == 303 and r.headers["Location"].endswith(sent), url
    page = text_of(client.get(sent))
    assert application.reference in page and "申請済み" in page and "株式会社やまだ商店" in page
    assert "0/7" not in page
    applications.move(application, "under_review", version=application.version, actor_id=users("desk").id)
    db.session.commit()
    assert "審査中" in text_of(client.get(sent))
    assert client.get(f"{BASE}/").headers["Location"].endswith(sent)
    # Returned for correction: the wizard is the way to correct it again.
    applications.move(application, "returned", version=application.version, actor_id=None,
                      flags={"business-details": "商号を確認してください。"})
    db.session.commit()
    assert client.get(f"{BASE}/").status_code == 200


def test_expert_and_supporter_wizards_show_the_sent_application(app, users, login):
    from tests.fixtures import factories

    for make, base in ((factories.submitted_expert, "/expert/register"),
                       (factories.submitted_supporter, "/supporter/register")):
        user, application = make(users)
        client = app.test_client()
        login(client, user)
        r = client.get(f"{base}/")
        assert r.status_code == 303 and r.headers["Location"].endswith(f"{base}/sent/{application.reference}")
        assert application.reference in text_of(client.get(r.headers["Location"]))


# -- item 16: one reference per application ---------------------------------------------------------------

def test_the_confirmation_url_carries_the_application_reference(client, sme, users, app, login):
    from dxapp.models import Submission

    fill_all(client)
    r = walk.submit(client)
    application = db.session.scalars(select(Application)).one()
    assert r.headers["Location"].endswith(f"{BASE}/sent/{application.reference}")
    page = text_of(client.get(r.headers["Location"]))
    assert application.reference in page and "R-" not in page
    # An older URL with the submission's reception reference still leads there.
    submission = db.session.scalars(select(Submission).where(Submission.result_id == application.id)).one()
    old = client.get(f"{BASE}/sent/{submission.reference}")
    assert old.status_code == 301 and old.headers["Location"].endswith(f"{BASE}/sent/{application.reference}")
    # Another SME knows neither URL.
    other = app.test_client()
    login(other, users("sme"))
    assert other.get(f"{BASE}/sent/{application.reference}").status_code == 404
    assert other.get(f"{BASE}/sent/{submission.reference}").status_code == 404
    assert client.get(f"{BASE}/sent/C00000000").status_code == 404
