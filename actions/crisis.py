"""The first reply to a crisis: the right numbers for this kind of crisis, before anything else.

The classifier decides that a message is a crisis; this action picks the reply for its kind
(suicidal thoughts, medical emergency, violence, nowhere to sleep tonight) by the words in
actions/crisis_words.yml, and falls back to the general reply with every number. It never asks a
question first; the rule sends the offer of help after it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from core.normalize import normalize

WORDS_FILE = Path(__file__).resolve().parent / "crisis_words.yml"
GENERAL = "utter_crisis"


@lru_cache(maxsize=1)
def _kinds() -> dict[str, list[str]]:
    """{kind: normalised words of all languages}, in the order of the file."""
    data = yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))
    return {
        kind: [
            " ".join(normalize(w) for w in word.split())
            for words in by_language.values()
            for word in words
        ]
        for kind, by_language in data.items()
    }


def crisis_kind(text: str) -> str | None:
    """The first kind whose words occur in the text (a word matches the start of a token)."""
    tokens = [normalize(t) for t in text.split()]
    padded = " " + " ".join(tokens)
    for kind, words in _kinds().items():
        if any(" " + word in padded for word in words):
            return kind
    return None


def crisis_response(text: str) -> str:
    kind = crisis_kind(text)
    return f"utter_crisis_{kind}" if kind else GENERAL


class ActionCrisisFirstReply(Action):
    def name(self) -> str:
        return "action_crisis_first_reply"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Send the numbers for this kind of crisis (or all of them), nothing else."""
        response = crisis_response(tracker.latest_message.get("text") or "")
        known = response in (domain.get("responses") or {})
        dispatcher.utter_message(response=response if known else GENERAL)
        return []
