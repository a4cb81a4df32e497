"""The bank account an honorarium is paid to (DOMAIN.md §6.1: "bank account (personal in principle;
corporate account with corporate number for one-person companies and supporter members)").

Transfers in Japan go through the Zengin system (全銀システム), whose transfer records fix the formats
checked here (design, in force from the system's start):

* bank code 4 digits, branch code 3 digits, account number 7 digits (shorter numbers are written with
  leading zeros, as bank books print them);
* the account holder (受取人名) in half-width katakana, upper-case Latin letters, digits, space and
  ``( ) . - / ,``; small kana are written large (ｯ -> ﾂ), the long vowel mark becomes ``-``; at most 30
  characters.

Every function raises ``ValueError`` with a Japanese message that says what to type instead.

Two helps for the person typing (issue 11 item 19):

* the Zengin tables name a bank without its kind (「北海道」, 「室蘭信金」); :func:`full_bank_name` gives the
  name people know (北海道銀行, 室蘭信用金庫), from the code's range and the table's abbreviations;
* a ゆうちょ銀行 bank book prints a 記号 (5 digits) and a 番号 (up to 8 digits), not the branch and account
  a transfer needs; :func:`yucho_account` converts them as Japan Post Bank publishes it: 通常貯金
  (記号 1xxx0): branch = the 2nd and 3rd digits of the 記号 + 8, account = the 番号 without its last
  digit (always 1), 7 digits with leading zeros, 普通; 振替口座 (記号 0xxxx): branch = the 3rd and 4th
  digits + 9, account = the 番号 in 7 digits, 当座.
"""

from __future__ import annotations

import re
import unicodedata
from types import MappingProxyType
from typing import NamedTuple

import jaconv

from dxapp.rules import normalize

__all__ = [
    "ACCOUNT_OWNERS",
    "ACCOUNT_TYPES",
    "HOLDER_MAX",
    "account_holder",
    "account_number",
    "bank_code",
    "branch_code",
    "YUCHO_BANK_CODE",
    "YuchoAccount",
    "check_owner",
    "full_bank_name",
    "holder_matches",
    "search_key",
    "yucho_account",
]

CITE_ACCOUNT = "DOMAIN.md §6.1 Expert: bank account; 全銀フォーマット（design）"

ACCOUNT_TYPES = MappingProxyType({"ordinary": "普通", "current": "当座", "savings": "貯蓄"})
ACCOUNT_OWNERS = MappingProxyType({"personal": "個人名義の口座", "corporate": "法人名義の口座"})
HOLDER_MAX = 30

_SMALL_TO_LARGE = str.maketrans("ｧｨｩｪｫｬｭｮｯ", "ｱｲｳｴｵﾔﾕﾖﾂ")
_LONG_VOWELS = str.maketrans({"ｰ": "-", "ー": "-", "－": "-", "‐": "-", "―": "-", "−": "-", "‑": "-"})
_HOLDER_CHARS = re.compile(r"[0-9A-Zｦ-ﾝﾞﾟ ().\-/,]+")
_HAS_NAME = re.compile(r"[A-Zｦ-ﾝ]")


def _digits(text: object, length: int, message: str) -> str:
    if not isinstance(text, str):
        raise ValueError(message)
    value = normalize.normalize_code(text)
    if not value.isdigit() or not value.isascii() or len(value) != length:
        raise ValueError(message)
    return value


def bank_code(text: str) -> str:
    """金融機関コード: 4 digits, typed in any width (「０００１」 -> "0001")."""
    return _digits(text, 4, "金融機関コードは4桁の数字で入力してください（例：0001）。分からないときは金融機関名で検索してください。")


def branch_code(text: str) -> str:
    """支店コード: 3 digits, typed in any width."""
    return _digits(text, 3, "支店コードは3桁の数字で入力してください（例：001）。分からないときは支店名で検索してください。")


def account_number(text: str) -> str:
    """口座番号: 7 digits.  Dashes and spaces are dropped; a number of 6 digits or fewer must be written
    with leading zeros (as the bank book shows it), so it is refused rather than guessed."""
    message = "口座番号は7桁の数字で入力してください。7桁に満たない場合は、先頭に0を付けて7桁にしてください（例：0123456）。"
    return _digits(text, 7, message)


def account_holder(text: str) -> str:
    """The holder's name as banks expect it (全銀 受取人名): hiragana, full-width or half-width katakana
    and Latin letters of any width are accepted; the result is half-width katakana with upper-case
    letters, small kana written large, the long vowel mark as ``-`` and single spaces.  Kanji or other
    characters raise ``ValueError``."""
    message = ("口座名義はカタカナで入力してください（例：ヤマダ タロウ、カ）ヤマダシヨウテン）。"
               "通帳やキャッシュカードに書かれている名義と同じにしてください。")
    if not isinstance(text, str):
        raise ValueError(message)
    value = text.strip()
    if not value:
        raise ValueError("口座名義を入力してください。")
    # Full-width first (this also joins a half-width kana and its separate voiced mark), then half-width.
    value = unicodedata.normalize("NFKC", jaconv.hira2kata(value))
    value = value.translate(_LONG_VOWELS)
    value = jaconv.z2h(value, kana=True, ascii=True, digit=True).upper()
    value = value.translate(_SMALL_TO_LARGE)
    value = " ".join(value.split())
    if not _HOLDER_CHARS.fullmatch(value) or not _HAS_NAME.search(value):
        raise ValueError(message)
    if len(value) > HOLDER_MAX:
        raise ValueError(f"口座名義は半角{HOLDER_MAX}文字以内で入力してください。長い場合は通帳の表記に合わせて省略してください。")
    return value


