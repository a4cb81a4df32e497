"""What users type: UX.md "Japanese input: be liberal in what you accept"."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.jp import cn as stdnum_cn

from dxapp.rules.normalize import (
    corporate_number,
    corporate_number_check_digit,
    format_era_date,
    format_phone,
    format_yen,
    furigana,
    invoice_number,
    normalize_code,
    parse_count,
    parse_era_date,
    parse_yen,
    phone,
    postal_code,
)
from tests.fixtures.rules import raises_japanese

YEN_OK = [
    ("300,000,000", 300_000_000),
    ("３億円", 300_000_000),
    ("3億5000万円", 350_000_000),
    ("5千万", 50_000_000),
    ("1.5億", 150_000_000),
    ("三億円", 300_000_000),
    ("五千万円", 50_000_000),
    ("0", 0),
    ("〇円", 0),
    ("￥1，234，567円", 1_234_567),
    ("¥ 1 234 567", 1_234_567),
    ("１２３４５６７", 1_234_567),
    ("1万2,345円", 12_345),
    ("3億5千万円", 350_000_000),
    ("2.5千万", 25_000_000),
    ("1.5千", 1_500),
    ("15000万円", 150_000_000),
    ("1兆2億3万4", 1_000_200_030_004),
    ("千", 1_000),
    ("百万円", 1_000_000),
    ("一千万", 10_000_000),
    ("三百五十万円", 3_500_000),
    ("二〇〇万円", 2_000_000),
    ("九千九百九十九万九千九百九十九", 99_999_999),
    ("  5,000円 ", 5_000),
]


@pytest.mark.parametrize(("text", "amount"), YEN_OK, ids=[f"UX-amounts-{t.strip()}" for t, _ in YEN_OK])
def test_parse_yen_accepts(text, amount):
    """UX.md: amounts in any width, with commas, ¥/円, 千万億兆, decimals before a unit, kanji numerals."""
    assert parse_yen(text) == amount


YEN_BAD = [
    ("", "入力してください"),
    ("   ", "入力してください"),
    ("-100", "マイナス"),
    ("−100円", "マイナス"),
    ("▲100", "マイナス"),
    ("1.5", "小数"),
    ("1.5円", "小数"),
    ("1.23456万", "端数"),
    ("1,5億", "カンマ"),
    ("12,34", "カンマ"),
    ("万", "前に数字"),
    ("億円", "前に数字"),
    ("3万2億", "大きい順"),
    ("1万20000", "4桁"),
    ("abc", "数字"),
    ("約100万", "数字"),
    ("5五", "数字"),
    ("千千", "数字"),
    ("1.5百", "小数"),
    ("円", "数字"),
    ("¥", "数字"),
]


@pytest.mark.parametrize(("text", "match"), YEN_BAD, ids=[f"UX-amounts-reject-{t!r}" for t, _ in YEN_BAD])
def test_parse_yen_rejects(text, match):
    """Issue 3: empty, negative, non-integral or anything else raises ValueError (Japanese)."""
    with raises_japanese(match):
        parse_yen(text)


@pytest.mark.parametrize("value", [None, 100, b"100"], ids=["UX-none", "UX-int", "UX-bytes"])
def test_parse_yen_needs_text(value):
    """parse_yen reads what was typed (a str)."""
    with raises_japanese():
        parse_yen(value)


def test_format_yen():
    """UX.md: echo amounts back as 「300,000,000円」."""
    assert format_yen(300_000_000) == "300,000,000円"
    assert format_yen(0) == "0円"
    with raises_japanese():
        format_yen(1.5)


@given(st.integers(min_value=0, max_value=10**16 - 1))  # MAX_YEN and above are refused (issue 11 item 23)
def test_property_parse_yen_reads_back_formatted_amounts(amount):
    """Issue 3 property (UX.md): parse_yen reads back every amount formatted as 「1,234,567円」, and the
    plain and full-width digits too."""
    assert parse_yen(format_yen(amount)) == amount
    assert parse_yen(str(amount)) == amount
    assert parse_yen(str(amount).translate(str.maketrans("0123456789", "０１２３４５６７８９"))) == amount


@given(st.integers(min_value=1, max_value=9999), st.integers(min_value=0, max_value=9999))
def test_property_oku_man_notation(oku, man):
    """UX.md: 「3億5000万円」 style amounts."""
    assert parse_yen(f"{oku}億{man}万円") == oku * 10**8 + man * 10**4


COUNT_OK = [("12", 12), ("０", 0), ("１２人", 12), ("1,200名", 1200), (" 300 人", 300)]


@pytest.mark.parametrize(("text", "count"), COUNT_OK, ids=[f"UX-count-{t.strip()}" for t, _ in COUNT_OK])
def test_parse_count_accepts(text, count):
    """Issue 3: whole non-negative numbers, 人/名, any width, commas."""
    assert parse_count(text) == count


@pytest.mark.parametrize("text", ["", "  ", "-1", "1.5", "十人", "約10人", "1,2"], ids=lambda t: f"UX-count-reject-{t!r}")
def test_parse_count_rejects(text):
    """Issue 3: empty or anything but a whole non-negative number raises ValueError (Japanese)."""
    with raises_japanese():
        parse_count(text)


@pytest.mark.parametrize(("text", "code"), [
    pytest.param("１２３－４５６７", "1234567", id="UX-codes-fullwidth-dash"),
    *[pytest.param(f"123{dash}4567", "1234567", id=f"UX-codes-dash-U+{ord(dash):04X}")
      for dash in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff70\uff0d-"],
    pytest.param(" 12 34\u300056 ", "123456", id="UX-codes-spaces"),
])
def test_normalize_code(text, code):
    """UX.md: NFKC, every dash-like character to '-', separators stripped."""
    assert normalize_code(text) == code


def test_normalize_code_can_keep_dashes():
    """UX.md: dash-like characters all become '-' when kept."""
    assert normalize_code("03ー1234−5678", keep_dashes=True) == "03-1234-5678"


CORPORATE_OK = ["5835678256246", "5-8356-7825-6246", "５８３５６７８２５６２４６", "5835 6782 56246", "7000012050002"]


@pytest.mark.parametrize("text", CORPORATE_OK, ids=[f"UX-corporate-number-{t}" for t in CORPORATE_OK])
def test_corporate_number_accepts(text):
    """UX.md: 13 digits, the first being the check digit; dashes and spaces and any width accepted."""
    digits = corporate_number(text)
    assert len(digits) == 13 and stdnum_cn.is_valid(digits)


@pytest.mark.parametrize(("text", "match"), [
    pytest.param("", "入力してください", id="UX-corporate-number-empty"),
    pytest.param("583567825624", "13桁", id="UX-corporate-number-12-digits"),
    pytest.param("58356782562460", "13桁", id="UX-corporate-number-14-digits"),
    pytest.param("4835678256246", "確認用", id="UX-corporate-number-wrong-check-digit"),
    pytest.param("583567825624X", "数字だけ", id="UX-corporate-number-letter"),
])
def test_corporate_number_rejects(text, match):
    """UX.md: wrong length or check digit raises ValueError (Japanese)."""
    with raises_japanese(match):
        corporate_number(text)


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_property_check_digit_agrees_with_stdnum(base):
    """UX.md: check digit = 9 - (sum Pn x Qn mod 9), as stdnum.jp.cn computes it."""
    digit = corporate_number_check_digit(base)
    assert str(digit) == stdnum_cn.calc_check_digit(base)
    assert corporate_number(f"{digit}{base}") == f"{digit}{base}"


@pytest.mark.parametrize(("text", "number"), [
    pytest.param("T5835678256246", "T5835678256246", id="UX-invoice-number"),
    pytest.param("ｔ５８３５-６７８２-５６２４６", "T5835678256246", id="UX-invoice-number-fullwidth-lowercase"),
])
def test_invoice_number_accepts(text, number):
    """UX.md: T + 13 digits with the corporate-number check digit."""
    assert invoice_number(text) == number


@pytest.mark.parametrize(("text", "match"), [
    pytest.param("5835678256246", "T", id="UX-invoice-number-without-T"),
    pytest.param("T4835678256246", "確認用", id="UX-invoice-number-wrong-check-digit"),
    pytest.param("T583567825624", "13桁", id="UX-invoice-number-short"),
    pytest.param("", "入力してください", id="UX-invoice-number-empty"),
])
def test_invoice_number_rejects(text, match):
    """UX.md: anything but T + 13 valid digits raises ValueError (Japanese)."""
    with raises_japanese(match):
        invoice_number(text)


@pytest.mark.parametrize("text", ["100-0013", "〒100-0013", "〒１００ー００１３", "1000013", "100 0013", "１００−００１３"],
                         ids=lambda t: f"UX-postal-code-{t}")
def test_postal_code_accepts(text):
    """UX.md: 7 digits, with 〒, any width, any dash."""
    assert postal_code(text) == "1000013"


@pytest.mark.parametrize("text", ["", "100-001", "100-00133", "〒ABC-DEFG"], ids=lambda t: f"UX-postal-code-reject-{t!r}")
def test_postal_code_rejects(text):
    """UX.md: anything but 7 digits raises ValueError (Japanese)."""
    with raises_japanese():
        postal_code(text)


@pytest.mark.parametrize(("text", "e164"), [
    pytest.param("03-1234-5678", "+81312345678", id="UX-phone-tokyo"),
    pytest.param("０９０ー１２３４ー５６７８", "+819012345678", id="UX-phone-mobile-fullwidth-chouon"),
    pytest.param("(06) 6123 4567", "+81661234567", id="UX-phone-osaka-parentheses"),
    pytest.param("+81 3-1234-5678", "+81312345678", id="UX-phone-international-form"),
    pytest.param("0120−123−456", "+81120123456", id="UX-phone-freedial-minus-sign"),
])
def test_phone_accepts(text, e164):
    """UX.md: parsed with phonenumbers, stored E.164."""
    assert phone(text) == e164


@pytest.mark.parametrize("text", ["", "1234", "電話", "+1 202-555-0143", "03-1234-56789"], ids=lambda t: f"UX-phone-reject-{t!r}")
def test_phone_rejects(text):
    """UX.md: numbers that are not valid Japanese numbers raise ValueError (Japanese)."""
    with raises_japanese():
        phone(text)


@pytest.mark.parametrize(("text", "kana"), [
    pytest.param("やまだ たろう", "ヤマダ タロウ", id="UX-furigana-hiragana"),
    pytest.param("やまだ　たろう", "ヤマダ　タロウ", id="UX-furigana-fullwidth-space-kept"),
    pytest.param("ﾔﾏﾀﾞ ﾀﾛｰ", "ヤマダ タロー", id="UX-furigana-halfwidth-kana"),
    pytest.param("  カブシキガイシャ ", "カブシキガイシャ", id="UX-furigana-trimmed"),
    pytest.param("ゔぁいおりん", "ヴァイオリン", id="UX-furigana-small-kana"),
    pytest.param("ロ−ソン", "ローソン", id="UX-furigana-minus-sign-after-kana-is-long-vowel"),
])
def test_furigana_accepts(text, kana):
    """UX.md: hiragana and half-width kana become full-width katakana (jaconv)."""
    assert furigana(text) == kana


@pytest.mark.parametrize("text", ["", "   ", "山田", "ヤマダ1", "yamada", "ヤマダ  タロウ", "ヤマダ・タロウ", "ー ヤマダ"],
                         ids=lambda t: f"UX-furigana-reject-{t!r}")
def test_furigana_rejects(text):
    """Issue 3: anything but katakana, 「ー」 and one space between names raises ValueError (Japanese)."""
    with raises_japanese():
        furigana(text)


HIRAGANA = "あいうえおかきくけこがぎぐげごさしすせそっゃゅょをんゔ"


@given(st.sampled_from(HIRAGANA), st.text(alphabet=HIRAGANA + "ー", max_size=12))
def test_property_furigana_of_hiragana_is_katakana(first, rest):
    """UX.md: any hiragana reading is accepted as katakana of the same length."""
    text = first + rest
    result = furigana(text)
    assert len(result) == len(text)
    assert all("ァ" <= c <= "ヺ" or c == "ー" for c in result)


ERA_OK = [
    ("western", 2021, 9, 30, date(2021, 9, 30), "UX-dates-western"),
    ("reiwa", "元", 5, 1, date(2019, 5, 1), "UX-dates-reiwa-gannen-first-day"),
    ("reiwa", 1, 5, 1, date(2019, 5, 1), "UX-dates-reiwa-1-first-day"),
    ("reiwa", 3, 9, 30, date(2021, 9, 30), "UX-dates-reiwa-3"),
    ("heisei", 31, 4, 30, date(2019, 4, 30), "UX-dates-heisei-last-day"),
    ("heisei", "元", 1, 8, date(1989, 1, 8), "UX-dates-heisei-first-day"),
    ("showa", 64, 1, 7, date(1989, 1, 7), "UX-dates-showa-last-day"),
    ("showa", "元", 12, 25, date(1926, 12, 25), "UX-dates-showa-first-day"),
    ("令和", "３年", "９月", "30日", date(2021, 9, 30), "UX-dates-japanese-labels-and-fullwidth"),
    ("western", 2020, 2, 29, date(2020, 2, 29), "UX-dates-leap-day"),
]


@pytest.mark.parametrize(("era", "year", "month", "day", "expected"), [c[:5] for c in ERA_OK], ids=[c[5] for c in ERA_OK])
def test_parse_era_date_accepts(era, year, month, day, expected):
    """UX.md: 年/月/日 with an optional era (西暦/令和/平成/昭和, 元 = 1)."""
    assert parse_era_date(era, year, month, day) == expected


ERA_BAD = [
    ("heisei", 31, 5, 1, "平成", "UX-dates-heisei-31-may-1-after-era"),
    ("reiwa", "元", 4, 30, "令和", "UX-dates-reiwa-gannen-april-30-before-era"),
    ("showa", 64, 1, 8, "昭和", "UX-dates-showa-64-jan-8-after-era"),
    ("heisei", 1, 1, 7, "平成", "UX-dates-heisei-1-jan-7-before-era"),
    ("showa", 1, 12, 24, "昭和", "UX-dates-showa-1-dec-24-before-era"),
    ("western", "元", 1, 1, "年", "UX-dates-western-gannen"),
    ("western", 2021, 2, 29, "存在しない", "UX-dates-not-a-leap-year"),
    ("reiwa", 0, 5, 1, "1以上", "UX-dates-year-zero"),
    ("meiji", 1, 1, 1, "西暦・令和・平成・昭和", "UX-dates-unknown-era"),
    ("reiwa", 3, 13, 1, "存在しない", "UX-dates-month-13"),
    ("reiwa", "三", 1, 1, "年", "UX-dates-kanji-year"),
    ("reiwa", True, 1, 1, "年", "UX-dates-bool-year"),
]


@pytest.mark.parametrize(("era", "year", "month", "day", "match"), [c[:5] for c in ERA_BAD], ids=[c[5] for c in ERA_BAD])
def test_parse_era_date_rejects(era, year, month, day, match):
    """Issue 3: a date outside its era (平成31年5月1日, 令和元年4月30日) or that does not exist raises."""
    with raises_japanese(match):
        parse_era_date(era, year, month, day)


@pytest.mark.parametrize(("value", "text"), [
    pytest.param(date(2019, 5, 1), "2019年5月1日（令和元年）", id="UX-dates-format-reiwa-gannen"),
    pytest.param(date(2019, 4, 30), "2019年4月30日（平成31年）", id="UX-dates-format-heisei-31"),
    pytest.param(date(1989, 1, 7), "1989年1月7日（昭和64年）", id="UX-dates-format-showa-64"),
    pytest.param(date(1989, 1, 8), "1989年1月8日（平成元年）", id="UX-dates-format-heisei-gannen"),
    pytest.param(date(2021, 9, 30), "2021年9月30日（令和3年）", id="UX-dates-format-reiwa-3"),
    pytest.param(date(1926, 12, 24), "1926年12月24日", id="UX-dates-format-before-showa"),
])
def test_format_era_date(value, text):
    """UX.md: show both forms on the check page: 2019年5月1日（令和元年）."""
    assert format_era_date(value) == text


@given(st.dates(min_value=date(1926, 12, 25), max_value=date(2100, 12, 31)))
def test_property_era_round_trip(d):
    """UX.md: every date since 昭和 reads back from its era form."""
    era_part = format_era_date(d).split("（")[1].rstrip("）")
    names = {"昭和": "showa", "平成": "heisei", "令和": "reiwa"}
    era, year = era_part[:2], era_part[2:].removesuffix("年")
    assert parse_era_date(names[era], year, d.month, d.day) == d
    assert parse_era_date("western", d.year, d.month, d.day) == d


@pytest.mark.parametrize(("stored", "shown"), [
    ("+81312345678", "03-1234-5678"),      # Tokyo: a 2-digit area code
    ("+819012345678", "090-1234-5678"),    # mobile
    ("+81471234567", "04-7123-4567"),      # Kashiwa: area code 04-7
    ("+81118123456", "011-812-3456"),      # Sapporo: a 3-digit area code
    ("+81120123456", "0120-123-456"),      # toll free
    ("", ""),
    ("not a phone", "not a phone"),        # an old row is shown as it is
])
def test_format_phone_national(stored, shown):
    assert format_phone(stored) == shown


def test_format_phone_round_trips_what_phone_stores():
    assert format_phone(phone("０３（１２３４）５６７８")) == "03-1234-5678"
