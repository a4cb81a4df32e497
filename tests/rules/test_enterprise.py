"""SME eligibility: seed 中小企業の範囲 ①-⑮, 小規模事業者の範囲, 補足事項 ※1-※4; DOMAIN.md §3."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dxapp.rules.enterprise import (
    EMPLOYEES_HELP,
    INDUSTRIES,
    INDUSTRY_HELP,
    INDUSTRY_LABELS,
    LEGAL_FORM_HELP,
    LEGAL_FORM_LABELS,
    LEGAL_FORMS,
    Applicant,
    classify,
)
from tests.fixtures.rules import assert_reasons_explain, raises_japanese

# (seed row, industry codes, capital limit, employee limit) - seed 中小企業の範囲 ①-⑧
INDUSTRY_ROWS = [
    ("①", ("manufacturing", "construction", "transport"), 300_000_000, 300),
    ("②", ("wholesale",), 100_000_000, 100),
    ("③", ("service", "entertainment"), 50_000_000, 100),
    ("④", ("retail",), 50_000_000, 50),
    ("⑤", ("rubber_products",), 300_000_000, 900),
    ("⑥", ("software_it",), 300_000_000, 300),
    ("⑦", ("ryokan",), 50_000_000, 200),
    ("⑧", ("other",), 300_000_000, 300),
]
EMPLOYEE_LIMIT = {code: limit for _row, codes, _cap, limit in INDUSTRY_ROWS for code in codes}
CAPITAL_LIMIT = {code: cap for _row, codes, cap, _limit in INDUSTRY_ROWS for code in codes}
ROW_OF = {code: row for row, codes, _cap, _limit in INDUSTRY_ROWS for code in codes}


def company_cases():
    for row, codes, cap, limit in INDUSTRY_ROWS:
        for industry in codes:
            tag = f"seed中小企業の範囲{row}-{industry}"
            yield pytest.param(industry, cap, limit + 1, True, id=f"{tag}-capital-at-limit")
            yield pytest.param(industry, cap + 1, limit + 1, False, id=f"{tag}-capital-one-past")
            yield pytest.param(industry, cap + 1, limit, True, id=f"{tag}-employees-at-limit")
            yield pytest.param(industry, cap + 1, limit + 1, False, id=f"{tag}-employees-one-past")
            yield pytest.param(industry, 0, 10**6, True, id=f"{tag}-capital-zero")


@pytest.mark.parametrize(("industry", "capital", "employees", "sme"), list(company_cases()))
def test_company_passes_by_capital_or_employees(industry, capital, employees, sme):
    """Seed ①-⑧ / DOMAIN.md §3: a company is an SME when capital <= limit OR employees <= limit."""
    decision = classify(Applicant(legal_form="company", industry=industry, capital_yen=capital,
                                  employees=employees))
    assert decision.sme is sme
    assert decision.eligible is sme
    assert decision.outcome == ("eligible" if sme else "ineligible")
    assert_reasons_explain(decision)
    assert any(ROW_OF[industry] in reason.citation for reason in decision.reasons)


def sole_cases():
    for row, codes, _cap, limit in INDUSTRY_ROWS:
        for industry in codes:
            tag = f"seed中小企業の範囲{row}-{industry}-sole-proprietor"
            yield pytest.param(industry, limit, True, id=f"{tag}-employees-at-limit")
            yield pytest.param(industry, limit + 1, False, id=f"{tag}-employees-one-past")


@pytest.mark.parametrize(("industry", "employees", "sme"), list(sole_cases()))
def test_sole_proprietor_counts_employees_only_even_with_capital(industry, employees, sme):
    """Seed ①-⑧ 「会社及び個人事業主」, DOMAIN.md §3: sole proprietors are judged by employees only; a
    capital typed anyway (1 yen, far below every limit) changes nothing."""
    decision = classify(Applicant(legal_form="sole_proprietor", industry=industry, employees=employees,
                                  capital_yen=1))
    assert decision.sme is sme
    assert decision.eligible is sme
    assert "capital_ignored_sole_proprietor" in decision.codes


OWN_ROW_CASES = [
    ("⑨", "medical_corp", 300),
    ("⑨", "social_welfare_corp", 300),
    ("⑩", "school_corp", 300),
    ("⑪", "commerce_association", 100),
]


@pytest.mark.parametrize(("row", "form", "limit"), OWN_ROW_CASES, ids=[f"seed{r}-{f}" for r, f, _ in OWN_ROW_CASES])
@pytest.mark.parametrize("industry", ["retail", "rubber_products"])
@pytest.mark.parametrize("past", [0, 1], ids=["at-limit", "one-past"])
def test_rows_9_to_11_use_their_own_employee_limit(row, form, limit, industry, past):
    """Seed ⑨-⑪: medical/social-welfare and school corporations <= 300, commerce associations and
    chambers <= 100 employees, whatever the main industry (retail would say 50, rubber 900)."""
    decision = classify(Applicant(legal_form=form, industry=industry, employees=limit + past,
                                  capital_yen=10**12))
    assert decision.sme is (past == 0)
    assert decision.small is False  # the small-business table is for companies and sole proprietors
    assert decision.eligible is (past == 0)
    assert any(row in reason.citation for reason in decision.reasons)


INDUSTRY_FORMS = [("⑫", "sme_association"), ("⑬", "special_law_union"), ("⑭", "foundation_association"),
                  ("⑮", "npo")]


@pytest.mark.parametrize(("row", "form"), INDUSTRY_FORMS, ids=[f"seed{r}-{f}" for r, f in INDUSTRY_FORMS])
@pytest.mark.parametrize("industry", sorted(INDUSTRIES))
@pytest.mark.parametrize("past", [0, 1], ids=["at-limit", "one-past"])
def test_rows_12_to_15_use_the_employee_limit_of_their_main_industry(row, form, industry, past):
    """Seed ⑫-⑮: 「上記①~⑧の業種分類に基づき、その主たる業種に記載の従業員規模以下の者」
    (entertainment uses the services row ③); capital never counts."""
    limit = EMPLOYEE_LIMIT[industry]
    decision = classify(Applicant(legal_form=form, industry=industry, employees=limit + past, capital_yen=1))
    assert decision.sme is (past == 0)
    assert decision.eligible is (past == 0)
    assert any(row in reason.citation for reason in decision.reasons)


SMALL_ROWS = [
    ("商業・サービス業（宿泊業・娯楽業除く）", ("wholesale", "retail", "service", "software_it"), 5),
    ("サービス業のうち宿泊業・娯楽業", ("ryokan", "entertainment"), 20),
    ("製造業その他", ("manufacturing", "construction", "transport", "rubber_products", "other"), 20),
]


def small_cases():
    for row, codes, limit in SMALL_ROWS:
        for industry in codes:
            for form in ("company", "sole_proprietor"):
                tag = f"seed小規模事業者の範囲「{row}」-{industry}-{form}"
                yield pytest.param(form, industry, limit, True, id=f"{tag}-at-limit")
                yield pytest.param(form, industry, limit + 1, False, id=f"{tag}-one-past")


@pytest.mark.parametrize(("form", "industry", "employees", "small"), list(small_cases()))
def test_small_business_table(form, industry, employees, small):
    """Seed 小規模事業者の範囲: commerce/services <= 5, lodging and entertainment <= 20, manufacturing and
    others <= 20, for companies and sole proprietors."""
    decision = classify(Applicant(legal_form=form, industry=industry, employees=employees))
    assert decision.small is small
    assert decision.eligible  # within every SME employee limit too


@pytest.mark.parametrize("form", sorted(LEGAL_FORMS - {"company", "sole_proprietor"}))
def test_small_business_table_is_for_companies_and_sole_proprietors_only(form):
    """Seed 小規模事業者の範囲 「会社及び個人事業主」: other legal forms are never small businesses."""
    decision = classify(Applicant(legal_form=form, industry="other", employees=1))
    assert decision.small is False
    assert decision.sme is True


def applicant(**overrides):
    values = {"legal_form": "company", "industry": "manufacturing", "employees": 10, "capital_yen": 10_000_000}
    return Applicant(**(values | overrides))


EXCLUSION_CASES = [
    # ※4 ①: one large company owns half or more
    pytest.param({"shares_total": 100, "shares_largest_large_company": 50, "shares_all_large_companies": 50},
                 "excluded_single_large_owner", id="seed※4①-half-at-limit"),
    pytest.param({"shares_total": 100, "shares_largest_large_company": 49, "shares_all_large_companies": 49},
                 None, id="seed※4①-just-below-half"),
    pytest.param({"shares_total": 101, "shares_largest_large_company": 50, "shares_all_large_companies": 50},
                 None, id="seed※4①-odd-total-50-of-101"),
    pytest.param({"shares_total": 101, "shares_largest_large_company": 51, "shares_all_large_companies": 51},
                 "excluded_single_large_owner", id="seed※4①-odd-total-51-of-101"),
    # ※4 ②: large companies together own two thirds or more
    pytest.param({"shares_total": 300, "shares_largest_large_company": 100, "shares_all_large_companies": 200},
                 "excluded_large_owners_two_thirds", id="seed※4②-two-thirds-at-limit"),
    pytest.param({"shares_total": 300, "shares_largest_large_company": 100, "shares_all_large_companies": 199},
                 None, id="seed※4②-one-below-two-thirds"),
    pytest.param({"shares_total": 3 * 10**18 + 1, "shares_largest_large_company": 1,
                  "shares_all_large_companies": 2 * 10**18},
                 None, id="seed※4②-exact-ratio-not-float"),
    pytest.param({"shares_total": 3 * 10**18 + 1, "shares_largest_large_company": 1,
                  "shares_all_large_companies": 2 * 10**18 + 1},
                 "excluded_large_owners_two_thirds", id="seed※4②-exact-ratio-one-past"),
    # ※4 ③: large-company officers hold half or more of the seats
    pytest.param({"officers_total": 4, "officers_from_large_companies": 2}, "excluded_large_officers",
                 id="seed※4③-half-at-limit"),
    pytest.param({"officers_total": 4, "officers_from_large_companies": 1}, None, id="seed※4③-below-half"),
    pytest.param({"officers_total": 5, "officers_from_large_companies": 2}, None, id="seed※4③-2-of-5"),
    pytest.param({"officers_total": 5, "officers_from_large_companies": 3}, "excluded_large_officers",
                 id="seed※4③-3-of-5"),
    # ※4 ④ ⑤: deemed-large owners or officers
    pytest.param({"owned_by_deemed_large": True}, "excluded_owned_by_deemed_large", id="seed※4④-owned-by-deemed-large"),
    pytest.param({"officers_all_from_deemed_large": True}, "excluded_officers_from_deemed_large",
                 id="seed※4⑤-officers-all-from-deemed-large"),
    # ※4 ⑥: average taxable income exceeds 1.5 billion yen ("exceeds" excludes the boundary)
    pytest.param({"avg_taxable_income_yen": 1_500_000_000}, None, id="seed※4⑥-income-at-limit"),
    pytest.param({"avg_taxable_income_yen": 1_500_000_001}, "excluded_taxable_income", id="seed※4⑥-income-one-past"),
    # totals of None or 0: the test was not answered
    pytest.param({"shares_total": None}, None, id="seed※4①②-not-answered-none"),
    pytest.param({"shares_total": 0}, None, id="seed※4①②-not-answered-zero"),
    pytest.param({"officers_total": 0}, None, id="seed※4③-not-answered-zero"),
]


@pytest.mark.parametrize(("overrides", "code"), EXCLUSION_CASES)
@pytest.mark.parametrize("form", ["company", "sole_proprietor", "npo"])
def test_deemed_large_exclusions(overrides, code, form):
    """Seed 補足事項 ※4 ①-⑥, DOMAIN.md §3: "or more" includes the boundary, "exceeds" does not; exact
    ratios."""
    decision = classify(applicant(legal_form=form, **overrides))
    if form == "sole_proprietor" and code not in (None, "excluded_taxable_income"):
        code = None  # no shares, no officers: ※4 ①-⑤ never apply to a sole proprietor (issue 11 item 7)
    assert decision.sme is True
    assert decision.excluded is (code is not None)
    assert decision.eligible is (code is None)
    if code:
        assert code in decision.codes
        assert decision.outcome == "ineligible"
    assert_reasons_explain(decision)


@pytest.mark.parametrize(("form", "carries_on_business", "eligible"), [
    pytest.param("company", False, True, id="seed※3-company-needs-no-confirmation"),
    pytest.param("sole_proprietor", False, True, id="seed※3-sole-proprietor-needs-no-confirmation"),
    *[pytest.param(form, False, False, id=f"seed※3-{form}-without-business")
      for form in sorted(LEGAL_FORMS - {"company", "sole_proprietor"})],
    *[pytest.param(form, True, True, id=f"seed※3-{form}-with-business")
      for form in sorted(LEGAL_FORMS - {"company", "sole_proprietor"})],
])
def test_business_premise(form, carries_on_business, eligible):
    """Seed 補足事項 ※3, DOMAIN.md §3: entities other than companies and sole proprietors must carry on
    business that contributes to production."""
    decision = classify(applicant(legal_form=form, employees=1, carries_on_business=carries_on_business))
    assert decision.eligible is eligible
    assert ("no_business_activity" in decision.codes) is (not eligible)


UNKNOWN_CASES = [
    pytest.param(dict(legal_form="company", employees=None, capital_yen=None), {"employees_missing", "capital_missing"},
                 id="DOMAIN§3-company-nothing-answered"),
    pytest.param(dict(legal_form="company", employees=None, capital_yen=300_000_001), {"employees_missing"},
                 id="seed①-company-capital-over-employees-missing"),
    pytest.param(dict(legal_form="company", employees=301, capital_yen=None), {"capital_missing"},
                 id="seed①-company-employees-over-capital-missing"),
    pytest.param(dict(legal_form="sole_proprietor", employees=None, capital_yen=1), {"employees_missing"},
                 id="seed①-sole-proprietor-capital-does-not-decide"),
    pytest.param(dict(legal_form="npo", employees=None, capital_yen=None), {"employees_missing"},
                 id="seed⑮-npo-employees-missing"),
    pytest.param(dict(legal_form="medical_corp", employees=None), {"employees_missing"},
                 id="seed⑨-medical-employees-missing"),
]


@pytest.mark.parametrize(("fields", "missing"), UNKNOWN_CASES)
def test_unknown_until_the_answers_decide(fields, missing):
    """Issue 3 / DOMAIN.md §3: "unknown" while the answers cannot decide; every boolean is False and the
    reasons say what is missing (the live panel's 「まだ判定できません」)."""
    decision = classify(Applicant(industry="manufacturing", **fields))
    assert decision.outcome == "unknown"
    assert (decision.sme, decision.small, decision.excluded, decision.eligible) == (False, False, False, False)
    assert missing <= set(decision.codes)
    messages = " ".join(decision.messages)
    if "employees_missing" in missing:
        assert "常時使用する従業員数を入力してください" in messages
    if "capital_missing" in missing:
        assert "資本金" in messages and "入力してください" in messages


def test_capital_that_already_passes_decides_without_employees():
    """Seed ①: capital <= 300,000,000 is enough for a manufacturing company; employees are not needed."""
    decision = classify(Applicant(legal_form="company", industry="manufacturing", capital_yen=300_000_000))
    assert decision.outcome == "eligible"
    assert decision.sme is True
    assert decision.small is False  # unknown without employees, so not claimed


def test_exclusion_decides_even_when_size_is_unknown():
    """Seed ※4 ⑥: an excluded applicant is ineligible whatever the size answers still missing."""
    decision = classify(Applicant(legal_form="company", industry="retail", avg_taxable_income_yen=2_000_000_000))
    assert decision.outcome == "ineligible"
    assert decision.excluded is True and decision.eligible is False


def test_missing_business_decides_even_when_size_is_unknown():
    """Seed ※3: an NPO without business is ineligible even before its employees are known."""
    decision = classify(Applicant(legal_form="npo", industry="service", carries_on_business=False))
    assert decision.outcome == "ineligible"


def test_seed_note_1_help_text_explains_regular_employees():
    """Seed 補足事項 ※1: the user is told who counts as a regular employee."""
    assert "労働基準法第20条" in EMPLOYEES_HELP and "役員" in EMPLOYEES_HELP and "個人事業主" in EMPLOYEES_HELP


INVALID = [
    pytest.param(dict(legal_form="voluntary_group"), "組織の形態", id="issue3-unknown-legal-form"),
    pytest.param(dict(industry="fishing"), "業種", id="issue3-unknown-industry"),
    pytest.param(dict(employees=-1), "従業員数", id="issue3-negative-employees"),
    pytest.param(dict(capital_yen=-1), "資本金", id="issue3-negative-capital"),
    pytest.param(dict(avg_taxable_income_yen=-1), "課税所得", id="issue3-negative-income"),
    pytest.param(dict(shares_total=-1), "発行済株式", id="issue3-negative-shares-total"),
    pytest.param(dict(shares_total=10, shares_all_large_companies=-1), "大企業全体", id="issue3-negative-part"),
    pytest.param(dict(officers_total=-3), "役員の総数", id="issue3-negative-officers"),
    pytest.param(dict(employees=1.5), "整数", id="issue3-fractional-employees"),
    pytest.param(dict(capital_yen="300万"), "円単位", id="issue3-capital-as-text"),
    pytest.param(dict(employees=True), "整数", id="issue3-bool-employees"),
    pytest.param(dict(shares_total=100, shares_largest_large_company=101, shares_all_large_companies=101),
                 "超えています", id="issue3-part-above-total"),
    pytest.param(dict(shares_total=100, shares_largest_large_company=60, shares_all_large_companies=50),
                 "大企業1社", id="issue3-largest-above-all-large"),
    pytest.param(dict(officers_total=3, officers_from_large_companies=4), "超えています",
                 id="issue3-officers-part-above-total"),
    pytest.param(dict(shares_total=None, shares_largest_large_company=1, shares_all_large_companies=1),
                 "総数", id="issue3-shares-without-total-none"),
    pytest.param(dict(shares_total=0, shares_all_large_companies=1), "総数", id="issue3-shares-without-total-zero"),
    pytest.param(dict(officers_total=None, officers_from_large_companies=1), "役員の総数",
                 id="issue3-officers-without-total"),
    pytest.param(dict(carries_on_business="yes"), "はい", id="issue3-flag-not-bool"),
]


@pytest.mark.parametrize(("overrides", "match"), INVALID)
def test_invalid_answers_raise_japanese_value_errors(overrides, match):
    """Issue 3: unknown codes, negative numbers, a part above its total, the largest owner above all
    large owners and parts without their total raise ValueError with a Japanese message."""
    with raises_japanese(match):
        classify(applicant(**overrides))


def test_labels_cover_every_code_with_plain_help():
    """The SME wizard renders LEGAL_FORM_LABELS / INDUSTRY_LABELS with their help strings."""
    assert set(LEGAL_FORM_LABELS) == set(LEGAL_FORM_HELP) == LEGAL_FORMS
    assert set(INDUSTRY_LABELS) == set(INDUSTRY_HELP) == INDUSTRIES
    assert "ソフトハウス" in INDUSTRY_HELP["software_it"]
    assert "旅館" in INDUSTRY_HELP["ryokan"]
    assert "タイヤ" in INDUSTRY_HELP["rubber_products"] and "ベルト" in INDUSTRY_HELP["rubber_products"]
    assert "旅館業" in INDUSTRY_HELP["service"] and "ソフトウェア業" in INDUSTRY_HELP["service"]


FORMS = st.sampled_from(sorted(LEGAL_FORMS))
INDUSTRY = st.sampled_from(sorted(INDUSTRIES))
MONEY = st.one_of(st.none(), st.integers(min_value=0, max_value=10**10))


EMPLOYEES = st.integers(min_value=0, max_value=2000)


@st.composite
def applicants(draw, employees=EMPLOYEES):
    total = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=10**6)))
    all_large = draw(st.integers(min_value=0, max_value=total)) if total else 0
    largest = draw(st.integers(min_value=0, max_value=all_large)) if total else 0
    officers = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=30)))
    from_large = draw(st.integers(min_value=0, max_value=officers)) if officers else 0
    return Applicant(
        legal_form=draw(FORMS), industry=draw(INDUSTRY), employees=draw(employees), capital_yen=draw(MONEY),
        shares_total=total, shares_largest_large_company=largest, shares_all_large_companies=all_large,
        officers_total=officers, officers_from_large_companies=from_large,
        owned_by_deemed_large=draw(st.booleans()), officers_all_from_deemed_large=draw(st.booleans()),
        avg_taxable_income_yen=draw(MONEY), carries_on_business=draw(st.booleans()),
    )


@given(applicants(), st.integers(min_value=1, max_value=5000))
def test_property_more_employees_never_turns_ineligible_into_eligible(base, extra):
    """Issue 3 property (seed ①-⑮, 小規模事業者の範囲): raising employees never turns an ineligible
    applicant eligible."""
    before = classify(base)
    after = classify(Applicant(**{**base.__dict__, "employees": base.employees + extra}))
    if not before.eligible:
        assert not after.eligible


@given(applicants(employees=st.one_of(st.none(), st.integers(min_value=0, max_value=2000))))
def test_property_decisions_are_consistent(app):
    """Issue 3: unknown means every boolean False; eligible = (sme or small) and not excluded; a small
    company is also an SME (seed tables)."""
    decision = classify(app)
    assert_reasons_explain(decision)
    if decision.outcome == "unknown":
        assert not (decision.sme or decision.small or decision.excluded or decision.eligible)
        assert decision.reasons
    elif decision.eligible:
        assert (decision.sme or decision.small) and not decision.excluded
        assert decision.outcome == "eligible"
    else:
        assert decision.outcome == "ineligible"
    if decision.small:
        assert decision.sme
