"""Read what people type, liberally (UX.md "Japanese input: be liberal in what you accept").

Codes and numbers go through NFKC, every dash-like character (U+2010-2015, U+2212, U+30FC, U+FF70)
becomes ``-`` and separators are removed before they are validated.  Names are never NFKC'd (it would
turn 「㈱」 into 「(株)」).  Every function raises ``ValueError`` with a Japanese message that says what
to type instead.

These are the project's own input rules (UX.md, design), in force from the system's start; the formats
they check are fixed by law (法人番号 check digit: 法人番号の指定等に関する省令 第2条, since 2015-10-05;
元号: 昭和 from 1926-12-25, 平成 from 1989-01-08, 令和 from 2019-05-01).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType

import jaconv
import phonenumbers

from dxapp.rules import JST, require_aware

__all__ = [
    "ERAS",
    "corporate_number",
    "corporate_number_check_digit",
    "format_era_date",
    "format_yen",
    "furigana",
    "invoice_number",
    "normalize_code",
    "parse_count",
    "parse_era_date",
    "parse_yen",
    "phone",
    "postal_code",
]

CITE_INPUT = "UX.md Japanese input"

DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff70"
_TO_HYPHEN = str.maketrans(dict.fromkeys(DASHES, "-"))


def _text(value: object, message: str) -> str:
    if not isinstance(value, str):
        raise ValueError(message)
    return value


def _nfkc(text: str) -> str:
    """NFKC, then every dash-like character to ``-`` (U+FF70 and U+FF0D become U+30FC and ``-`` under
    NFKC already)."""
    return unicodedata.normalize("NFKC", text).translate(_TO_HYPHEN)


def _drop_spaces(text: str) -> str:
    return "".join(text.split())


def normalize_code(text: str, *, keep_dashes: bool = False) -> str:
    """A code as typed -> its canonical characters (UX.md "Japanese input"): NFKC, every dash-like
    character (U+2010-2015, U+2212, U+30FC, U+FF70) to ``-``, then the separators stripped: all
    whitespace, and the dashes too unless ``keep_dashes`` (then they stay as ``-``).
    「１２３－４５６７」 -> "1234567"."""
    value = _nfkc(_text(text, "番号を入力してください。"))
    value = _drop_spaces(value)
    return value if keep_dashes else value.replace("-", "")


# ---------------------------------------------------------------------------------------------------
# Amounts and counts
# ---------------------------------------------------------------------------------------------------

_YEN_EXAMPLE = "（例：300,000,000円、3億5000万円、五千万円）"
_YEN_HELP = f"金額を数字で入力してください{_YEN_EXAMPLE}。"
_GROUP_HELP = "万・億・兆の後ろの数は4桁までにしてください（例：3億5000万円、1万2345円）。"
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG_UNITS = {"万": 10**4, "億": 10**8, "兆": 10**12}
_KANJI_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}
_YEN_TOKEN = re.compile(r"[0-9]+(?:\.[0-9]+)?|[〇零一二三四五六七八九]+|[十百千万億兆]|.")
_GROUPED_COMMA = re.compile(r"(?<=[0-9]),(?=[0-9]{3}(?![0-9]))")


def _strip_grouping_commas(text: str, message: str) -> str:
    """Remove thousands separators; a comma anywhere else (「1,5億」) is an error, not a decimal."""
    stripped = _GROUPED_COMMA.sub("", text)
    if "," in stripped:
        raise ValueError(message)
    return stripped


# The largest amount the units can spell (9999兆9999億9999万9999円): an amount of thousands of digits
# is refused with a message instead of reaching a database column or the JSON of the answers.
MAX_YEN = 10**16


def parse_yen(text: str) -> int:
    """An amount of yen as typed -> int (UX.md "Japanese input": 「300,000,000」「３億円」「3億5000万円」
    「5千万」「1.5億」「三億円」).

    Accepts digits of any width, thousands commas (also 「，」), spaces, a leading ¥/￥, a trailing 円,
    the units 千/万/億/兆 in any combination (in descending order), a decimal only right before 千/万/
    億/兆, and the kanji numerals 〇一二三四五六七八九十百千.  "0" is 0.  Empty, negative, non-integral,
    ``MAX_YEN`` or more, or anything else raises ``ValueError``.
    """
    value = _drop_spaces(_nfkc(_text(text, _YEN_HELP)))
    if not value:
        raise ValueError(f"金額を入力してください{_YEN_EXAMPLE}。")
    value = value.removeprefix("¥").removesuffix("円")
    if value[:1] in ("-", "▲", "△"):
        raise ValueError("金額はマイナスにできません。0円以上の金額を入力してください。")
    if not value:
        raise ValueError(_YEN_HELP)
    value = _strip_grouping_commas(value, "桁区切りのカンマは3桁ごとに入れてください（例：1,234,567円）。")

    total = Decimal(0)
    section = Decimal(0)  # the part below the current 万/億/兆 group
    current: Decimal | None = None  # the number waiting for its unit
    current_has_point = False
    last_small: int | None = None
    last_big: int | None = None
    for piece in _YEN_TOKEN.findall(value):
        if piece[0] in "0123456789" or piece[0] in _KANJI_DIGITS:
            if current is not None:
                raise ValueError(_YEN_HELP)
            if piece[0] in _KANJI_DIGITS:
                current = Decimal("".join(str(_KANJI_DIGITS[c]) for c in piece))
                current_has_point = False
            else:
                current = Decimal(piece)
                current_has_point = "." in piece
            if last_small is not None and current >= last_small:
                raise ValueError(_YEN_HELP)
        elif piece in _SMALL_UNITS:
            unit = _SMALL_UNITS[piece]
            if last_small is not None and unit >= last_small:
                raise ValueError(_YEN_HELP)
            if current_has_point and piece != "千":
                raise ValueError("小数は「1.5億」「2.5千万」のように、千・万・億・兆の前だけに使えます。")
            section += (Decimal(1) if current is None else current) * unit
            current, current_has_point, last_small = None, False, unit
        elif piece in _BIG_UNITS:
            unit = _BIG_UNITS[piece]
            if last_big is not None and unit >= last_big:
                raise ValueError("単位は「3億5000万」のように大きい順に書いてください。")
            if current is None and last_small is None:
                raise ValueError(f"「{piece}」の前に数字を入れてください{_YEN_EXAMPLE}。")
            group = section + (current or 0)
            if last_big is not None and group >= 10_000:
                raise ValueError(_GROUP_HELP)
            total += group * unit
            section, current, current_has_point, last_small, last_big = Decimal(0), None, False, None, unit
        else:
            raise ValueError(_YEN_HELP)
    if current_has_point:
        raise ValueError("小数は「1.5億」のように単位の前だけに使えます。円単位の整数で入力してください。")
    group = section + (current or 0)
    if last_big is not None and group >= 10_000:
        raise ValueError(_GROUP_HELP)
    total += group
    if total != total.to_integral_value():
        raise ValueError("金額が1円未満の端数になります。円単位の整数になるように入力してください。")
    if total >= MAX_YEN:
        raise ValueError("金額が大きすぎます。9999兆9999億9999万9999円までの金額を入力してください。")
    return int(total)


def format_yen(amount: int) -> str:
    """int yen -> 「1,234,567円」 (what the check-answers page echoes; :func:`parse_yen` reads it back)."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValueError("金額は円単位の整数で指定してください。")
    return f"{amount:,}円"


