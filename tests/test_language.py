"""Which language Wegwijs answers in: script, detector and the order of preferences."""

import pytest

from bot.language import Detection, detect, hint_language, resolve


@pytest.mark.parametrize(
    "text, language",
    [
        ("مرحبا، أين أجد طبيب", "ar"),
        ("اريد huisarts", "ar"),
        ("ሰላም ሓኪም ደልየ", "ti"),
        ("привіт, де знайти лікаря", "uk"),
        ("здравствуйте мне нужен врач", "uk"),  # Russian is answered in Ukrainian
        ("merhaba doktora nasıl giderim", "tr"),
        ("ik zoek een huisarts voor mijn kind", "nl"),
        ("ana bdi 7aki ma3 7ada mn el gemeente", "ar"),  # Arabizi
        ("shu a3mel ma fi huisarts", "ar"),
    ],
)
def test_message_language_is_detected(text, language):
    assert detect(text).language == language


def test_dutch_with_a_language_level_is_not_arabizi():
    assert detect("ik heb niveau a2 en wil naar b1 leren").language == "nl"


@pytest.mark.parametrize("text", ["ok", "👍", "112", "?"])
def test_texts_without_language_are_not_guessed(text):
    assert detect(text) is None


def test_turkish_written_without_turkish_letters_is_still_turkish():
    assert detect("esim hasta doktor lazim nereye gidelim").language == "tr"


def test_a_dutch_loanword_alone_does_not_override_what_we_knew():
    detection = detect("huisarts?")
    assert detection is not None and not detection.strong
    assert resolve(explicit=None, detected=detection, stored="tr", channel_hint=None) == "tr"


def test_explicit_choice_wins_over_everything():
    written_in_arabic = Detection("ar", strong=True)
    assert (
        resolve(explicit="uk", detected=written_in_arabic, stored="nl", channel_hint="tr") == "uk"
    )


def test_message_language_beats_stored_preference():
    assert (
        resolve(explicit=None, detected=Detection("ar", True), stored="nl", channel_hint=None)
        == "ar"
    )


def test_channel_hint_and_dutch_are_last():
    assert resolve(explicit=None, detected=None, stored=None, channel_hint="uk-UA") == "uk"
    assert resolve(explicit=None, detected=None, stored=None, channel_hint="en") == "nl"
    assert resolve(explicit=None, detected=None, stored=None, channel_hint=None) == "nl"


def test_russian_telegram_hint_means_ukrainian():
    assert hint_language("ru") == "uk"
