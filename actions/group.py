"""Answers a topic question, for the person's group when the answer depends on it.

Domain contract: every topic intent `x` has a response `utter_x`. An answer depends on the group when
that response has variations conditioned on the `group` slot (asielzoeker, statushouder, oekraiens,
amv, arbeidsmigrant). Slots: `group` (categorical) and `pending_question` (text); the intent
`choose_group` with entity `group` is sent by the group buttons.

When the group is needed but unknown we ask once, with buttons, and remember the question; the button
press answers it. Rasa renders an action's messages before it applies the action's events, so the
newly chosen group is also passed to the NLG as an argument.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handover import offer_handover
from bot.cases import CaseStore
from core.catalogue import GROUPS, escalation_of


def response_for(intent: str | None) -> str:
    return f"utter_{intent}"


def depends_on_group(response: str, domain: dict[str, Any]) -> bool:
    """True when the response has variations conditioned on the group slot."""
    variations = (domain.get("responses") or {}).get(response) or []
    return any(
        condition.get("name") == "group"
        for variation in variations
        for condition in variation.get("condition") or []
    )


def chosen_group(tracker: Tracker) -> str | None:
    """The group named by the latest message's `group` entity, if it is one we know."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "group" and entity.get("value") in GROUPS:
            return entity["value"]
    return None


class ActionAnswerByGroup(Action):
    """Answers the topic; for intents that always lead to a person (complaint), offers the
    handover right after the answer."""

    def __init__(self, cases: CaseStore) -> None:
        self._cases = cases

    def name(self) -> str:
        return "action_answer_by_group"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Answer the topic of the latest message, asking the group first when it is needed."""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == "choose_group":
            return self._remember_group(dispatcher, tracker, domain)
        response = response_for(intent)
        if response not in (domain.get("responses") or {}):
            dispatcher.utter_message(response="utter_fallback")
            return []
        if not depends_on_group(response, domain) or tracker.get_slot("group") in GROUPS:
            dispatcher.utter_message(response=response)
            self._offer_if_always(intent, dispatcher, tracker)
            return []
        dispatcher.utter_message(response="utter_ask_group")
        return [SlotSet("pending_question", intent)]

    def _offer_if_always(
        self,
        intent: str | None,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        group: str | None = None,
    ) -> None:
        if escalation_of(intent) == "always":
            offer_handover(dispatcher, tracker, self._cases, intent or "request_human", group)

    def _remember_group(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        group = chosen_group(tracker)
        if group is None:
            dispatcher.utter_message(response="utter_ask_group")
            return []
        pending = response_for(tracker.get_slot("pending_question"))
        known = pending in (domain.get("responses") or {})
        dispatcher.utter_message(response=pending if known else "utter_group_saved", group=group)
        if known:
            self._offer_if_always(tracker.get_slot("pending_question"), dispatcher, tracker, group)
        return [SlotSet("group", group), SlotSet("pending_question", None)]
