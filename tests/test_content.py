"""The content contract: every catalogue intent is understood and answered, per group where the
catalogue says the answer depends on it, with a source checked within the last 12 months, short
enough to read on a phone in every language."""

import datetime as dt

import pytest
import yaml

from core.catalogue import GROUPS
from core.config import ROOT
from core.domain_content import load_responses
from core.i18n import translate
from core.languages import SUPPORTED
from tests.nlu_evaluation import load_test_set

#: Our copy of the intent catalogue, so a clone anywhere can be tested; the test below keeps it
#: equal to the shared original wherever that sits beside the checkout.
CATALOGUE_FILE = ROOT / "spec" / "intents.yml"
SHARED_CATALOGUE = ROOT.parent / "shared" / "spec" / "intents.yml"
CATALOGUE = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
INTENTS = {intent["name"]: intent for intent in CATALOGUE["intents"]}
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
RESPONSES = load_responses(ROOT / "domain.yml")
RULES = yaml.safe_load((ROOT / "data" / "rules.yml").read_text(encoding="utf-8"))["rules"]
#: Conversation intents answered by their own responses, not by a topic answer with a source.
CONVERSATION = {
    "greeting",
    "goodbye_thanks",
    "bot_capabilities",
    "language_switch",
    "out_of_scope",
    "request_human",
    "crisis",
}
TOPICS = sorted(set(INTENTS) - CONVERSATION)
FACTUAL = [f"utter_{name}" for name in TOPICS] + [
    name
    for name in RESPONSES
    if name.startswith("utter_crisis") and name != "utter_crisis_followup"
]
MAX_AGE = dt.timedelta(days=365)
MAX_CHARACTERS = 700


def counts(directory):
    """{(language, intent): number of examples} in an NLU data folder."""
    result = {}
    for language, rows in load_test_set(directory).items():
        for _, intent in rows:
            result[(language, intent)] = result.get((language, intent), 0) + 1
    return result


@pytest.mark.skipif(not SHARED_CATALOGUE.exists(), reason="no shared/ beside this checkout")
def test_our_catalogue_copy_equals_the_shared_contract():
    assert CATALOGUE_FILE.read_bytes() == SHARED_CATALOGUE.read_bytes()


def test_every_catalogue_intent_is_in_the_domain_with_a_rule():
    ruled = {step["intent"] for rule in RULES for step in rule["steps"] if "intent" in step}
    assert set(INTENTS) <= set(DOMAIN["intents"])
    assert set(INTENTS) <= ruled


@pytest.mark.parametrize("language", SUPPORTED)
def test_every_intent_is_trained_in_every_language(language):
    training = counts(ROOT / "data" / "nlu")
    testing = counts(ROOT / "tests" / "nlu")
    thin = {
        n: training.get((language, n), 0) for n in INTENTS if training.get((language, n), 0) < 20
    }
    assert not thin, f"{language}: too few training examples {thin}"
    untested = {
        n: testing.get((language, n), 0) for n in INTENTS if testing.get((language, n), 0) < 10
    }
    assert not untested, f"{language}: fewer than 10 test examples {untested}"


def test_every_answer_is_reachable_with_buttons():
    payloads = {
        b.payload for variations in RESPONSES.values() for v in variations for b in v.buttons
    }
    unreachable = [name for name in TOPICS if f"/{name}" not in payloads]
    assert not unreachable, f"no button leads to {unreachable}"


@pytest.mark.parametrize("intent", TOPICS)
def test_every_topic_has_an_answer_per_group_where_the_catalogue_says_so(intent):
    variations = RESPONSES.get(f"utter_{intent}")
    assert variations, f"no response utter_{intent}"
    if INTENTS[intent]["depends_on_group"]:
        groups = {value for v in variations for name, value in v.conditions if name == "group"}
        assert groups == set(GROUPS), f"utter_{intent} lacks groups {set(GROUPS) - groups}"


@pytest.mark.parametrize("response", FACTUAL)
def test_every_factual_answer_names_a_source_checked_within_12_months(response):
    today = dt.date.today()
    for variation in RESPONSES[response]:
        meta = variation.metadata
        if meta.get("refers_only"):
            continue  # states no facts, only where to ask: nothing to source
        assert meta.get("source") and meta.get("url", "").startswith("https://"), response
        checked = dt.date.fromisoformat(str(meta["checked"]))
        assert today - checked <= MAX_AGE, (
            f"{response}: facts checked {checked}, older than 12 months"
        )


@pytest.mark.parametrize("language", SUPPORTED)
def test_every_answer_fits_a_phone_screen(language):
    too_long = {
        name: len(translate(v.text, language))
        for name, variations in RESPONSES.items()
        for v in variations
        if len(translate(v.text, language)) > MAX_CHARACTERS
    }
    assert not too_long, f"{language}: over {MAX_CHARACTERS} characters: {too_long}"