def parse_count(text: str) -> int:
    """A head count as typed -> int: whole non-negative numbers, any-width digits, thousands commas, an
    optional trailing 人 or 名 (UX.md "Japanese input").  Empty or anything else raises ``ValueError``."""
    message = "人数を0以上の整数で入力してください（例：12人）。"
    value = _drop_spaces(_nfkc(_text(text, message)))
    if not value:
        raise ValueError("人数を入力してください（例：12人）。0人の場合は0と入力してください。")
    value = value.removesuffix("人").removesuffix("名")
    if value.startswith("-"):
        raise ValueError("人数はマイナスにできません。0以上の整数で入力してください。")
    value = _strip_grouping_commas(value, message)
    if not re.fullmatch(r"[0-9]+", value):
        raise ValueError(message)
    if len(value.lstrip("0")) > 10:
        raise ValueError("人数が大きすぎます。10桁までの整数で入力してください。")
    return int(value)


# ---------------------------------------------------------------------------------------------------
# Codes
# ---------------------------------------------------------------------------------------------------


def corporate_number_check_digit(base12: str) -> int:
    """The check digit of a corporate number (法人番号, 法人番号の指定等に関する省令 第2条; UX.md):
    9 - (sum of Pn x Qn over the 12 base digits counted from the right, Qn = 1 for odd n and 2 for
    even n) mod 9.  It is the FIRST (leftmost) of the 13 digits."""
    if not re.fullmatch(r"[0-9]{12}", base12):
        raise ValueError("法人番号の基礎番号は12桁の数字で指定してください。")
    total = sum(int(digit) * (1 if n % 2 else 2) for n, digit in enumerate(reversed(base12), start=1))
    return 9 - total % 9


