"""Actions that hand a question over to a person: the offer, the second fallback, the status.

The engine decides WHEN (rules on request_human, complaint, crisis follow-up, two fallbacks in a
row); these actions record WHAT would be handed over (the question in the person's words, the
detected intent candidates, a short excerpt, language, group, channel) and ask consent. The consent
buttons themselves are handled by the app (bot/handover.py), which creates the case.

They run in the app process (the action server is mounted there), so they use the case store
directly; the store is passed in when the executor is built.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.case_texts import status_lines
from bot.cases import CaseStore
from core.catalogue import escalation_of, topic_of
from core.languages import DEFAULT, is_supported

#: Intents sent only by our own buttons; never "the question" of a handover.
NAVIGATION_INTENTS = frozenset(
    {
        "choose_group",
        "choose_language",
        "change_group",
        "main_menu",
        "request_human",
        "case_status",
    }
)
EXCERPT_MESSAGES = 8
#: Earlier person messages searched for the question a handover is about.
LOOK_BACK = 3


@dataclass(frozen=True)
class Subject:
    question: str
    topic_intent: str | None
    candidates: list[dict[str, Any]]


def _intent(event: dict[str, Any]) -> str | None:
    return ((event.get("parse_data") or {}).get("intent") or {}).get("name")


def _is_typed(event: dict[str, Any]) -> bool:
    return not (event.get("text") or "").startswith("/")


def _is_topic(intent: str | None) -> bool:
    return topic_of(intent) not in (None, "conversation") or intent in ("complaint", "crisis")


def _candidates(event: dict[str, Any]) -> list[dict[str, Any]]:
    ranking = (event.get("parse_data") or {}).get("intent_ranking") or []
    return [
        {"intent": r.get("name"), "confidence": round(float(r.get("confidence") or 0), 3)}
        for r in ranking[:5]
    ]


def subject_of(events: list[dict[str, Any]]) -> Subject:
    """What the handover is about: the person's own words and the topic they asked about.

    The current message counts when the person typed it; after a button ("Een mens spreken") the
    question is their latest typed message. The topic is the latest topic intent among the last
    few messages, so "Een mens spreken" after a GP answer hands over a GP question.
    """
    users = [e for e in events if e.get("event") == "user"]
    if not users:
        return Subject("", None, [])
    current, earlier = users[-1], list(reversed(users[:-1]))[:LOOK_BACK]
    recent = [current, *earlier]
    asked = next(
        (u for u in recent if _is_typed(u) and _intent(u) not in NAVIGATION_INTENTS), None
    )
    if asked is None and _is_typed(current):
        asked = current
    topic = next((_intent(u) for u in recent if _is_topic(_intent(u))), None)
    return Subject(
        (asked.get("text") or "") if asked else "",
        topic,
        _candidates(asked) if asked else [],
    )


def excerpt_of(events: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The last messages of the chat, for the staff member (button payloads left out)."""
    lines = []
    for event in events:
        text = event.get("text") or ""
        if event.get("event") == "user" and _is_typed(event):
            lines.append({"from": "person", "text": text})
        elif event.get("event") == "bot" and text:
            lines.append({"from": "bot", "text": text})
    return lines[-EXCERPT_MESSAGES:]


def language_and_channel(tracker: Tracker) -> tuple[str, str]:
    metadata = tracker.latest_message.get("metadata") or {}
    language = metadata.get("language")
    channel = metadata.get("channel") or tracker.sender_id.partition(":")[0] or "web"
    return (language if is_supported(language) else DEFAULT), str(channel)


def offer_handover(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    cases: CaseStore,
    reason: str,
    group: str | None = None,
) -> None:
    """Record what would be handed over and ask the person's consent (buttons).

    `group` is passed when the action sets it in this same run (its SlotSet is not applied yet).
    """
    subject = subject_of(tracker.events)
    if reason == "request_human" and subject.topic_intent == "crisis":
        reason = "crisis"
    elif reason == "request_human" and escalation_of(subject.topic_intent).startswith(
        "on_condition"
    ):
        reason = "condition"
    language, channel = language_and_channel(tracker)
    cases.record_offer(
        tracker.sender_id,
        reason=reason,
        topic_intent=subject.topic_intent,
        question=subject.question,
        candidates=subject.candidates,
        excerpt=excerpt_of(tracker.events),
        language=language,
        group=group or tracker.get_slot("group"),
        channel=channel,
    )
    dispatcher.utter_message(response="utter_handover_offer")


class ActionOfferHandover(Action):
    """request_human (typed, or the "Een mens spreken" button after any answer or a crisis)."""

    def __init__(self, cases: CaseStore) -> None:
        self._cases = cases

    def name(self) -> str:
        return "action_offer_handover"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_request_human")
        offer_handover(dispatcher, tracker, self._cases, "request_human")
        return []


def previous_intent(events: list[dict[str, Any]]) -> str | None:
    """The intent of the person's message before the current one."""
    users = [e for e in events if e.get("event") == "user"]
    return _intent(users[-2]) if len(users) >= 2 else None


class ActionFallback(Action):
    """Not understood: counted for the insight page; the second time in a row, a handover."""

    def __init__(self, cases: CaseStore) -> None:
        self._cases = cases

    def name(self) -> str:
        return "action_fallback"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        language, _ = language_and_channel(tracker)
        ranking = tracker.latest_message.get("intent_ranking") or []
        best_guess = next(
            (r.get("name") for r in ranking if r.get("name") != "nlu_fallback"), None
        )
        self._cases.count_fallback(best_guess, tracker.get_slot("group"), language)
        if previous_intent(tracker.events) == "nlu_fallback":
            dispatcher.utter_message(response="utter_fallback_twice")
            offer_handover(dispatcher, tracker, self._cases, "fallback")
        else:
            dispatcher.utter_message(response="utter_fallback")
        return []


class ActionCaseStatus(Action):
    """ "Is there an answer to my question yet?" in the person's words (the /status command is
    answered by the app itself with the same texts)."""

    def __init__(self, cases: CaseStore) -> None:
        self._cases = cases

    def name(self) -> str:
        return "action_case_status"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        language, _ = language_and_channel(tracker)
        refs = self._cases.cases_of(tracker.sender_id)
        if not refs:
            dispatcher.utter_message(response="utter_case_status_none")
        else:
            dispatcher.utter_message(
                response="utter_case_status", case_lines=status_lines(refs, language)
            )
        return []
