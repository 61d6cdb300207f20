"""Whole conversations through the real app and the real engine (trained model), over HTTP.

Each language holds a short conversation: a greeting answered in the person's language and script,
a question that needs the group, the group chosen with a button and the group's own answer, and a
crisis message whose very first reply gives 112.
"""

import uuid

import pytest

from core.config import ROOT
from core.domain_content import load_responses
from core.i18n import translate
from tests.scripts import SCRIPT_OF, written_in

pytestmark = pytest.mark.engine

CONVERSATIONS = {
    "ar": {
        "greeting": "السلام عليكم",
        "question": "مين الشخص المسؤول عني بالبلدية",
        "crisis": "زوجي يضربني وانا خايفة",
    },
    "uk": {
        "greeting": "добрий день",
        "question": "хто моя контактна особа",
        "crisis": "я хочу покінчити з собою",
    },
    "tr": {
        "greeting": "merhaba iyi günler",
        "question": "benim irtibat kişim kim, kimi arayacağım",
        "crisis": "kocam beni dövüyor korkuyorum",
    },
    "ti": {
        "greeting": "ሰላም ከመይ ኣለኹም",
        "question": "ናተይ ተራኺቢ ሰብ መን እዩ",
        "crisis": "ሰብኣየይ ሰኺሩ ንዓይን ንቆልዑን ይፈራርሃና ኣሎ",  # from the held-out test set
    },
    "nl": {
        "greeting": "goedemorgen",
        "question": "wie is mijn contactpersoon",
        "crisis": "mijn kamergenoot bedreigt mij met een mes",
    },
}
#: What the answer for an unaccompanied minor must name, whatever the language.
MINOR_CONTACT_FACTS = ("Nidos", "0800-0432")


def new_sender(language: str) -> str:
    return f"e2e-{language}-{uuid.uuid4().hex[:8]}"


@pytest.mark.parametrize("language", CONVERSATIONS)
def test_short_conversation_in_each_language(stack, language):
    lines = CONVERSATIONS[language]
    sender = new_sender(language)
    script = SCRIPT_OF[language]

    greeting = stack.say(sender, lines["greeting"])
    assert greeting["language"] == language
    assert written_in(greeting["replies"][0]["text"], script)
    assert greeting["replies"][0]["buttons"], "the greeting offers a menu"

    question = stack.say(sender, lines["question"])
    group_question = question["replies"][-1]
    assert written_in(group_question["text"], script)
    payloads = [b["payload"] for b in group_question["buttons"]]
    assert '/choose_group{"group": "amv"}' in payloads, "the group is asked with buttons"

    answer = stack.say(sender, '/choose_group{"group": "amv"}')
    assert answer["language"] == language, "a button press keeps the person's language"
    text = answer["replies"][0]["text"]
    assert written_in(text, script)
    for fact in MINOR_CONTACT_FACTS:
        assert fact in text

    again = stack.say(sender, lines["question"])
    assert "Nidos" in again["replies"][0]["text"], "the group is remembered, not asked again"


#: The kind of crisis each language's message above is about (its first reply must fit it).
CRISIS_KIND = {
    "ar": "violence",
    "uk": "suicide",
    "tr": "violence",
    "ti": "violence",
    "nl": "violence",
}


@pytest.mark.parametrize("language", CONVERSATIONS)
def test_crisis_numbers_come_first_before_any_question(stack, language):
    sender = new_sender(language)
    reply = stack.say(sender, CONVERSATIONS[language]["crisis"])
    first = reply["replies"][0]["text"]
    assert reply["language"] == language
    assert "112" in first
    # Exactly the catalogue's text for this kind of crisis: nothing (Arabic letters, direction
    # marks) is lost on the way. Rasa's REST channel sends the source line as its own message.
    kind_text = load_responses(ROOT / "domain.yml")[f"utter_crisis_{CRISIS_KIND[language]}"][
        0
    ].text
    assert first == translate(kind_text, language)
    assert not reply["replies"][0]["buttons"], "the crisis message itself asks nothing"


def test_language_menu_switches_and_is_remembered(stack):
    sender = new_sender("switch")
    stack.say(sender, "hallo")
    menu = stack.say(sender, "/language_switch")
    assert len(menu["replies"][0]["buttons"]) == 5
    chosen = stack.say(sender, '/choose_language{"language": "uk"}')
    assert chosen["language"] == "uk"
    assert written_in(chosen["replies"][0]["text"], "CYRILLIC")
    # A Dutch word typed afterwards does not undo an explicit choice.
    later = stack.say(sender, "huisarts")
    assert later["language"] == "uk"


def test_not_understood_gets_the_menu_and_the_offer_of_a_person(stack):
    # What the FallbackClassifier predicts below its threshold, sent as a payload so that the
    # test does not depend on which texts the current model happens to be unsure about.
    reply = stack.say(new_sender("nl"), "/nlu_fallback")
    message = reply["replies"][0]
    assert message["text"].startswith("Sorry, dat begreep ik niet")
    assert "/request_human" in [b["payload"] for b in message["buttons"]]