def _thirteen_digits(digits: str, what: str) -> str:
    if not re.fullmatch(r"[0-9]+", digits):
        raise ValueError(f"{what}は数字だけで入力してください（ハイフンや空白は入れても構いません）。")
    if len(digits) != 13:
        raise ValueError(f"{what}は13桁の数字で入力してください（入力された数字は{len(digits)}桁です）。")
    if int(digits[0]) != corporate_number_check_digit(digits[1:]):
        raise ValueError(f"{what}の確認用の数字（先頭の1桁）が合いません。書類を見ながら、もう一度入力してください。")
    return digits


def corporate_number(text: str) -> str:
    """法人番号 -> 13 digits (UX.md "Japanese input"): NFKC, dashes and spaces removed, exactly 13 digits
    whose first digit is the check digit (:func:`corporate_number_check_digit`)."""
    digits = normalize_code(_text(text, "法人番号を入力してください。"))
    if not digits:
        raise ValueError("法人番号（13桁）を入力してください。")
    return _thirteen_digits(digits, "法人番号")


def invoice_number(text: str) -> str:
    """適格請求書発行事業者登録番号 -> ``T`` + 13 digits, the digits carrying the same check digit as a
    corporate number (UX.md "Japanese input").  A lower-case or full-width ｔ is accepted."""
    value = normalize_code(_text(text, "登録番号を入力してください。")).upper()
    if not value:
        raise ValueError("登録番号（Tと13桁の数字）を入力してください。")
    if not value.startswith("T"):
        raise ValueError("登録番号は「T」に続けて13桁の数字で入力してください（例：T1234567890123）。")
    return "T" + _thirteen_digits(value[1:], "登録番号の数字部分")


def postal_code(text: str) -> str:
    """郵便番号 -> 7 digits (UX.md "Japanese input"): accepts 〒, any width and any dash."""
    value = normalize_code(_text(text, "郵便番号を入力してください。")).removeprefix("〒")
    if not value:
        raise ValueError("郵便番号を入力してください（例：100-0013）。")
    if not re.fullmatch(r"[0-9]{7}", value):
        raise ValueError("郵便番号は7桁の数字で入力してください（例：100-0013）。")
    return value


def phone(text: str) -> str:
    """A Japanese phone number -> E.164 (``+81...``), parsed with ``phonenumbers`` (UX.md "Japanese
    input": one field, stored E.164)."""
    message = "電話番号を市外局番から入力してください（例：03-1234-5678、090-1234-5678）。"
    value = normalize_code(_text(text, message), keep_dashes=True)
    if not value:
        raise ValueError("電話番号を入力してください（例：03-1234-5678）。")
    try:
        number = phonenumbers.parse(value, "JP")
    except phonenumbers.NumberParseException:
        raise ValueError(message) from None
    if number.country_code != 81:
        raise ValueError("日本国内の電話番号を入力してください（例：03-1234-5678）。")
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"この電話番号は使われていない形式です。{message}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(stored: str | None) -> str:
    """A stored phone number (E.164, ``+81312345678``) in the national format people read
    (``03-1234-5678``, ``090-1234-5678``, ``0120-123-456``): the area-code length comes from
    ``phonenumbers``' Japanese numbering plan, not a fixed split.  Anything that is not a valid
    Japanese number (an old row, a blank) is returned unchanged."""
    value = (stored or "").strip()
    if not value:
        return value
    try:
        number = phonenumbers.parse(value, "JP")
    except phonenumbers.NumberParseException:
        return value
    if number.country_code != 81 or not phonenumbers.is_valid_number(number):
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


# ---------------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------------

_KATAKANA_WORD = re.compile(r"[ァ-ヺ][ァ-ヺー]*")
_LONG_VOWEL_LIKE = str.maketrans(dict.fromkeys("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d\uff70", "ー"))


