"""Issue 11 items 4, 5, 7, 9, 16 of the SME registration: no loop for an SME judged 対象外, the deciding
reasons first, no share questions for sole proprietors, the sent application after submitting, one
reference per application."""

import re

import pytest

from tests.fixtures.pages import text_of
from tests.fixtures.sme_answers import ADDRESS, DETAILS, EXCLUSIONS, SIZE, TYPE
from tests.fixtures.walks import SME as BASE
from tests.fixtures.walks import sme as walk

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
