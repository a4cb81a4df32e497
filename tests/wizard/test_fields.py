"""Shared Japanese-input fields: the era date and the yen amount (UX.md "Japanese input")."""

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.validators import InputRequired

from dxapp.wizard.fields import EraDateField, YenField
from dxapp.wizard.forms import data_of, raw_of, refill


class DateForm(Form):
    established = EraDateField("設立年月日", validators=[InputRequired("設立年月日を入力してください")])


class MoneyForm(Form):
    capital = YenField("資本金")


def date_form(era, year, month, day):
    return DateForm(MultiDict({"established-era": era, "established-year": year,
                               "established-month": month, "established-day": day}))


@pytest.mark.parametrize(
    ("era", "year", "month", "day", "expected"),
    [
        ("western", "2019", "5", "1", date(2019, 5, 1)),
        ("reiwa", "元", "5", "1", date(2019, 5, 1)),
        ("reiwa", "元年", "５", "１", date(2019, 5, 1)),
        ("heisei", "31", "4", "30", date(2019, 4, 30)),
        ("showa", "64", "1", "7", date(1989, 1, 7)),
        ("western", "２０２１", "０６", "０１", date(2021, 6, 1)),
    ],
)
def test_era_date_reads_what_people_type(era, year, month, day, expected):
    form = date_form(era, year, month, day)
    assert form.validate(), form.errors
    assert form.established.data == expected


@pytest.mark.parametrize(
    ("era", "year", "month", "day"),
    [("heisei", "31", "5", "1"), ("reiwa", "元", "4", "30"), ("western", "2021", "2", "30"), ("western", "x", "1", "1")],
    ids=["heisei-after-its-end", "reiwa-before-its-start", "no-such-day", "not-a-number"],
)
def test_era_date_errors_keep_the_typed_parts(era, year, month, day):
    form = date_form(era, year, month, day)
    assert not form.validate()
    assert form.established.errors
    assert form.established.part("year") == year and form.established.part("era") == era


def test_era_date_required_and_round_trip_through_raw():
    assert not DateForm(MultiDict()).validate()
    form = date_form("reiwa", "3", "6", "1")
    assert form.validate()
    raw = raw_of(form)
    assert raw["established-year"] == ["3"]
    again = refill(DateForm, raw)
    assert again.established.data == date(2021, 6, 1)
    assert again.established.display() == "2021年6月1日（令和3年）"
    assert data_of(form)["established"] == "2021-06-01"


@pytest.mark.parametrize(("typed", "amount"), [("３億円", 300_000_000), ("5千万", 50_000_000),
                                              ("300,000,000", 300_000_000), ("1.5億", 150_000_000)])
def test_yen_field_accepts_japanese_amounts(typed, amount):
    form = MoneyForm(MultiDict({"capital": typed}))
    assert form.validate(), form.errors
    assert form.capital.amount == amount
    assert form.capital.data == typed  # kept as typed for the form
    assert data_of(form)["capital"] == amount
    assert form.capital.display() == f"{amount:,}円"


def test_yen_field_error_message_is_japanese():
    form = MoneyForm(MultiDict({"capital": "たくさん"}))
    assert not form.validate()
    assert any("円" in message or "数字" in message for message in form.capital.errors)
