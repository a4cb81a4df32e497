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
"""

from __future__ import annotations

import re
import unicodedata
from types import MappingProxyType

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
    "check_owner",
    "holder_matches",
    "search_key",
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
