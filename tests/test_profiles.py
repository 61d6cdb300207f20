"""Municipality profiles: the bot shows verified values and never a placeholder value."""

import pytest
import yaml

from bot.case_texts import MESSAGE_PLACEHOLDERS
from bot.nlg import Renderer
from core.config import ROOT
from core.domain_content import Variation, load_responses, placeholders
from core.i18n import translate
from core.profiles import (
    GENERAL_PHRASES,
    PROFILE_PLACEHOLDERS,
    ProfileError,
    available,
    load_profile,
)


def render(profile, text, language="nl"):
    renderer = Renderer({"utter_x": (Variation(text),)}, translate, "nl", profile)
    request = {"response": "utter_x", "arguments": {"language": language}, "tracker": {}}
    return renderer.render(request)["text"]


def test_both_municipalities_have_a_profile():
    assert {"den-helder", "noordoostpolder"} <= set(available())
    assert load_profile("noordoostpolder").name == "Noordoostpolder"


@pytest.mark.parametrize("key", ["den-helder", "noordoostpolder"])
def test_a_placeholder_value_is_never_shown(key):
    profile = load_profile(key)
    text = render(profile, "Bel de gemeente {gemeente}: {gemeente_telefoon}.")
    hint = profile.fields["gemeente_telefoon"]["value"]
    assert hint not in text
    assert (
        text
        == f"Bel de gemeente {profile.name}: het telefoonnummer op de website van de gemeente."
    )


def test_the_general_phrase_is_in_the_persons_language():
    text = render(load_profile("den-helder"), "{gemeente_website}", language="uk")
    assert (
        text
        == translate(GENERAL_PHRASES["gemeente_website"], "uk")
        != GENERAL_PHRASES["gemeente_website"]
    )


def write_profile(tmp_path, **phone):
    data = yaml.safe_load((ROOT / "profiles" / "den-helder.yml").read_text())
    data["fields"]["gemeente_telefoon"] = phone
    (tmp_path / "test.yml").write_text(yaml.safe_dump(data))
    return tmp_path


def test_a_verified_value_is_shown(tmp_path):
    directory = write_profile(
        tmp_path, status="verified", value="0223 123456", source="gemeente", checked="2026-11-01"
    )
    assert render(load_profile("test", directory), "{gemeente_telefoon}") == "0223 123456"


def test_a_verified_number_keeps_its_order_in_arabic_text(tmp_path):
    directory = write_profile(
        tmp_path, status="verified", value="0223 67 8888", source="gemeente", checked="2026-11-01"
    )
    assert (
        render(load_profile("test", directory), "{gemeente_telefoon}", "ar")
        == "\u200e0223 67 8888"
    )


def test_verified_without_source_is_refused(tmp_path):
    directory = write_profile(tmp_path, status="verified", value="0223 123456")
    with pytest.raises(ProfileError, match="source"):
        load_profile("test", directory)


def test_unknown_municipality_is_a_clear_error():
    with pytest.raises(ProfileError, match="den-helder"):
        load_profile("amsterdam")


def test_answers_use_only_known_placeholders():
    known = set(GENERAL_PHRASES) | PROFILE_PLACEHOLDERS | MESSAGE_PLACEHOLDERS
    slots = set(yaml.safe_load((ROOT / "domain.yml").read_text())["slots"])
    for name, variations in load_responses(ROOT / "domain.yml").items():
        for variation in variations:
            unknown = placeholders(variation.text) - known - slots
            assert not unknown, f"{name} uses unknown placeholders {unknown}"


def test_the_handover_offer_names_the_team_and_answer_time_only_when_verified(tmp_path):
    profile = yaml.safe_load((ROOT / "profiles" / "den-helder.yml").read_text(encoding="utf-8"))
    verified = {"status": "verified", "source": "gemeente", "checked": "2026-11-01"}
    profile["handover"]["team"] = {**verified, "value": "Team Nieuwkomers"}
    profile["handover"]["answer_time_working_days"] = {**verified, "value": 3}
    (tmp_path / "test.yml").write_text(yaml.safe_dump(profile), encoding="utf-8")

    def offer(loaded, language):
        renderer = Renderer(load_responses(ROOT / "domain.yml"), translate, "nl", loaded)
        return renderer.render_named("utter_handover_offer", language, {})["text"]

    text = offer(load_profile("test", tmp_path), "nl")
    assert "Team Nieuwkomers" in text and "binnen 3 werkdagen" in text
    assert "Team Nieuwkomers" in offer(load_profile("test", tmp_path), "uk")
    placeholder = offer(load_profile("den-helder"), "nl")
    assert "Team Inburgering" not in placeholder and "werkdagen" not in placeholder
    assert "Ik kan niet beloven hoe snel" in placeholder
