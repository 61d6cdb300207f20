"""The key facts of the key answers reach every group in every language, through engine and app.

For each group and language the person chooses the language and the group with buttons and asks
the question; the answer must name the right organisation, phone number or scheme.
"""

import uuid

import pytest

from core.languages import SUPPORTED

pytestmark = pytest.mark.engine

#: (intent, group) -> what the answer must contain, whatever the language.
KEY_FACTS = {
    ("contact_person_who", "asielzoeker"): ["COA"],
    ("contact_person_who", "amv"): ["Nidos"],
    ("contact_person_who", "oekraiens"): ["088-043 0430"],
    ("health_find_gp", "asielzoeker"): ["GZA", "088-112 2112"],
    ("health_find_gp", "statushouder"): ["GZA", "088-112 2112"],
    ("health_find_gp", "oekraiens"): ["RMO", "085-0501420"],
    ("health_find_gp", "amv"): ["Nidos", "0800-0432"],
    ("inburgering_obligation_check", "statushouder"): ["DUO", "inburgeren.nl"],
    ("inburgering_obligation_check", "asielzoeker"): ["DUO"],
    ("rights_duties_overview", "oekraiens"): ["2027", "RMO"],
    ("rights_duties_overview", "amv"): ["Nidos"],
    ("health_insurance", "asielzoeker"): ["RMA"],
    ("health_insurance", "oekraiens"): ["RMO"],
    ("health_urgent", "asielzoeker"): ["088-112 2112"],
    ("health_mental_support", "statushouder"): ["113", "0800-0113"],
    ("temporary_protection_ua", "oekraiens"): ["2027", "UWV"],
    ("family_reunification", "statushouder"): ["IND"],
    ("asylum_procedure_status", "amv"): ["Nidos"],
    ("amv_turning_18", "amv"): ["Nidos", "COA"],
    ("registration_brp_bsn", "oekraiens"): ["BSN"],
}


def ask(stack, language, group, intent):
    sender = f"facts-{uuid.uuid4().hex[:10]}"
    stack.say(sender, f'/choose_language{{"language": "{language}"}}')
    stack.say(sender, f'/choose_group{{"group": "{group}"}}')
    reply = stack.say(sender, f"/{intent}")
    assert reply["language"] == language
    return reply["replies"][0]["text"]


@pytest.mark.parametrize("language", SUPPORTED)
@pytest.mark.parametrize("intent, group", sorted(KEY_FACTS))
def test_key_facts_reach_every_group_in_every_language(stack, language, intent, group):
    text = ask(stack, language, group, intent)
    missing = [fact for fact in KEY_FACTS[(intent, group)] if fact not in text]
    assert not missing, f"{intent} for {group} in {language} lacks {missing}: {text}"
