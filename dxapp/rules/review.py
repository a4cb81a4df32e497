"""What the secretariat searches and compares: one pure extractor per kind of application, from the
submitted answers to the searchable keys (issue "Secretariat", review queues; DOMAIN.md §7 fraud
signals), and the reading of what a clerk types into the search box.

The answers are the wizard's answer object (``{"steps": {slug: {"raw": ..., "data": {field: value}}}}``,
dxapp/wizard/__init__.py); a plain ``{slug: {field: value}}`` is read too, and a missing step or field is
simply None (the expert and supporter wizards may still be growing).  Keys are normalised the same way on
both sides of every comparison, so 「やまだ」, 「ヤマダ」 and 「ﾔﾏﾀﾞ」 find the same furigana, and
「千代田1丁目1番1号」 and 「千代田１−１−１」 are one address.  No Flask, no SQLAlchemy, no clock.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import date

import jaconv

from dxapp.rules.normalize import DASHES

KINDS = ("sme", "expert", "supporter")
#: The 47 prefectures in the order of JIS X 0401 (the queue filter lists them all).
PREFECTURES = ("北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県",
               "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県",
               "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県",
               "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県",
               "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県")

_DASH_TO_HYPHEN = str.maketrans(dict.fromkeys(DASHES + "\uff0d", "-"))
_ADDRESS_UNITS = re.compile(r"(丁目|番地|番|号)")
_REFERENCE = re.compile(r"[CES][0-9]{8}")
_KATAKANA = re.compile(r"[ァ-ヺー・]+")


@dataclass(frozen=True)
class IndexFields:
    """The denormalised columns of one application (dxapp/models/application.py)."""

    display_name: str | None = None
    name_key: str | None = None
    kana_key: str | None = None
    corporate_number: str | None = None
    email: str | None = None
    phone_digits: str | None = None
    prefecture: str | None = None
    birth_date: date | None = None
    bank_key: str | None = None
    address_key: str | None = None
    representative_key: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)

    def fitted(self) -> IndexFields:
        """Every text key cut to the length of its column (a 150-character name must not overflow the
        100 characters of ``representative_key`` on PostgreSQL)."""
        cut = {name: text[:LENGTHS[name]] or None for name, text in self.as_dict().items()
               if isinstance(text, str) and name in LENGTHS}
        return replace(self, **cut)


#: The length of each text column in dxapp/models/application.py (and migration 0008); a test keeps them
#: equal.
LENGTHS = {"display_name": 200, "name_key": 200, "kana_key": 200, "corporate_number": 13, "email": 254,
           "phone_digits": 20, "prefecture": 10, "bank_key": 40, "address_key": 400, "representative_key": 100}


# ----------------------------------------------------------------------------------------- reading

def value(answers: Mapping | None, slug: str, field: str):
    """One answer, tolerant of missing steps and of both answer shapes."""
    answers = answers or {}
    steps = answers.get("steps")
    if isinstance(steps, Mapping) and isinstance(steps.get(slug), Mapping):
        step = steps[slug]
        data = step.get("data") if isinstance(step.get("data"), Mapping) else None
        if data is not None and data.get(field) not in (None, ""):
            return data.get(field)
        raw = step.get("raw") if isinstance(step.get("raw"), Mapping) else {}
        typed = raw.get(field)
        if isinstance(typed, list):
            return typed[0] if typed and typed[0] != "" else None
        return typed if typed not in (None, "") else None
    step = answers.get(slug)
    if isinstance(step, Mapping):
        found = step.get(field)
        return found if found not in (None, "") else None
    return None


def _text(v) -> str | None:
    if v is None:
        return None
    text = str(v).strip()
    return text or None


# ----------------------------------------------------------------------------------------- normalising

def name_key(text) -> str | None:
    """A name for comparison and partial search: NFKC, no whitespace, case-folded (「山田 太郎」 and
    「山田　太郎」 are the same key)."""
    text = _text(text)
    if text is None:
        return None
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()[:200] or None


def kana_key(text) -> str | None:
    """Furigana for search: NFKC (half-width kana become full-width), hiragana to katakana, dashes after
    kana to 「ー」, no whitespace."""
    text = _text(text)
    if text is None:
        return None
    value_ = jaconv.hira2kata(unicodedata.normalize("NFKC", text))
    value_ = "".join(value_.split())
    value_ = re.sub(r"(?<=[ァ-ヺ])[-\u2010-\u2015\u2212\uff0d]", "ー", value_)
    return value_[:200] or None


def is_kana(text: str) -> bool:
    """True when the text is furigana only (after :func:`kana_key`)."""
    key = kana_key(text)
    return bool(key) and bool(_KATAKANA.fullmatch(key))


def digits(text) -> str:
    """Only the digits (any width) of the text."""
    text = _text(text)
    if text is None:
        return ""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isdigit())


def phone_digits(text) -> str | None:
    """A phone number as national digits: 「+81312345678」「03-1234-5678」「０３（１２３４）５６７８」 ->
    「0312345678」."""
    text = _text(text)
    if text is None:
        return None
    plain = unicodedata.normalize("NFKC", text).strip()
    number = digits(plain)
    if plain.startswith("+81") and number.startswith("81"):
        number = "0" + number[2:]
    return number[:20] or None


def corporate_number(text) -> str | None:
    number = digits(text)
    return number[:13] or None


def email(text) -> str | None:
    text = _text(text)
    return unicodedata.normalize("NFKC", text).lower()[:254] if text else None


def address_key(prefecture, city, street, building=None) -> str | None:
    """The full address for comparison: NFKC, no whitespace, every dash to 「-」 and 丁目・番地・番・号 as
    「-」 too (「千代田1丁目1番1号」 = 「千代田１−１−１」)."""
    parts = [_text(p) for p in (prefecture, city, street, building)]
    if not parts[2]:
        return None
    text = unicodedata.normalize("NFKC", "".join(p for p in parts if p)).translate(_DASH_TO_HYPHEN)
    text = "".join(text.split())
    text = _ADDRESS_UNITS.sub("-", text)
    text = re.sub(r"-{2,}", "-", text).strip("-")
    return text.casefold()[:400] or None


def bank_key(bank_code, branch_code, account_type, account_number) -> str | None:
    """「0001-001-ordinary-1234567」: one account, however it was typed; None when incomplete."""
    bank, branch, number = digits(bank_code), digits(branch_code), digits(account_number)
    if not (bank and branch and number):
        return None
    kind = _text(account_type) or "-"
    return f"{bank.zfill(4)}-{branch.zfill(3)}-{kind}-{number.zfill(7)}"[:40]


def birth_date(v) -> date | None:
    if isinstance(v, date):
        return v
    text = _text(v)
    if text is None:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _bank(answers) -> str | None:
    return bank_key(value(answers, "bank", "bank_code"), value(answers, "bank", "branch_code"),
                    value(answers, "bank", "account_type"), value(answers, "bank", "account_number"))


# ----------------------------------------------------------------------------------------- extractors

def _named(name: str | None) -> dict:
    """The display name and the name key of the applicant's name."""
    return {"display_name": name[:200] if name else None, "name_key": name_key(name)}


