"""The CSV roster of a supporter corporation's experts (pure): encodings, header, per-cell errors."""

import time

import pytest

from dxapp.rules import roster

HEADER = "氏名,フリガナ,メールアドレス\r\n"


@pytest.mark.parametrize("encoding,prefix,expected", [
    ("utf-8", b"", "utf-8"), ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"), ("cp932", b"", "cp932"),
])
def test_decode_detects_the_encoding(encoding, prefix, expected):
    text = HEADER + "山田 太郎,ヤマダ タロウ,taro@example.jp\r\n"
    decoded, name = roster.decode(prefix + text.encode(encoding))
    assert name == expected and decoded == text


@pytest.mark.parametrize("data,code", [(b"", "empty"), (b"  \r\n", "empty"), (b"\x81\x00\xff", "encoding"),
                                       (b"a" * (roster.MAX_BYTES + 1), "too_large")])
def test_decode_refuses(data, code):
    with pytest.raises(roster.RosterFileError) as info:
        roster.decode(data)
    assert info.value.code == code


def test_parse_skips_header_and_blank_lines_and_keeps_line_numbers():
    rows = roster.parse(HEADER + "\r\n山田 太郎,ヤマダ タロウ,taro@example.jp\r\n,,\r\n鈴木,スズキ,s@example.jp,extra\r\n")
    assert [r.line for r in rows] == [3, 5]
    assert rows[1].values == {"name": "鈴木", "name_kana": "スズキ", "email": "s@example.jp"}


def test_header_in_another_order():
    rows = roster.parse("メールアドレス,氏名,フリガナ\n a@example.jp ,山田,ヤマダ\n")
    assert rows[0].values == {"name": "山田", "name_kana": "ヤマダ", "email": "a@example.jp"}


def test_parse_without_header_and_short_rows():
    rows = roster.parse("山田,ヤマダ\n")
    assert rows[0].values == {"name": "山田", "name_kana": "ヤマダ", "email": ""}


@pytest.mark.parametrize("text,code", [(HEADER, "no_rows"), (HEADER + "a,b,c\n" * (roster.MAX_ROWS + 1),
                                                              "too_many_rows")])
def test_parse_refuses(text, code):
    with pytest.raises(roster.RosterFileError) as info:
        roster.parse(text)
    assert info.value.code == code


def test_check_gives_one_code_per_cell():
    text = HEADER + "\n".join([
        "山田 太郎,やまだ たろう,ＴＡＲＯ＠Example.JP",   # fine: hiragana and full-width are normalised
        ",ヤマダ,x@example.jp",
        "佐藤,Sato,sato@example",
        "田中,タナカ,",
        "重複,ジュウフク,taro@example.jp",
        "既存,キソン,known@example.jp",
        "所属,ショゾク,mine@example.jp",
        "長い," + "ア" * 101 + "," + "a" * 250 + "@example.jp",
        "点,テン,a..b@example.jp",
    ])
    rows = roster.check(roster.parse(text), {"known@example.jp": "registered", "mine@example.jp": "affiliated"})
    assert rows[0].ok and rows[0].normalised == {"name": "山田 太郎", "name_kana": "ヤマダ タロウ",
                                                 "email": "taro@example.jp"}
    assert [r.errors for r in rows[1:]] == [
        {"name": "missing"},
        {"name_kana": "not_kana", "email": "invalid"},
        {"email": "missing"},
        {"email": "duplicate"},
        {},  # an account elsewhere is never an error: it must not be revealed
        {"email": "affiliated"},
        {"name_kana": "too_long", "email": "too_long"},
        {"email": "invalid"},
    ]
    assert rows[4].normalised["duplicate_of"] == rows[0].line
    assert roster.error_count(rows) == 7
    assert roster.emails(rows[:2]) == {"taro@example.jp", "x@example.jp"}


def test_errors_first_is_stable():
    rows = [{"line": 2, "errors": {}}, {"line": 3, "errors": {"name": "missing"}}, {"line": 4, "errors": {}},
            {"line": 5, "errors": {"email": "invalid"}}]
    assert [r["line"] for r in roster.errors_first(rows)] == [3, 5, 2, 4]


def test_template_is_a_valid_roster():
    text, encoding = roster.decode(roster.template_csv())
    assert encoding == "utf-8-sig"
    rows = roster.check(roster.parse(text))
    assert len(rows) == 1 and rows[0].ok


def test_two_thousand_rows_check_quickly():
    text = HEADER + "".join(f"専門家 {i},センモンカ,e{i}@example.jp\r\n" for i in range(roster.MAX_ROWS))
    started = time.perf_counter()
    rows = roster.check(roster.parse(roster.decode(text.encode("cp932"))[0]))
    assert len(rows) == roster.MAX_ROWS and roster.error_count(rows) == 0
    assert time.perf_counter() - started < 2.0


def test_excel_unicode_text_is_utf16_with_tabs():
    text = "氏名\tフリガナ\tメールアドレス\r\n山田 太郎\tヤマダ タロウ\ttaro@example.jp\r\n"
    decoded, encoding = roster.decode(text.encode("utf-16"))
    assert encoding == "utf-16"
    rows = roster.check(roster.parse(decoded))
    assert rows[0].ok and rows[0].normalised["email"] == "taro@example.jp"


def test_the_template_example_row_is_skipped_not_an_error():
    text = roster.decode(roster.template_csv())[0] + "鈴木 一郎,スズキ イチロウ,suzuki@example.jp\r\n"
    rows = roster.check(roster.parse(text))
    assert [r.notice for r in rows] == ["example", None]
    assert rows[0].ok and roster.error_count(rows) == 0 and roster.skipped_count(rows) == 1
    assert roster.skipped_count([r.as_json() for r in rows]) == 1
