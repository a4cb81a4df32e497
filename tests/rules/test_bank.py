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


# ------------------------------------------------------------------------------ issue 11 item 19

@pytest.mark.parametrize(("code", "short", "full"), [
    ("0116", "北海道", "北海道銀行"),
    ("0001", "みずほ", "みずほ銀行"),
    ("0005", "三菱ＵＦＪ", "三菱ＵＦＪ銀行"),
    ("0288", "三菱ＵＦＪ信託", "三菱ＵＦＪ信託銀行"),
    ("9900", "ゆうちょ", "ゆうちょ銀行"),
    ("0401", "シティバンク、エヌ・エイ", "シティバンク、エヌ・エイ"),
    ("0200", "ワイズ・ペイメンツ・ジャパン", "ワイズ・ペイメンツ・ジャパン"),
    ("1000", "信金中央金庫", "信金中央金庫"),
    ("1003", "室蘭信金", "室蘭信用金庫"),
    ("2011", "北央信組", "北央信用組合"),
    ("2951", "北海道労金", "北海道労働金庫"),
    ("2950", "労金連", "労働金庫連合会"),
    ("2010", "全信組連", "全国信用協同組合連合会"),
    ("2004", "商工中金", "商工組合中央金庫"),
    ("3000", "農林中金", "農林中央金庫"),
    ("3001", "北海道信連", "北海道信用農業協同組合連合会"),
    ("3971", "新庄市農協", "新庄市農業協同組合"),
    ("9493", "大分県漁協", "大分県漁業協同組合"),
    ("9487", "愛媛県信漁連", "愛媛県信用漁業協同組合連合会"),
    ("2213", "整理回収機構", "整理回収機構"),
])
def test_full_bank_name(code, short, full):
    assert bank.full_bank_name(code, short) == full


@pytest.mark.parametrize(("symbol", "number", "expected"), [
    ("10180", "12345671", ("018", "ordinary", "1234567")),
    ("１４０３０", "１２３４５６１", ("408", "ordinary", "0123456")),  # full width, 7 digits
    ("10180", "1234-5671", ("018", "ordinary", "1234567")),
    ("11000", "21", ("108", "ordinary", "0000002")),
    ("00120", "123456", ("129", "current", "0123456")),
    ("00120-3", "123456", ("129", "current", "0123456")),  # the check digit typed with the 記号
    ("01230", "45", ("239", "current", "0000045")),
])
def test_yucho_account(symbol, number, expected):
    assert tuple(bank.yucho_account(symbol, number)) == expected


@pytest.mark.parametrize(("symbol", "number", "message"), [
    ("", "12345671", "記号"),
    ("1018", "12345671", "記号"),
    ("20180", "12345671", "記号"),
    ("10180", "12345678", "最後の数字は1"),  # the 番号 of 通常貯金 ends in 1
    ("10180", "123456781", "8桁"),
    ("10180", "", "番号"),
    ("10180", "abc", "番号"),
    ("00120", "1234567", "6桁"),
    (None, None, "記号"),
])
def test_yucho_account_refused(symbol, number, message):
    with pytest.raises(ValueError, match=message):
        bank.yucho_account(symbol, number)