def _placed(answers: Mapping | None, slug: str) -> dict:
    """The prefecture and the address key of the address answered in step ``slug``."""
    prefecture, city, street, building = (value(answers, slug, f) for f in ("prefecture", "city", "street", "building"))
    return {"prefecture": (_text(prefecture) or "")[:10] or None,
            "address_key": address_key(prefecture, city, street, building)}


def _organisation(answers: Mapping | None, who: str, where: str, email_field: str,
                  fallback_email: str | None) -> dict:
    """The index fields of an organisation (an SME or a supporter corporation): its name, furigana,
    corporate number and representative answered in step ``who``, its contact and address in ``where``."""
    name = _text(value(answers, who, "name"))
    return {
        **_named(name), "kana_key": kana_key(value(answers, who, "name_kana")),
        "corporate_number": corporate_number(value(answers, who, "corporate_number")),
        "email": email(value(answers, where, email_field) or fallback_email),
        "phone_digits": phone_digits(value(answers, where, "phone")),
        **_placed(answers, where),
        "representative_key": name_key(value(answers, who, "representative_name")),
    }


def sme_fields(answers: Mapping | None, *, fallback_email: str | None = None) -> IndexFields:
    return IndexFields(**_organisation(answers, "business-details", "address", "contact_email", fallback_email))


def expert_fields(answers: Mapping | None, *, fallback_email: str | None = None) -> IndexFields:
    name = _text(value(answers, "person", "name"))
    return IndexFields(
        **_named(name), kana_key=kana_key(value(answers, "person", "name_kana")),
        email=email(value(answers, "person", "email") or fallback_email),
        phone_digits=phone_digits(value(answers, "person", "phone")),
        **_placed(answers, "person"),
        birth_date=birth_date(value(answers, "person", "birth_date")),
        bank_key=_bank(answers),
        # An expert represents themselves: compared with an SME's representative.
        representative_key=name_key(name),
    )


def supporter_fields(answers: Mapping | None, *, fallback_email: str | None = None) -> IndexFields:
    return IndexFields(**_organisation(answers, "corporation", "corporation", "email", fallback_email),
                       bank_key=_bank(answers))


EXTRACTORS = {"sme": sme_fields, "expert": expert_fields, "supporter": supporter_fields}


def fields_for(kind: str, answers: Mapping | None, *, fallback_email: str | None = None) -> IndexFields:
    return EXTRACTORS[kind](answers, fallback_email=fallback_email).fitted()


def expert_participation(answers: Mapping | None) -> tuple[str | None, int | None]:
    """(participation kind, supporter corporation id) of an expert's answers; an invited expert's preset
    (``_preset``) counts when the step itself is missing."""
    preset = (answers or {}).get("_preset")
    preset = preset if isinstance(preset, Mapping) else {}
    kind = _text(value(answers, "participation", "participation") or preset.get("participation"))
    organisation = value(answers, "participation", "supporter_organisation_id") or \
        preset.get("supporter_organisation_id")
    try:
        organisation_id = int(organisation) if organisation not in (None, "") else None
    except (TypeError, ValueError):
        organisation_id = None
    return kind, organisation_id


# ----------------------------------------------------------------------------------------- search box

@dataclass(frozen=True)
class Query:
    """What a clerk typed, read as what it can be: a reference number, an e-mail address, digits (a
    corporate number or a phone number, partial), or a name (and furigana when it is kana only)."""

    reference: str | None = None
    email: str | None = None
    digits: str | None = None
    name: str | None = None
    kana: str | None = None

    @property
    def empty(self) -> bool:
        return not any((self.reference, self.email, self.digits, self.name, self.kana))


def read_query(text: str | None) -> Query:
    text = (text or "").strip()
    if not text:
        return Query()
    plain = "".join(unicodedata.normalize("NFKC", text).split())
    upper = plain.upper()
    if _REFERENCE.fullmatch(upper):
        return Query(reference=upper)
    if "@" in plain:
        return Query(email=plain.lower())
    compact = plain.translate(_DASH_TO_HYPHEN).replace("-", "")
    if compact.isdigit():
        return Query(digits=compact)
    return Query(name=name_key(text), kana=kana_key(text) if is_kana(text) else None)