def furigana(text: str) -> str:
    """Furigana -> full-width katakana (UX.md "Japanese input", via ``jaconv``): hiragana and half-width
    kana become full-width katakana; a dash typed after a kana becomes 「ー」.  Surrounding whitespace is
    trimmed; one space (half- or full-width, kept as typed) may separate names.  Anything else raises
    ``ValueError``.  Not NFKC'd (names are kept as typed)."""
    message = "フリガナはカタカナ（ひらがなも可）で入力してください。姓と名の間は空白を1つ入れてください。"
    value = _text(text, message).strip()
    if not value:
        raise ValueError("フリガナを入力してください。")
    value = jaconv.hira2kata(jaconv.h2z(value, kana=True, ascii=False, digit=False))
    words = re.split(r"([ \u3000])", value)
    out: list[str] = []
    for index, part in enumerate(words):
        if index % 2:  # a separator
            out.append(part)
            continue
        if not part:  # two separators in a row
            raise ValueError(message)
        head, tail = part[0], part[1:].translate(_LONG_VOWEL_LIKE)
        word = head + tail
        if not _KATAKANA_WORD.fullmatch(word):
            raise ValueError(message)
        out.append(word)
    return "".join(out)


# ---------------------------------------------------------------------------------------------------
# Dates with eras
# ---------------------------------------------------------------------------------------------------

#: era code -> (Japanese name, first day, last day or None while it lasts).
ERAS = MappingProxyType({
    "showa": ("昭和", date(1926, 12, 25), date(1989, 1, 7)),
    "heisei": ("平成", date(1989, 1, 8), date(2019, 4, 30)),
    "reiwa": ("令和", date(2019, 5, 1), None),
})
_ERA_ALIASES = {"western": "western", "西暦": "western"} | {code: code for code in ERAS} | {
    name: code for code, (name, _start, _end) in ERAS.items()}


def _whole(value: object, what: str, suffix: str, *, allow_gan: bool = False) -> int:
    message = f"{what}を数字で入力してください。"
    if isinstance(value, bool):
        raise ValueError(message)
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = _drop_spaces(unicodedata.normalize("NFKC", value)).removesuffix(suffix)
        if allow_gan and text == "元":
            return 1
        if re.fullmatch(r"[0-9]+", text):
            if len(text.lstrip("0")) > 9:  # no date has such a 年, 月 or 日; int() would take any size
                raise ValueError("存在しない日付です。年・月・日を確かめてください。")
            return int(text)
    raise ValueError(message)


def parse_era_date(era: str, year: int | str, month: int | str, day: int | str) -> date:
    """年/月/日 boxes with an era -> date (UX.md "Japanese input").  ``era`` is ``western``, ``reiwa``,
    ``heisei`` or ``showa`` (or 西暦/令和/平成/昭和); ``year`` an int or 「元」 (= 1, eras only).
    A date outside its era (平成31年5月1日, 令和元年4月30日) or a date that does not exist raises
    ``ValueError``.  Eras: 昭和 1926-12-25 to 1989-01-07, 平成 1989-01-08 to 2019-04-30, 令和 from
    2019-05-01."""
    code = _ERA_ALIASES.get(era) if isinstance(era, str) else None
    if code is None:
        raise ValueError("年の種類を西暦・令和・平成・昭和から選んでください。")
    number = _whole(year, "年", "年", allow_gan=code != "western")
    m = _whole(month, "月", "月")
    d = _whole(day, "日", "日")
    if number < 1:
        raise ValueError("年は1以上の数字で入力してください（元年は1または「元」）。")
    if code == "western":
        gregorian = number
    else:
        name, start, _end = ERAS[code]
        gregorian = start.year - 1 + number
    try:
        result = date(gregorian, m, d)
    except (ValueError, OverflowError):  # OverflowError: a year of more digits than a C int holds
        raise ValueError("存在しない日付です。年・月・日を確かめてください。") from None
    if code != "western":
        name, start, end = ERAS[code]
        if result < start or (end is not None and result > end):
            until = f"{end.year}年{end.month}月{end.day}日" if end else ""
            raise ValueError(
                f"{name}{_era_year(number)}年{m}月{d}日は{name}の期間"
                f"（{start.year}年{start.month}月{start.day}日〜{until}）にありません。元号と年を確かめてください。"
            )
    return result


def _era_year(number: int) -> str:
    return "元" if number == 1 else str(number)


def format_era_date(d: date) -> str:
    """date -> 「2019年5月1日（令和元年）」: the western date and the era year (UX.md "Japanese input";
    dates before 昭和 show the western date only)."""
    if isinstance(d, datetime):
        d = require_aware(d, "日時").astimezone(JST).date()
    elif not isinstance(d, date):
        raise ValueError("日付を指定してください。")
    western = f"{d.year}年{d.month}月{d.day}日"
    for name, start, end in ERAS.values():
        if start <= d and (end is None or d <= end):
            return f"{western}（{name}{_era_year(d.year - start.year + 1)}年）"
    return western
