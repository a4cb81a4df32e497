"""The pure side of the review queues (dxapp/rules/review.py): extractors per kind, tolerant of missing
steps, keys normalised so that the same person, account, address or phone compares equal however it was
typed, and the reading of the search box."""

from __future__ import annotations

from datetime import date

import pytest

from dxapp.rules import review


def wizard_answers(**steps):
    return {"steps": {slug.replace("_", "-"): {"raw": {}, "data": data} for slug, data in steps.items()}}


def test_sme_fields_from_the_wizard_answers():
    answers = wizard_answers(
        business_details={"name": "株式会社 やまだ商店", "name_kana": "カブシキガイシャヤマダショウテン",
                          "corporate_number": "7000012050002", "representative_name": "山田　太郎"},
        address={"postal_code": "1000001", "prefecture": "東京都", "city": "千代田区", "street": "千代田1丁目1番",
                 "building": "", "phone": "+81312345678", "contact_email": "Yamada@Example.jp"})
    fields = review.sme_fields(answers)
    assert fields.display_name == "株式会社 やまだ商店" and fields.name_key == "株式会社やまだ商店"
    assert fields.kana_key == "カブシキガイシャヤマダショウテン"
    assert fields.corporate_number == "7000012050002" and fields.email == "yamada@example.jp"
    assert fields.phone_digits == "0312345678" and fields.prefecture == "東京都"
    assert fields.address_key == "東京都千代田区千代田1-1" and fields.representative_key == "山田太郎"
    assert fields.birth_date is None and fields.bank_key is None


def test_plain_answer_shape_and_missing_steps_are_tolerated():
    assert review.expert_fields({}) == review.IndexFields()
    assert review.supporter_fields(None, fallback_email="a@b.jp").email == "a@b.jp"
    plain = {"person": {"name": "佐藤 一郎", "birth_date": "1980-04-01"},
             "bank": {"bank_code": "1", "branch_code": "１", "account_type": "ordinary", "account_number": "123"}}
    fields = review.expert_fields(plain)
    assert fields.birth_date == date(1980, 4, 1) and fields.bank_key == "0001-001-ordinary-0000123"
    assert fields.representative_key == fields.name_key == "佐藤一郎"
    # Raw typed values are read when the data has none.
    raw = {"steps": {"person": {"raw": {"name": ["鈴木 花子"]}, "data": {}}}}
    assert review.expert_fields(raw).display_name == "鈴木 花子"
    assert review.expert_fields({"person": {"birth_date": "not a date"}}).birth_date is None


@pytest.mark.parametrize("typed", ["やまだ たろう", "ヤマダ　タロウ", "ﾔﾏﾀﾞ ﾀﾛｳ"])
def test_furigana_in_any_kana_is_one_key(typed):
    assert review.kana_key(typed) == "ヤマダタロウ"


@pytest.mark.parametrize("typed", ["本町1丁目2番3号", "本町１－２－３", "本町 1-2-3", "本町1ー2ー3"])
def test_address_written_in_any_way_is_one_key(typed):
    assert review.address_key("大阪府", "大阪市", typed) == "大阪府大阪市本町1-2-3"


@pytest.mark.parametrize("typed", ["03-1234-5678", "+81312345678", "０３（１２３４）５６７８"])
def test_phone_digits(typed):
    assert review.phone_digits(typed) == "0312345678"


def test_incomplete_bank_account_has_no_key():
    assert review.bank_key("0001", "", "ordinary", "1234567") is None


@pytest.mark.parametrize(("typed", "expected"), [
    ("c12345678", review.Query(reference="C12345678")),
    ("Yamada@Example.JP", review.Query(email="yamada@example.jp")),
    ("７０００－０１２", review.Query(digits="7000012")),
    ("やまだ", review.Query(name="やまだ", kana="ヤマダ")),
    ("山田", review.Query(name="山田")),
    ("  ", review.Query()),
])
def test_search_box(typed, expected):
    assert review.read_query(typed) == expected
