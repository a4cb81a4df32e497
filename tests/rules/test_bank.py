"""dxapp.rules.bank: account codes, holder names as banks expect them, personal and corporate accounts."""

import pytest

from dxapp.rules import bank


@pytest.mark.parametrize(("typed", "expected"), [
    ("1234567", "1234567"), ("１２３４５６７", "1234567"), ("123-4567", "1234567"), (" 0123456 ", "0123456"),
])
def test_account_number_good(typed, expected):
    assert bank.account_number(typed) == expected


@pytest.mark.parametrize("typed", ["123456", "12345678", "12a4567", "", "１２３４５６", None, "１２３４５６７８"])
def test_account_number_bad(typed):
    with pytest.raises(ValueError, match="7桁"):
        bank.account_number(typed)


@pytest.mark.parametrize(("parser", "good", "bad"), [
    (bank.bank_code, ("0001", "０００５", "9900"), ("001", "00001", "abcd")),
    (bank.branch_code, ("001", "１２３"), ("01", "0001", "x01")),
])
def test_codes(parser, good, bad):
    for typed in good:
        assert len(parser(typed)) == len(good[0])
    for typed in bad:
        with pytest.raises(ValueError):
            parser(typed)


@pytest.mark.parametrize(("typed", "expected"), [
    ("やまだ たろう", "ﾔﾏﾀﾞ ﾀﾛｳ"),
    ("ヤマダ　タロウ", "ﾔﾏﾀﾞ ﾀﾛｳ"),
    ("ﾔﾏﾀﾞ ﾀﾛｳ", "ﾔﾏﾀﾞ ﾀﾛｳ"),
    ("ﾔﾏﾀ\uff9e  ﾀﾛｳ", "ﾔﾏﾀﾞ ﾀﾛｳ"),  # a separate voiced mark and two spaces
    ("かぶしきがいしゃ", "ｶﾌﾞｼｷｶﾞｲｼﾔ"),  # small kana written large
    ("カ)やまだしょうてん", "ｶ)ﾔﾏﾀﾞｼﾖｳﾃﾝ"),
    ("すずき　けーこ", "ｽｽﾞｷ ｹ-ｺ"),  # the long vowel mark as a hyphen
    ("yamada taro", "YAMADA TARO"),
    ("ＡＢＣ（カ", "ABC(ｶ"),
])
def test_holder_normalised(typed, expected):
    assert bank.account_holder(typed) == expected


@pytest.mark.parametrize("typed", ["山田 太郎", "", "   ", "ヤマダ★", "123", "ア" * 31])
def test_holder_refused(typed):
    with pytest.raises(ValueError):
        bank.account_holder(typed)


def test_holder_of_thirty_characters_is_kept():
    assert len(bank.account_holder("ア" * 30)) == 30


def test_holder_matches_the_furigana():
    assert bank.holder_matches("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ タロウ")
    assert bank.holder_matches("ﾔﾏﾀﾞﾀﾛｳ", "ヤマダ　タロウ")
    assert bank.holder_matches("ｻﾄｳ ｼﾖｳﾀ", "サトウ ショウタ")
    assert not bank.holder_matches("ﾔﾏﾀﾞ ﾊﾅｺ", "ヤマダ タロウ")


def test_personal_account_needs_no_corporate_number():
    assert bank.check_owner("personal", "") is None
    assert bank.check_owner("personal", None) is None


def test_corporate_account_only_with_a_valid_corporate_number():
    assert bank.check_owner("corporate", "７０００−０１２０−５０００２") == "7000012050002"
    with pytest.raises(ValueError, match="法人番号"):
        bank.check_owner("corporate", "")
    with pytest.raises(ValueError):
        bank.check_owner("corporate", "1234567890123")  # wrong check digit
    with pytest.raises(ValueError):
        bank.check_owner("other", "")
