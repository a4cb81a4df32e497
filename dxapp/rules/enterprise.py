"""Who may take part as an SME (中小企業等・小規模事業者).

Source: seed 「中小企業の範囲」 rows ①-⑮, 「小規模事業者の範囲」 (3 rows), 補足事項 ※1-※4; DOMAIN.md
section 3.  These tables applied unchanged for the whole of Phase II (from 2021-04-26 10:00 JST, seed
各種期間), so they are plain constants; a change would be added as a dated parameter (see
:class:`dxapp.rules.Dated`).

:func:`classify` answers three questions, each with reasons: does the applicant fit the SME table
(``sme``) or the small-business table (``small``), and is it excluded as a deemed large company
(``excluded``)?  ``eligible`` combines them with seed note ※3.  While answers are missing the outcome
is ``"unknown"`` (the live panel shows 「まだ判定できません」) and the reasons say what to enter next.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType
from typing import Literal, NamedTuple

from dxapp.rules import Decision, Reason

__all__ = [
    "EMPLOYEES_HELP",
    "INDUSTRIES",
    "INDUSTRY_HELP",
    "INDUSTRY_LABELS",
    "LEGAL_FORMS",
    "LEGAL_FORM_HELP",
    "LEGAL_FORM_LABELS",
    "SME_ROWS",
    "TAXABLE_INCOME_LIMIT_YEN",
    "Applicant",
    "EnterpriseDecision",
    "SizeRow",
    "classify",
    "deciding_reasons",
    "deemed_large_exclusions",
    "small_business_test",
    "sme_size_test",
]

Outcome = Literal["eligible", "ineligible", "unknown"]

# ---------------------------------------------------------------------------------------------------
# Codes and the labels the SME wizard renders
# ---------------------------------------------------------------------------------------------------

LEGAL_FORM_LABELS = MappingProxyType({
    "company": "会社（株式会社・合同会社・合名会社・合資会社・特例有限会社）",
    "sole_proprietor": "個人事業主",
    "medical_corp": "医療法人",
    "social_welfare_corp": "社会福祉法人",
    "school_corp": "学校法人",
    "commerce_association": "商工会・都道府県商工会連合会・商工会議所",
    "sme_association": "中小企業団体（事業協同組合・企業組合・協業組合・商工組合など）",
    "special_law_union": "特別の法律によって設立された組合又はその連合会",
    "foundation_association": "財団法人・社団法人（一般・公益）",
    "npo": "特定非営利活動法人（NPO法人）",
})

LEGAL_FORM_HELP = MappingProxyType({
    "company": "資本金の額（出資の総額）か常時使用する従業員の数のどちらかが、主たる業種の上限以下なら中小企業です。",
    "sole_proprietor": "開業届を出して事業を営んでいる個人の方です。資本金は判定に使わず、常時使用する従業員の数だけで判定します。",
    "medical_corp": "病院・診療所などを運営する医療法人です。常時使用する従業員が300人以下なら対象です。",
    "social_welfare_corp": "介護・保育などの社会福祉事業を行う社会福祉法人です。常時使用する従業員が300人以下なら対象です。",
    "school_corp": "私立学校などを設置する学校法人です。常時使用する従業員が300人以下なら対象です。",
    "commerce_association": "商工会、都道府県商工会連合会、商工会議所です。常時使用する従業員が100人以下なら対象です。",
    "sme_association": (
        "中小企業支援法第2条第1項第4号に定める中小企業団体です。主たる業種の従業員数の上限で判定します"
        "（例：主たる業種が小売業なら50人以下）。"
    ),
    "special_law_union": (
        "法律に基づいて設立された組合とその連合会（例：生活衛生同業組合、酒造組合など）です。"
        "主たる業種の従業員数の上限で判定します。"
    ),
    "foundation_association": "一般財団法人・公益財団法人・一般社団法人・公益社団法人です。主たる業種の従業員数の上限で判定します。",
    "npo": "特定非営利活動法人です。主たる業種の従業員数の上限で判定します。法人格のない任意団体は対象外です。",
})

INDUSTRY_LABELS = MappingProxyType({
    "manufacturing": "製造業",
    "construction": "建設業",
    "transport": "運輸業",
    "wholesale": "卸売業",
    "service": "サービス業（ソフトウェア業・情報処理サービス業・旅館業を除く）",
    "retail": "小売業（飲食店を含む）",
    "rubber_products": "ゴム製品製造業（自動車・航空機用タイヤとチューブ、工業用ベルトの製造業を除く）",
    "software_it": "ソフトウェア業・情報処理サービス業",
    "ryokan": "旅館業",
    "entertainment": "娯楽業",
    "other": "その他の業種（上記以外）",
})

INDUSTRY_HELP = MappingProxyType({
    "manufacturing": (
        "工場などで製品を作る事業です（食品、金属加工、印刷など）。ゴム製品を作る場合は「ゴム製品製造業」を選んでください。"
        "ただし自動車・航空機用のタイヤとチューブ、工業用ベルトを作る場合は「製造業」です。"
    ),
    "construction": "工事を請け負う事業です（工務店、リフォーム、電気・設備工事など）。",
    "transport": "人や物を運ぶ事業です（トラック運送、タクシー、倉庫など）。",
    "wholesale": "ほかの事業者に商品を売る事業です（問屋、商社など）。",
    "service": (
        "美容室、クリーニング、士業の事務所、学習塾、介護など。ソフトハウスやシステム開発会社は"
        "「ソフトウェア業・情報処理サービス業」、旅館・ホテルは「旅館業」を選んでください。"
    ),
    "retail": "一般の消費者に商品を売る事業です（商店、ネットショップなど）。飲食店もここに含まれます。",
    "rubber_products": (
        "ゴムホース、ゴム手袋、ゴム製の部品などを作る事業です。自動車・航空機用のタイヤとチューブ、工業用ベルトを"
        "作る事業はこの区分から除かれるため「製造業」を選んでください。"
    ),
    "software_it": "ソフトウェアの受託開発やパッケージソフトを作るソフトハウス、システム開発会社、データ処理などの情報処理サービスです。",
    "ryokan": "旅館・ホテルを営む事業です。",
    "entertainment": (
        "映画館、カラオケボックス、ボウリング場、フィットネスクラブなどです。中小企業の判定はサービス業と同じ基準、"
        "小規模事業者は20人以下です。"
    ),
    "other": "上のどれにも当たらない業種です（農林漁業、不動産業、金融・保険業など）。",
})

LEGAL_FORMS = frozenset(LEGAL_FORM_LABELS)
INDUSTRIES = frozenset(INDUSTRY_LABELS)

#: Shown next to the employee question (seed 補足事項 ※1).
EMPLOYEES_HELP = (
    "「常時使用する従業員」とは、労働基準法第20条に基づき、解雇するときに予告が必要な人のことです。"
    "会社の役員と個人事業主本人は数えません。"
)

CITE_NOTE1 = "seed 中小企業の範囲 補足事項 ※1（常時使用する従業員）; DOMAIN.md §3"
CITE_NOTE3 = "seed 中小企業の範囲 補足事項 ※3（生産活動に資する事業）; DOMAIN.md §3"
CITE_SMALL = "seed 小規模事業者の範囲; DOMAIN.md §3"

# ---------------------------------------------------------------------------------------------------
# The SME table (seed 中小企業の範囲 ①-⑮)
# ---------------------------------------------------------------------------------------------------


class SizeRow(NamedTuple):
    """One row of the SME table: its seed number, name, capital limit (None: capital does not count)
    and employee limit (None: the limit of the main industry's row ①-⑧ applies), both inclusive."""

    row: str
    name: str
    capital_limit_yen: int | None
    employee_limit: int | None

    @property
    def citation(self) -> str:
        return f"seed 中小企業の範囲 {self.row}（{self.name}）; DOMAIN.md §3"


SME_ROWS = MappingProxyType({
    "1": SizeRow("①", "製造業、建設業、運輸業", 300_000_000, 300),
    "2": SizeRow("②", "卸売業", 100_000_000, 100),
    "3": SizeRow("③", "サービス業（ソフトウェア業又は情報処理サービス業、旅館業を除く）", 50_000_000, 100),
    "4": SizeRow("④", "小売業", 50_000_000, 50),
    "5": SizeRow("⑤", "ゴム製品製造業（自動車又は航空機用タイヤ及びチューブ製造業並びに工場用ベルト製造業を除く）",
                 300_000_000, 900),
    "6": SizeRow("⑥", "ソフトウェア業又は情報処理サービス業", 300_000_000, 300),
    "7": SizeRow("⑦", "旅館業", 50_000_000, 200),
    "8": SizeRow("⑧", "その他の業種（上記以外）", 300_000_000, 300),
    "9": SizeRow("⑨", "医療法人、社会福祉法人", None, 300),
    "10": SizeRow("⑩", "学校法人", None, 300),
    "11": SizeRow("⑪", "商工会・都道府県商工会連合会及び商工会議所", None, 100),
    "12": SizeRow("⑫", "中小企業支援法第2条第1項第4号に規定される中小企業団体", None, None),
    "13": SizeRow("⑬", "特別の法律によって設立された組合又はその連合会", None, None),
    "14": SizeRow("⑭", "財団法人（一般・公益）、社団法人（一般・公益）", None, None),
    "15": SizeRow("⑮", "特定非営利活動法人", None, None),
})

# Main industry -> row 1-8.  ``entertainment`` has no row of its own in the SME table: it is a service
# (row ③); it only differs in the small-business table.
INDUSTRY_ROW = MappingProxyType({
    "manufacturing": "1", "construction": "1", "transport": "1",
    "wholesale": "2",
    "service": "3", "entertainment": "3",
    "retail": "4",
    "rubber_products": "5",
    "software_it": "6",
    "ryokan": "7",
    "other": "8",
})

# Legal forms decided by their own row (⑨-⑪) or by the employee limit of their main industry (⑫-⑮).
OWN_ROW_FORMS = MappingProxyType({
    "medical_corp": "9", "social_welfare_corp": "9", "school_corp": "10", "commerce_association": "11",
})
INDUSTRY_EMPLOYEE_FORMS = MappingProxyType({
    "sme_association": "12", "special_law_union": "13", "foundation_association": "14", "npo": "15",
})

# Small-business table (seed 小規模事業者の範囲): companies and sole proprietors only.
SMALL_ROWS = MappingProxyType({
    "commerce_services": ("商業・サービス業（宿泊業・娯楽業除く）", 5),
    "lodging_entertainment": ("サービス業のうち宿泊業・娯楽業", 20),
    "manufacturing_other": ("製造業その他", 20),
})
INDUSTRY_SMALL_ROW = MappingProxyType({
    "wholesale": "commerce_services", "retail": "commerce_services", "service": "commerce_services",
    "software_it": "commerce_services",
    "ryokan": "lodging_entertainment", "entertainment": "lodging_entertainment",
    "manufacturing": "manufacturing_other", "construction": "manufacturing_other",
    "transport": "manufacturing_other", "rubber_products": "manufacturing_other", "other": "manufacturing_other",
})

#: Seed ※4 ⑥: excluded when the average taxable income of the last three settled years *exceeds* this.
TAXABLE_INCOME_LIMIT_YEN = 1_500_000_000


def _yen(n: int) -> str:
    return f"{n:,}円"


# ---------------------------------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Applicant:
    """The answers about an applicant.  No validation here: :func:`classify` validates.

    ``industry`` is always given (the main industry); rows ⑨-⑪ ignore it for the size test.
    Totals left ``None`` (or 0) mean the matching exclusion test was not answered.
    """

    legal_form: str
    industry: str
    employees: int | None = None
    capital_yen: int | None = None
    shares_total: int | None = None
    shares_largest_large_company: int = 0
    shares_all_large_companies: int = 0
    officers_total: int | None = None
    officers_from_large_companies: int = 0
    owned_by_deemed_large: bool = False
    officers_all_from_deemed_large: bool = False
    avg_taxable_income_yen: int | None = None
    carries_on_business: bool = True


@dataclass(frozen=True, kw_only=True)
class EnterpriseDecision(Decision):
    """The outcome of :func:`classify`.  When ``outcome`` is ``"unknown"`` every boolean is False."""

    sme: bool
    small: bool
    excluded: bool
    eligible: bool
    outcome: Outcome


_NUMBER_LABELS = {
    "employees": "常時使用する従業員数",
    "capital_yen": "資本金の額（出資の総額）",
    "shares_total": "発行済株式の総数（出資の総額）",
    "shares_largest_large_company": "最も多く所有している大企業1社の所有分",
    "shares_all_large_companies": "大企業全体の所有分",
    "officers_total": "役員の総数",
    "officers_from_large_companies": "大企業の役員・職員を兼ねている役員の数",
    "avg_taxable_income_yen": "直近3年分の課税所得の年平均額",
}

_BOOL_FIELDS = ("owned_by_deemed_large", "officers_all_from_deemed_large", "carries_on_business")


def _validate(applicant: Applicant) -> None:
    """Raise ``ValueError`` (Japanese, saying what to fix) for answers that cannot be judged."""
    if applicant.legal_form not in LEGAL_FORMS:
        raise ValueError("組織の形態を一覧から選んでください。")
    if applicant.industry not in INDUSTRIES:
        raise ValueError("主たる業種を一覧から選んでください。")
    for name, label in _NUMBER_LABELS.items():
        value = getattr(applicant, name)
        if value is None and name not in (
            "shares_largest_large_company", "shares_all_large_companies", "officers_from_large_companies"
        ):
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            unit = "円単位の" if name.endswith("_yen") else ""
            raise ValueError(f"{label}を{unit}整数で入力してください。")
        if value < 0:
            raise ValueError(f"{label}は0以上の数で入力してください。")
    for name in _BOOL_FIELDS:
        if not isinstance(getattr(applicant, name), bool):
            raise ValueError("「はい」か「いいえ」を選んでください。")

    shares_total = applicant.shares_total or 0
    largest = applicant.shares_largest_large_company
    all_large = applicant.shares_all_large_companies
    if (largest or all_large) and not shares_total:
        raise ValueError("大企業の所有分を入力するときは、発行済株式の総数（出資の総額）も入力してください。")
    if all_large > shares_total:
        raise ValueError("大企業全体の所有分が発行済株式の総数（出資の総額）を超えています。数字を確かめてください。")
    if largest > all_large:
        raise ValueError(
            "最も多く所有している大企業1社の所有分が、大企業全体の所有分を超えています。"
            "大企業全体の所有分には、その1社の分も含めて入力してください。"
        )
    officers_total = applicant.officers_total or 0
    from_large = applicant.officers_from_large_companies
    if from_large and not officers_total:
        raise ValueError("大企業の役員・職員を兼ねている役員の数を入力するときは、役員の総数も入力してください。")
    if from_large > officers_total:
        raise ValueError("大企業の役員・職員を兼ねている役員の数が役員の総数を超えています。数字を確かめてください。")


# ---------------------------------------------------------------------------------------------------
# Clauses
# ---------------------------------------------------------------------------------------------------


def sme_size_test(applicant: Applicant) -> tuple[bool | None, list[Reason]]:
    """Seed 中小企業の範囲 ①-⑮ (DOMAIN.md §3; in force for all of Phase II, from 2021-04-26).

    * Companies (rows ①-⑧ by main industry): capital or total contribution at or below the row's limit
      **or** regular employees at or below its limit.  ``entertainment`` is a service (row ③).
    * Sole proprietors: the same rows, but only employees count (a sole proprietor has no capital, so a
      capital typed anyway is ignored).
    * Medical and social-welfare corporations (⑨) and school corporations (⑩): <= 300 employees;
      commerce and industry associations and chambers (⑪): <= 100 employees.
    * SME associations, special-law unions, foundations/associations, NPOs (⑫-⑮): the employee limit of
      their main industry in rows ①-⑧.

    Returns True/False, or None when the answers so far cannot decide, with reasons.
    """
    form = applicant.legal_form
    industry_row = SME_ROWS[INDUSTRY_ROW[applicant.industry]]
    reasons: list[Reason] = []
    employees = applicant.employees

    if form in OWN_ROW_FORMS or form in INDUSTRY_EMPLOYEE_FORMS:
        if form in OWN_ROW_FORMS:
            row = SME_ROWS[OWN_ROW_FORMS[form]]
            limit, citation, basis = row.employee_limit, row.citation, f"{row.row}{row.name}"
        else:
            own = SME_ROWS[INDUSTRY_EMPLOYEE_FORMS[form]]
            limit = industry_row.employee_limit
            citation = f"{own.citation}; 従業員規模は {industry_row.citation}"
            basis = f"{own.row}（主たる業種 {industry_row.row}{industry_row.name}）"
        if employees is None:
            reasons.append(Reason("employees_missing",
                                  f"常時使用する従業員数を入力してください（{basis}は{limit}人以下が対象です）。"
                                  "役員は数えません。", citation))
            return None, reasons
        if employees <= limit:
            reasons.append(Reason("sme_employees_within",
                                  f"常時使用する従業員数{employees}人は{basis}の上限{limit}人以下なので、中小企業等に当たります。",
                                  citation))
            return True, reasons
        reasons.append(Reason("sme_employees_over",
                              f"常時使用する従業員数{employees}人が{basis}の上限{limit}人を超えているため、中小企業等に当たりません。",
                              citation))
        return False, reasons

    row = industry_row
    basis = f"{row.row}{row.name}"
    employee_result: bool | None = None if employees is None else employees <= row.employee_limit

    if form == "sole_proprietor":
        if applicant.capital_yen is not None:
            reasons.append(Reason("capital_ignored_sole_proprietor",
                                  "個人事業主は資本金ではなく、常時使用する従業員数だけで判定します。", row.citation))
        if employee_result is None:
            reasons.append(Reason("employees_missing",
                                  f"常時使用する従業員数を入力してください（{basis}は{row.employee_limit}人以下が対象です）。"
                                  "個人事業主本人は数えません。", CITE_NOTE1))
        elif employee_result:
            reasons.append(Reason("sme_employees_within",
                                  f"常時使用する従業員数{employees}人は{basis}の上限{row.employee_limit}人以下なので、"
                                  "中小企業に当たります。", row.citation))
        else:
            reasons.append(Reason("sme_employees_over",
                                  f"常時使用する従業員数{employees}人が{basis}の上限{row.employee_limit}人を超えているため、"
                                  "中小企業に当たりません。", row.citation))
        return employee_result, reasons

    if employee_result is True:
        reasons.append(Reason("sme_employees_within",
                              f"常時使用する従業員数{employees}人は{basis}の上限{row.employee_limit}人以下なので、"
                              "中小企業に当たります。", row.citation))
    elif employee_result is False:
        reasons.append(Reason("sme_employees_over",
                              f"常時使用する従業員数{employees}人は{basis}の上限{row.employee_limit}人を超えています。",
                              row.citation))

    # company
    capital = applicant.capital_yen
    if row.capital_limit_yen is None:  # every company row of the table has a capital limit
        raise ValueError("資本金の上限がない業種です。事務局にお問い合わせください。")
    capital_result: bool | None = None if capital is None else capital <= row.capital_limit_yen
    if capital_result is True:
        reasons.append(Reason("sme_capital_within",
                              f"資本金{_yen(capital)}は{basis}の上限{_yen(row.capital_limit_yen)}以下なので、中小企業に当たります。",
                              row.citation))
    elif capital_result is False:
        reasons.append(Reason("sme_capital_over",
                              f"資本金{_yen(capital)}は{basis}の上限{_yen(row.capital_limit_yen)}を超えています。",
                              row.citation))

    if capital_result or employee_result:
        return True, reasons
    if capital_result is False and employee_result is False:
        reasons.append(Reason("sme_size_over",
                              "資本金と常時使用する従業員数の両方が上限を超えているため、中小企業に当たりません。",
                              row.citation))
        return False, reasons
    if employee_result is None:
        reasons.append(Reason("employees_missing",
                              f"常時使用する従業員数を入力してください（{basis}は{row.employee_limit}人以下、"
                              f"または資本金{_yen(row.capital_limit_yen)}以下が対象です）。役員は数えません。", CITE_NOTE1))
    if capital_result is None:
        reasons.append(Reason("capital_missing",
                              f"資本金の額（出資の総額）を円単位で入力してください（{basis}は{_yen(row.capital_limit_yen)}以下、"
                              f"または常時使用する従業員{row.employee_limit}人以下が対象です）。", row.citation))
    return None, reasons


def small_business_test(applicant: Applicant) -> tuple[bool | None, list[Reason]]:
    """Seed 小規模事業者の範囲 (DOMAIN.md §3; all of Phase II), for companies and sole proprietors only:
    commerce and services except lodging and entertainment (wholesale, retail, services, software/IT)
    <= 5 regular employees; lodging (ryokan) and entertainment <= 20; manufacturing and others
    (manufacturing, construction, transport, rubber products, other) <= 20.

    Other legal forms are never small businesses (False).  Returns None when employees are missing.
    """
    if applicant.legal_form not in ("company", "sole_proprietor"):
        return False, []
    name, limit = SMALL_ROWS[INDUSTRY_SMALL_ROW[applicant.industry]]
    citation = f"{CITE_SMALL} 「{name}」"
    employees = applicant.employees
    if employees is None:
        return None, []
    if employees <= limit:
        return True, [Reason("small_employees_within",
                             f"常時使用する従業員数{employees}人は小規模事業者（{name}）の上限{limit}人以下です。", citation)]
    return False, [Reason("small_employees_over",
                          f"常時使用する従業員数{employees}人は小規模事業者（{name}）の上限{limit}人を超えています。", citation)]


def deemed_large_exclusions(applicant: Applicant) -> list[Reason]:
    """Seed 補足事項 ※4 ①-⑥ (DOMAIN.md §3; all of Phase II): excluded even when the size fits.

    ① one large company owns 1/2 or more of the shares or contribution; ② large companies together own
    2/3 or more; ③ officers or staff of large companies hold 1/2 or more of the officer seats; ④ all
    shares are owned by SMEs that fall under ①-③; ⑤ all officers are officers or staff of such SMEs;
    ⑥ the average taxable income of the last three settled years *exceeds* 1,500,000,000 yen.
    "Or more" includes the boundary, "exceeds" does not; ratios are compared exactly (Fraction).  A
    total of None or 0 means the test was not answered (not excluded by it).  Public SME investment
    companies and investment limited partnerships are not large companies (※2): the applicant does not
    count their shares.  A sole proprietor has neither shares nor officers: ①-⑤ never apply to one
    (issue 11 item 7), only ⑥.  Returns one reason per exclusion that applies.
    """
    reasons: list[Reason] = []
    cite = "seed 中小企業の範囲 補足事項 ※4 {}; DOMAIN.md §3"
    if applicant.legal_form == "sole_proprietor":
        return _taxable_income_exclusion(applicant, cite)
    total = applicant.shares_total
    if total:
        if Fraction(applicant.shares_largest_large_company, total) >= Fraction(1, 2):
            reasons.append(Reason("excluded_single_large_owner",
                                  "同じ大企業1社が発行済株式の総数（出資の総額）の2分の1以上を所有しているため、対象外です。",
                                  cite.format("①")))
        if Fraction(applicant.shares_all_large_companies, total) >= Fraction(2, 3):
            reasons.append(Reason("excluded_large_owners_two_thirds",
                                  "大企業が発行済株式の総数（出資の総額）の3分の2以上を所有しているため、対象外です。",
                                  cite.format("②")))
    officers = applicant.officers_total
    if officers and Fraction(applicant.officers_from_large_companies, officers) >= Fraction(1, 2):
        reasons.append(Reason("excluded_large_officers",
                              "大企業の役員又は職員を兼ねている人が役員総数の2分の1以上を占めているため、対象外です。",
                              cite.format("③")))
    if applicant.owned_by_deemed_large:
        reasons.append(Reason("excluded_owned_by_deemed_large",
                              "発行済株式の総数（出資の総額）を、みなし大企業（※4①〜③に当たる中小企業等）が所有しているため、対象外です。",
                              cite.format("④")))
    if applicant.officers_all_from_deemed_large:
        reasons.append(Reason("excluded_officers_from_deemed_large",
                              "役員の全員が、みなし大企業（※4①〜③に当たる中小企業等）の役員又は職員を兼ねているため、対象外です。",
                              cite.format("⑤")))
    return reasons + _taxable_income_exclusion(applicant, cite)


def _taxable_income_exclusion(applicant: Applicant, cite: str) -> list[Reason]:
    """Seed 補足事項 ※4 ⑥: the average taxable income of the last three settled years exceeds the limit."""
    income = applicant.avg_taxable_income_yen
    if income is not None and income > TAXABLE_INCOME_LIMIT_YEN:
        return [Reason("excluded_taxable_income",
                       f"直近3年分の課税所得の年平均額{_yen(income)}が{_yen(TAXABLE_INCOME_LIMIT_YEN)}を超えているため、対象外です。",
                       cite.format("⑥"))]
    return []


def business_premise_applies(applicant: Applicant) -> bool:
    """Seed 補足事項 ※3 (DOMAIN.md §3): entities that are not companies or sole proprietors are covered
    on the premise that they carry on business contributing to production (providing products or
    services); dxapp asks all of them to confirm it (``carries_on_business``)."""
    return applicant.legal_form not in ("company", "sole_proprietor")


def classify(applicant: Applicant) -> EnterpriseDecision:
    """Decide whether ``applicant`` may register as an SME (DOMAIN.md §3, seed 中小企業の範囲,
    小規模事業者の範囲, 補足事項 ※1-※4; unchanged through Phase II from 2021-04-26).

    eligible = (SME or small business) and not excluded as a deemed large company and (it carries on
    business, or it is a company or sole proprietor).  ``outcome`` is ``"unknown"`` while the answers
    cannot decide yet; then ``sme``, ``small``, ``excluded`` and ``eligible`` are all False and the
    reasons say what to enter.  Raises ``ValueError`` (Japanese) for unknown codes, negative or
    non-integer numbers, a part above its total, the largest large owner above all large owners, or
    parts given without their total.
    """
    _validate(applicant)
    sme, sme_reasons = sme_size_test(applicant)
    small, small_reasons = small_business_test(applicant)
    exclusion_reasons = deemed_large_exclusions(applicant)
    excluded = bool(exclusion_reasons)

    reasons = [*sme_reasons, *small_reasons, *exclusion_reasons]
    no_business = business_premise_applies(applicant) and not applicant.carries_on_business
    if no_business:
        reasons.append(Reason("no_business_activity",
                              "会社・個人事業主以外の団体は、製品・サービスの生産・提供など生産活動に資する事業を"
                              "行っていることが前提です。事業を行っていない場合は対象外です。", CITE_NOTE3))

    size_fits: bool | None
    if sme or small:
        size_fits = True
    elif sme is False and small is False:
        size_fits = False
    else:
        size_fits = None

    if excluded or no_business or size_fits is False:
        outcome: Outcome = "ineligible"
    elif size_fits is None:
        outcome = "unknown"
    else:
        outcome = "eligible"

    if outcome == "unknown":
        return EnterpriseDecision(sme=False, small=False, excluded=False, eligible=False, outcome=outcome,
                                  reasons=tuple(reasons))
    if outcome == "eligible":
        reasons.append(Reason("eligible", "中小企業等として本事業の対象です。", "DOMAIN.md §3"))
    return EnterpriseDecision(sme=bool(sme), small=bool(small), excluded=excluded,
                              eligible=outcome == "eligible", outcome=outcome, reasons=tuple(reasons))


#: Reasons that say the size does not fit (deciding only when neither table fits).
SIZE_OVER_CODES = frozenset({"sme_employees_over", "sme_capital_over", "sme_size_over", "small_employees_over"})


def deciding_reasons(applicant: Applicant) -> tuple[Reason, ...]:
    """The reasons of :func:`classify` that make ``applicant`` not eligible, in their order there: every
    deemed-large exclusion (※4), the missing business activity (※3), and the size reasons when neither
    the SME table nor the small-business table fits.  The other reasons (those saying the business *is*
    an SME, what was ignored) decide nothing.  Empty unless the outcome is ``"ineligible"``.  Raises
    ``ValueError`` as :func:`classify` does."""
    decision = classify(applicant)
    if decision.outcome != "ineligible":
        return ()
    sme, _sme_reasons = sme_size_test(applicant)
    small, _small_reasons = small_business_test(applicant)
    size_failed = sme is False and small is False
    return tuple(r for r in decision.reasons
                 if r.code.startswith("excluded_") or r.code == "no_business_activity"
                 or (size_failed and r.code in SIZE_OVER_CODES))
