"""Answers that depend on who the person is: asylum seeker, permit holder, Ukrainian, minor, worker.

Domain contract: slots `group` (categorical, the five groups) and `pending_question` (text), the
intent `choose_group` with entity `group` (sent by the group buttons), and one response per topic
intent in TOPIC_RESPONSES, with conditional variations on `group`.

When the group is unknown we ask once with buttons and remember the question; the button press
answers it. Rasa renders an action's messages before it applies the action's events, so the newly
chosen group is also passed to the NLG as an argument.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

GROUPS = ("asielzoeker", "statushouder", "oekraiens", "amv", "arbeidsmigrant")
TOPIC_RESPONSES = {
    "contact_person_who": "utter_contact_person_who",
    "health_find_gp": "utter_health_find_gp",
    "inburgering_obligation_check": "utter_inburgering_obligation_check",
    "rights_duties_overview": "utter_rights_duties_overview",
}


def chosen_group(tracker: Tracker) -> str | None:
    """The group named by the latest message's `group` entity, if it is one we know."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "group" and entity.get("value") in GROUPS:
            return entity["value"]
    return None


class ActionAnswerByGroup(Action):
    def name(self) -> str:
        return "action_answer_by_group"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Answer a topic for the person's group, asking the group first when it is unknown."""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == "choose_group":
            return self._remember_group(dispatcher, tracker)
        group = tracker.get_slot("group")
        if group in GROUPS and intent in TOPIC_RESPONSES:
            dispatcher.utter_message(response=TOPIC_RESPONSES[intent])
            return []
        dispatcher.utter_message(response="utter_ask_group")
        return [SlotSet("pending_question", intent if intent in TOPIC_RESPONSES else None)]

    @staticmethod
    def _remember_group(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        group = chosen_group(tracker)
        if group is None:
            dispatcher.utter_message(response="utter_ask_group")
            return []
        pending = tracker.get_slot("pending_question")
        response = TOPIC_RESPONSES.get(pending, "utter_group_saved")
        dispatcher.utter_message(response=response, group=group)
        return [SlotSet("group", group), SlotSet("pending_question", None)]
