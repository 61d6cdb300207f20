"""Commands any channel's user can type (Telegram shows them in its menu), through the real
stack."""

from __future__ import annotations

import uuid

import pytest

from core.i18n import translate
from tests.scripts import written_in

pytestmark = pytest.mark.engine


def new_sender() -> str:
    return f"commands-{uuid.uuid4().hex[:8]}"


def test_start_welcomes_says_what_the_bot_is_and_offers_the_languages(stack):
    reply = stack.say(new_sender(), "/start")["replies"]
    [welcome] = reply
    assert welcome["text"].startswith("Welkom bij Wegwijs")
    assert (
        "geen mens" in welcome["text"]
        and "/forget" in welcome["text"]
        and "112" in welcome["text"]
    )
    assert [b["payload"] for b in welcome["buttons"]] == [
        f'/choose_language{{"language": "{code}"}}' for code in ("ar", "uk", "tr", "ti", "nl")
    ]


def test_privacy_says_what_is_kept_and_for_how_long_in_the_persons_language(stack):
    sender = new_sender()
    stack.say(sender, '/choose_language{"language": "ti"}')
    [privacy] = stack.say(sender, "/privacy")["replies"]
    assert written_in(privacy["text"], "ETHIOPIC")
    assert "90" in privacy["text"]  # the retention setting, in days
    assert "/forget" in [b["payload"] for b in privacy["buttons"]]


def test_help_and_language_are_the_bots_own_answers(stack):
    sender = new_sender()
    help_text = stack.say(sender, "/help")["replies"][0]["text"]
    assert help_text.startswith("Ik ben Wegwijs, een computerprogramma")
    menu = stack.say(sender, "/language@WegwijsBot")["replies"][0]
    assert menu["text"] == translate("Kies je taal.", "nl")
    assert len(menu["buttons"]) == 5


def test_forget_asks_before_erasing(stack):
    [confirm] = stack.say(new_sender(), "/forget")["replies"]
    assert "/erase_confirm" in [b["payload"] for b in confirm["buttons"]]
