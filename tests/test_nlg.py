"""Rendering responses for the engine (NLG protocol): language, group variation, source line."""

import pytest

from bot.case_texts import MESSAGE_PLACEHOLDERS
from bot.nlg import Renderer, UnknownResponse
from core.catalogue import GROUPS
from core.config import ROOT
from core.domain_content import load_responses
from core.i18n import translate
from core.languages import SUPPORTED
from core.profiles import load_profile
from tests.scripts import SCRIPT_OF, letters_in, written_in

RESPONSES = load_responses(ROOT / "domain.yml")


@pytest.fixture(scope="module")
def renderer():
    return Renderer(RESPONSES, translate, "nl", load_profile("den-helder"))


def nlg_request(response, language=None, group=None, **arguments):
    events = [
        {"event": "user", "text": "hoi", "metadata": {"language": language} if language else {}}
    ]
    return {
        "response": response,
        "arguments": arguments,
        "tracker": {"slots": {"group": group, "pending_question": None}, "events": events},
        "channel": {"name": "rest"},
    }


@pytest.mark.parametrize("language", SUPPORTED)
def test_renders_in_the_language_of_the_latest_message(renderer, language):
    rendered = renderer.render(nlg_request("utter_greeting", language))
    assert written_in(rendered["text"], SCRIPT_OF[language])
    assert "112" in rendered["text"]


def test_without_language_metadata_dutch_is_used(renderer):
    rendered = renderer.render(nlg_request("utter_greeting"))
    assert rendered["text"].startswith("Hallo, welkom bij Wegwijs")


def test_group_slot_picks_the_group_variation(renderer):
    minor = renderer.render(nlg_request("utter_contact_person_who", "nl", group="amv"))
    asylum = renderer.render(nlg_request("utter_contact_person_who", "nl", group="asielzoeker"))
    assert "Nidos" in minor["text"] and "Nidos" not in asylum["text"]
    assert "COA" in asylum["text"]


def test_group_passed_by_an_action_overrides_the_old_slot(renderer):
    request = nlg_request("utter_health_find_gp", "nl", group="amv")
    request["arguments"] = {"group": "oekraiens"}
    rendered = renderer.render(request)
    assert "RMO" in rendered["text"]


def test_factual_answers_end_with_source_and_check_date_in_the_persons_language(renderer):
    rendered = renderer.render(nlg_request("utter_health_find_gp", "uk", group="asielzoeker"))
    last_line = rendered["text"].splitlines()[-1]
    assert "https://www.gzasielzoekers.nl" in last_line
    assert "листопада 2026" in last_line


def test_language_buttons_keep_their_native_names(renderer):
    rendered = renderer.render(nlg_request("utter_language_menu", "tr"))
    titles = [b["title"] for b in rendered["buttons"]]
    assert titles == ["العربية", "Українська", "Türkçe", "ትግርኛ", "Nederlands"]


def test_button_titles_are_translated_and_payloads_are_not(renderer):
    rendered = renderer.render(nlg_request("utter_ask_group", "ar"))
    dutch = [b.title for b in RESPONSES["utter_ask_group"][0].buttons]
    for button, source in zip(rendered["buttons"], dutch, strict=True):
        assert letters_in(button["title"], "ARABIC") and button["title"] != source
    assert rendered["buttons"][0]["payload"] == '/choose_group{"group": "asielzoeker"}'


def test_unknown_response_is_refused(renderer):
    with pytest.raises(UnknownResponse):
        renderer.render(nlg_request("utter_does_not_exist", "nl"))


#: Values for the placeholders the handover flow fills per message (MESSAGE_PLACEHOLDERS).
MESSAGE_VALUES = {name: "W-123456" for name in MESSAGE_PLACEHOLDERS}


@pytest.mark.parametrize("language", SUPPORTED)
def test_every_response_renders_for_every_group(renderer, language):
    for name in RESPONSES:
        for group in (None, *GROUPS):
            rendered = renderer.render(nlg_request(name, language, group=group, **MESSAGE_VALUES))
            assert rendered["text"].strip(), name
            assert "{" not in rendered["text"], f"unfilled placeholder in {name}"
