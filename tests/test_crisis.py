"""Which first reply a crisis message gets: the numbers for its kind, or all of them."""

import pytest

from actions.crisis import crisis_response
from core.config import ROOT
from core.crisis import crisis_kind
from tests.nlu_evaluation import load_test_set


@pytest.mark.parametrize(
    "text, response",
    [
        ("ik wil dood", "utter_crisis_suicide"),
        ("خلاص ما عاد بدي كون عايش", "utter_crisis_suicide"),
        ("я хочу покінчити з собою", "utter_crisis_suicide"),
        ("хочу умереть", "utter_crisis_suicide"),
        ("ölmek istiyorum", "utter_crisis_suicide"),
        ("ክመውት እደሊ", "utter_crisis_suicide"),
        ("mijn zoon is bewusteloos", "utter_crisis_medical"),
        ("ابني ما عم يتنفس", "utter_crisis_medical"),
        ("babam bayıldı", "utter_crisis_medical"),
        ("mijn kamergenoot bedreigt mij met een mes", "utter_crisis_violence"),
        ("زوجي يضربني وانا خايفة", "utter_crisis_violence"),
        ("мій чоловік б’є мене", "utter_crisis_violence"),
        ("kocam beni dövüyor", "utter_crisis_violence"),
        ("ሰብኣየይ ይወቕዓኒ ኣሎ", "utter_crisis_violence"),
        ("vannacht slaap ik op straat", "utter_crisis_no_shelter"),
        ("bu gece sokakta kaldım", "utter_crisis_no_shelter"),
        ("сьогодні ніде ночувати", "utter_crisis_no_shelter"),
    ],
)
def test_the_kind_of_crisis_chooses_the_first_reply(text, response):
    assert crisis_response(text) == response


def test_suicidal_thoughts_win_over_other_words():
    assert crisis_response("ik heb pillen geslikt want ik wil dood") == "utter_crisis_suicide"


def test_an_unclear_crisis_gets_every_number():
    assert crisis_response("help snel alsjeblieft") == "utter_crisis"


def test_crisis_words_never_match_a_training_example_of_another_intent():
    """The engine calls any message with a crisis word a crisis, so the words must be unambiguous."""
    wrong = [
        (intent, text)
        for rows in load_test_set(ROOT / "data" / "nlu").values()
        for text, intent in rows
        if intent != "crisis" and crisis_kind(text)
    ]
    assert not wrong, wrong[:10]