def search_key(text: str) -> str:
    """A name reduced for matching (bank and branch search, holder comparison): full-width katakana,
    no spaces, small kana written large, voiced marks kept."""
    value = unicodedata.normalize("NFKC", jaconv.hira2kata(text or ""))
    value = jaconv.h2z(value, kana=True, ascii=False, digit=False)
    value = value.translate(str.maketrans("ァィゥェォャュョッヮ", "アイウエオヤユヨツワ"))
    return "".join(value.split()).lower()


def holder_matches(holder: str, name_kana: str) -> bool:
    """A personal account must be in the expert's own name: the holder (as normalised by
    :func:`account_holder`) equals the furigana of the name, spaces and small kana aside."""
    try:
        return search_key(holder) == search_key(account_holder(name_kana))
    except ValueError:
        return False


def check_owner(owner: str, corporate_number: str | None) -> str | None:
    """Personal accounts in principle; a corporate account only with the corporation's 13-digit
    corporate number (one-person companies and staff of supporter corporations; DOMAIN.md §6.1).
    Returns the normalised corporate number for a corporate account, None for a personal one."""
    if owner not in ACCOUNT_OWNERS:
        raise ValueError("口座の名義（個人・法人）を選んでください。")
    if owner == "personal":
        return None
    if not (corporate_number or "").strip():
        raise ValueError("法人名義の口座には、その法人の法人番号（13桁）が必要です。")
    return normalize.corporate_number(corporate_number)


# ------------------------------------------------------------------------------------------- bank names

YUCHO_BANK_CODE = "9900"

#: The Zengin tables' abbreviations, longest first (「労金連」 before 「労金」), and what they stand for.
_ABBREVIATIONS = (
    ("信金中央金庫", "信金中央金庫"),
    ("農林中金", "農林中央金庫"),
    ("商工中金", "商工組合中央金庫"),
    ("全信組連", "全国信用協同組合連合会"),
    ("労金連", "労働金庫連合会"),
    ("信漁連", "信用漁業協同組合連合会"),
    ("信金", "信用金庫"),
    ("信組", "信用組合"),
    ("労金", "労働金庫"),
    ("信連", "信用農業協同組合連合会"),
    ("農協", "農業協同組合"),
    ("漁協", "漁業協同組合"),
    ("漁連", "漁業協同組合連合会"),
)


def full_bank_name(code: str, name: str) -> str:
    """The name people know a bank by, from the Zengin table's code and short name: 「北海道」 (0116) ->
    北海道銀行, 「みずほ」 -> みずほ銀行, 「ゆうちょ」 (9900) -> ゆうちょ銀行, 「室蘭信金」 -> 室蘭信用金庫,
    「北海道労金」 -> 北海道労働金庫, 「新庄市農協」 -> 新庄市農業協同組合.  Banks (codes below 1000) get
    「銀行」 unless the name already says what it is (「シティバンク、エヌ・エイ」)."""
    name = (name or "").strip()
    code = (code or "").strip()
    if not name:
        return name
    if code == YUCHO_BANK_CODE:
        return name if name.endswith("銀行") else f"{name}銀行"
    for short, full in _ABBREVIATIONS:
        if name.endswith(short):
            return name[: len(name) - len(short)] + full
    if code.isdigit() and code.isascii() and int(code) < 1000 and not name.endswith("銀行") \
            and "バンク" not in name and code != "0200":  # 0200: a funds-transfer company, not a bank
        return f"{name}銀行"
    return name


# ------------------------------------------------------------------------------------- ゆうちょ銀行 記号・番号

class YuchoAccount(NamedTuple):
    """What a transfer to a ゆうちょ銀行 account needs, from the bank book's 記号 and 番号."""

    branch_code: str  # 3 digits (the branch 〇一八 of 記号 10180)
    account_type: str  # "ordinary" (通常貯金) or "current" (振替口座)
    account_number: str  # 7 digits


def yucho_account(symbol: str, number: str) -> YuchoAccount:
    """The branch code, account type and account number of a ゆうちょ銀行 account from the 記号 and 番号
    printed in its bank book, typed in any width with or without dashes: 記号 10180, 番号 12345671 ->
    branch 018, ordinary, 1234567; 振替口座 00120-3-123456 (記号 00120, the check digit 3 optional) ->
    branch 129, current, 0123456."""
    symbol_text = normalize.normalize_code(symbol) if isinstance(symbol, str) else ""
    number_text = normalize.normalize_code(number) if isinstance(number, str) else ""
    if not symbol_text or not (symbol_text.isdigit() and symbol_text.isascii()):
        raise ValueError("記号は通帳に書かれている5桁の数字で入力してください（例：10180）。")
    if not number_text or not (number_text.isdigit() and number_text.isascii()):
        raise ValueError("番号は通帳に書かれている数字で入力してください（例：12345671）。")
    if symbol_text.startswith("1") and len(symbol_text) == 5:
        if len(number_text) > 8 or len(number_text) < 2 or not number_text.endswith("1"):
            raise ValueError("通常貯金の番号は、通帳に書かれている8桁までの数字（最後の数字は1）で入力してください"
                             "（例：12345671）。")
        return YuchoAccount(symbol_text[1:3] + "8", "ordinary", number_text[:-1].zfill(7))
    if symbol_text.startswith("0") and len(symbol_text) in (5, 6):  # 00120 or 00120-3 (with its check digit)
        if len(number_text) > 6:
            raise ValueError("振替口座の番号は、6桁までの数字で入力してください（例：123456）。")
        return YuchoAccount(symbol_text[2:4] + "9", "current", number_text.zfill(7))
    raise ValueError("記号は通帳に書かれている5桁の数字で入力してください（通常貯金は1で、振替口座は0で始まります）。")
