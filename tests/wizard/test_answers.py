"""``Answers``: one reader of the answers JSON, and ``Wizard.fill``: answers built by the steps' own forms."""

import json
from datetime import date

import pytest

from dxapp.wizard import Answers, InvalidAnswers
from dxapp.wizard.filling import formdata

SAVED = {"steps": {"person": {"raw": {"name": ["佐藤"]}, "data": {"name": "佐藤", "areas": ["a", "b"], "rate": 0}},
                   "bank": {"raw": {}, "data": {"payee": "corporation"}}},
         "partial": {"profile": {"career": ["十年"]}},
         "flags": {"bank": "口座名義を確認してください。"},
         "token": "tok", "_preset": {"participation": "supporter_member"}}


def test_getters_read_completed_steps():
    answers = Answers(SAVED)
    assert answers.data("person") == {"name": "佐藤", "areas": ["a", "b"], "rate": 0}
    assert answers.raw("person") == {"name": ["佐藤"]}
    assert answers.value("person", "name") == "佐藤"
    assert answers.value("person", "rate") == 0  # a falsy value is a value
    assert answers.value("person", "missing", "x") == "x"
    assert answers.text("person", "rate") == "0"
    assert answers.many("person", "areas") == ["a", "b"]
    assert answers.many("person", "missing") == []
    assert answers.answered == ["person", "bank"]
    assert answers.has("bank") and not answers.has("profile")
    assert answers.token == "tok"
    assert answers.get("_preset") == {"participation": "supporter_member"}


def test_flags_and_partial():
    answers = Answers(SAVED)
    assert answers.is_complete("person")
    assert not answers.is_complete("bank") and answers.is_flagged("bank")
    assert answers.flag("bank") == "口座名義を確認してください。"
    assert answers.flags == {"bank": "口座名義を確認してください。"}
    assert answers.partial("profile") == {"career": ["十年"]}
    assert answers.has_partial("profile") and not answers.has_partial("person")
    assert answers.stored("person") == {"name": ["佐藤"]}
    assert answers.stored("profile") == {"career": ["十年"]}
    assert answers.stored("declaration") is None


@pytest.mark.parametrize("broken", [None, {}, [], "text", {"steps": "x", "partial": 3, "flags": None},
                                    {"steps": {"person": "x", "bank": {"data": "y", "raw": None}}}])
def test_malformed_answers_read_as_empty(broken):
    answers = Answers(broken)
    assert answers.data("person") == {} and answers.raw("bank") == {}
    assert answers.value("person", "name", "-") == "-"
    assert answers.flags == {} and answers.partial("person") == {} and answers.token == ""
    assert not answers.is_complete("declaration")


def test_getters_return_copies():
    answers = Answers(SAVED)
    answers.data("person")["name"] = "changed"
    answers.flags["person"] = "x"
    assert SAVED["steps"]["person"]["data"]["name"] == "佐藤" and "person" not in SAVED["flags"]


def test_updates_are_pure_and_json_round_trip():
    before = json.dumps(SAVED, sort_keys=True)
    answers = Answers(SAVED)
    saved = answers.with_step("bank", {"payee": ["personal"]}, {"payee": "personal"})
    assert json.dumps(SAVED, sort_keys=True) == before  # the original is untouched
    assert type(saved) is dict and json.loads(json.dumps(saved)) == saved
    assert Answers(saved).is_complete("bank") and Answers(saved).value("bank", "payee") == "personal"
    assert saved["token"] == "tok" and saved["_preset"] == SAVED["_preset"]  # other keys are kept

    later = answers.with_partial("person", {"name": ["佐藤 一郎"]})
    assert Answers(later).partial("person") == {"name": ["佐藤 一郎"]}
    assert Answers(later).has("person")  # saving for later keeps the completed answers

    completed = Answers(later).with_step("person", {"name": ["佐藤 一郎"]}, {"name": "佐藤 一郎"})
    assert not Answers(completed).has_partial("person")

    undone = answers.without_steps("person", "bank")
    assert Answers(undone).answered == [] and Answers(undone).flags == SAVED["flags"]
    assert Answers(answers.without_partial("profile")).partial("profile") == {}
    assert Answers(answers.with_flags({"person": "note"})).flags == {"person": "note"}
    assert "_preset" not in answers.without_keys("_preset")
    assert answers.with_key("carried_over", True)["carried_over"] is True
    assert json.dumps(SAVED, sort_keys=True) == before


def test_carried_and_fresh():
    answers = Answers(SAVED)
    assert answers.carried() == {"steps": SAVED["steps"]}
    assert answers.carried(keep_flags=True) == {"steps": SAVED["steps"], "flags": SAVED["flags"]}
    assert answers.carried(flags={}) == {"steps": SAVED["steps"], "flags": {}}
    assert answers.fresh() == {"steps": SAVED["steps"], "partial": SAVED["partial"], "flags": SAVED["flags"]}
    assert Answers(None).fresh() == Answers.empty() == {"steps": {}, "partial": {}, "flags": {}}


def test_answers_is_a_read_only_mapping_over_the_dict():
    answers = Answers(SAVED)
    assert answers["token"] == "tok" and set(answers) == set(SAVED) and len(answers) == len(SAVED)
    assert Answers(answers).data("person") == answers.data("person")
    with pytest.raises(TypeError):
        answers["token"] = "x"  # type: ignore[index]


def test_formdata_of_plain_values():
    posted = formdata({"name": "佐藤", "agree": True, "no": False, "none": None, "rate": 5000,
                       "areas": ["a", "b"], "born": date(1980, 4, 1)})
    assert posted.getlist("areas") == ["a", "b"]
    assert posted["agree"] == "y" and "no" not in posted and "none" not in posted and posted["rate"] == "5000"
    assert [posted[f"born-{p}"] for p in ("era", "year", "month", "day")] == ["western", "1980", "4", "1"]


# -- Wizard.fill runs the steps' forms: the same answers as a user's POST -----------------------------------

def test_fill_gives_what_the_forms_store(app):
    from dxapp.procedures.sme_registration.wizard import SME_REGISTRATION
    from tests.fixtures.sme_answers import ADDRESS, DETAILS, SIZE, TYPE

    answers = SME_REGISTRATION.fill({"business-type": TYPE, "business-details": DETAILS, "address": ADDRESS,
                                     "size": SIZE}, complete=False)
    view = Answers(answers)
    assert view.value("address", "postal_code") == "1000001"  # 〒１００−０００１ normalised
    assert view.value("size", "capital") == 50_000_000  # ５千万円
    assert view.raw("size") == {"capital": ["５千万円"], "employees": ["１２人"]}  # kept as typed
    assert view.value("business-details", "name_kana") == "カブシキガイシャヤマダショウテン"
    assert json.loads(json.dumps(answers)) == answers
    assert SME_REGISTRATION.first_incomplete_step(answers).slug == "exclusions"


def test_fill_refuses_what_a_post_would_refuse(app):
    from dxapp.procedures.sme_registration.wizard import SME_REGISTRATION
    from tests.fixtures.sme_answers import TYPE

    with pytest.raises(InvalidAnswers) as invalid:
        SME_REGISTRATION.fill({"business-type": TYPE, "business-details": {"name": ""}}, complete=False)
    assert invalid.value.slug == "business-details" and "name" in invalid.value.errors
    with pytest.raises(InvalidAnswers) as unfinished:
        SME_REGISTRATION.fill({"business-type": TYPE})  # complete by default: every visible step answered
    assert unfinished.value.slug == "business-details"
