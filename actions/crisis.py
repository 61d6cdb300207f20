"""The first reply to a crisis: the right numbers for this kind of crisis, before anything else.

The classifier decides that a message is a crisis; this action picks the reply for its kind
(suicidal thoughts, medical emergency, violence, nowhere to sleep tonight) by the words in
core/crisis_words.yml, and falls back to the general reply with every number. It never asks a
question first; the rule sends the offer of help after it.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from core.crisis import crisis_kind

GENERAL = "utter_crisis"


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
