"""The app's part of a handover: consent, description, messages into an open case, status, erasure.

The engine offers a handover (actions/handover.py records the offer). From there the app answers
itself, because these steps must work the same when the engine is slow or down, and because a
person's messages to staff must not be classified and answered by the bot:

- the consent buttons (/handover_consent, /handover_describe, /handover_decline);
- the description the person types after /handover_describe;
- every message while a case is open and attached: it goes into the case, except that a crisis
  still gets the crisis reply first and a status question gets the status;
- /status, /case_detach (talk to the bot again), /case_reply (reply to a staff answer);
- /wissen (or /erase, /delete): erase everything about this person, after a confirmation button.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

import anyio

from bot.case_texts import status_lines
from bot.cases import CaseStore
from bot.commands import command_of
from bot.engine_client import BotMessage, EngineClient, EngineUnavailable
from bot.nlg import Renderer
from bot.replies import rendered

logger = logging.getLogger(__name__)

STATUS_COMMANDS = frozenset({"/status", "/case_status"})
ERASE_COMMANDS = frozenset({"/wissen", "/erase", "/delete", "/forget"})
#: A typed message counts as a status question only when the engine is this sure.
STATUS_CONFIDENCE = 0.6

EraseTracker = Callable[[str], Awaitable[None]]


@dataclass(frozen=True)
class Turn:
    """One message of a person as the handover flow needs it."""

    key: str
    text: str
    language: str
    channel: str

    @property
    def command(self) -> str | None:
        """The button payload or command without arguments ("/handover_consent"), if it is one."""
        return command_of(self.text)


class HandoverFlow:
    def __init__(
        self,
        cases: CaseStore,
        engine: EngineClient,
        renderer: Renderer,
        erase_tracker: EraseTracker,
    ) -> None:
        self._cases = cases
        self._engine = engine
        self._renderer = renderer
        self._erase_tracker = erase_tracker

    def say(self, name: str, language: str, **values: Any) -> BotMessage:
        return rendered(self._renderer, name, language, **values)

    async def handle(self, turn: Turn) -> list[BotMessage] | None:
        """The replies when the app answers this message itself; None to ask the engine."""
        command = turn.command
        if command is not None:
            return await self._command(turn, command)
        awaiting_description, case = await anyio.to_thread.run_sync(self._cases.route_of, turn.key)
        if awaiting_description:
            return await self._description(turn)
        if case is not None:
            return await self._into_case(turn, case.id, case.reference)
        return None

    async def offer_after_engine_failure(self, turn: Turn) -> list[BotMessage]:
        """The engine is down: the person can still leave the question for staff."""
        if turn.command is not None:
            return []
        await anyio.to_thread.run_sync(
            lambda: self._cases.record_offer(
                turn.key,
                reason="engine_unavailable",
                topic_intent=None,
                question=turn.text,
                candidates=[],
                excerpt=[{"from": "person", "text": turn.text}],
                language=turn.language,
                group=None,
                channel=turn.channel,
            )
        )
        return [self.say("utter_handover_offer", turn.language)]

    async def _command(self, turn: Turn, command: str) -> list[BotMessage] | None:
        language = turn.language
        if command == "/handover_consent":
            case = await anyio.to_thread.run_sync(self._cases.consent, turn.key)
            if case is None:
                return [self.say("utter_handover_expired", language)]
            logger.info("handover accepted; case created (channel %s)", turn.channel)
            return [self.say("utter_case_created", language, reference=case.reference)]
        if command == "/handover_describe":
            waiting = await anyio.to_thread.run_sync(self._cases.await_description, turn.key)
            return [
                self.say(
                    "utter_handover_describe" if waiting else "utter_handover_expired", language
                )
            ]
        if command == "/handover_decline":
            await anyio.to_thread.run_sync(self._cases.withdraw_offer, turn.key)
            return [self.say("utter_handover_declined", language)]
        if command in STATUS_COMMANDS:
            return [await self._status(turn)]
        if command == "/case_detach":
            await anyio.to_thread.run_sync(self._cases.detach_all, turn.key)
            return [self.say("utter_case_detached", language)]
        if command == "/case_reply":
            return [await self._reattach(turn)]
        if command == "/request_human":  # a person already has this chat's open case
            case = await anyio.to_thread.run_sync(self._cases.attached_case, turn.key)
            if case is not None:
                return [self.say("utter_case_reply_prompt", language, reference=case.reference)]
        if command in ERASE_COMMANDS:
            return [self.say("utter_erase_confirm", language)]
        if command == "/erase_confirm":
            await self._erase(turn)
            return [self.say("utter_erased", language)]
        # Another button: the engine answers it, and a description we waited for is not coming.
        await anyio.to_thread.run_sync(self._cases.stop_waiting_for_description, turn.key)
        return None

    async def _status(self, turn: Turn) -> BotMessage:
        refs = await anyio.to_thread.run_sync(self._cases.cases_of, turn.key)
        if not refs:
            return self.say("utter_case_status_none", turn.language)
        return self.say(
            "utter_case_status", turn.language, case_lines=status_lines(refs, turn.language)
        )

    async def _reattach(self, turn: Turn) -> BotMessage:
        refs = await anyio.to_thread.run_sync(self._cases.cases_of, turn.key)
        case = next((r for r in refs if r.status != "closed"), None)
        if case is None:
            return self.say("utter_case_status_none", turn.language)
        await anyio.to_thread.run_sync(self._cases.set_attached, case.id, True)
        return self.say("utter_case_reply_prompt", turn.language, reference=case.reference)

    async def _description(self, turn: Turn) -> list[BotMessage]:
        """Keep the description; a crisis in it gets the crisis reply first."""
        crisis = await self._intent_of(turn.text) == "crisis"
        await anyio.to_thread.run_sync(self._cases.set_description, turn.key, turn.text)
        confirm = self.say(
            "utter_handover_confirm_description", turn.language, description=turn.text
        )
        return [*await self._engine_replies(turn), confirm] if crisis else [confirm]

    async def _into_case(self, turn: Turn, case_id: int, reference: str) -> list[BotMessage]:
        intent = await self._intent_of(turn.text)
        if intent == "case_status":
            return [await self._status(turn)]
        crisis = intent == "crisis"
        await anyio.to_thread.run_sync(self._cases.add_person_message, case_id, turn.text, crisis)
        added = self.say("utter_case_message_added", turn.language, reference=reference)
        if crisis:
            return [*await self._engine_replies(turn), added]
        return [added]

    async def _intent_of(self, text: str) -> str | None:
        """ "crisis" or "case_status" when the engine reads a message that the bot will not
        answer that way (a status question only when it is sure); None otherwise.

        Uses /model/parse, which does not touch the conversation. When the engine is down the
        message still reaches the case; only the crisis check is lost, and the case page and the
        replies both show 112.
        """
        try:
            parsed = await self._engine.parse(text)
        except EngineUnavailable:
            return None
        intent = parsed.get("intent") or {}
        if intent.get("name") == "crisis":
            return "crisis"
        if (
            intent.get("name") == "case_status"
            and intent.get("confidence", 0) >= STATUS_CONFIDENCE
        ):
            return "case_status"
        return None  # anything else: the message is for staff

    async def _engine_replies(self, turn: Turn) -> list[BotMessage]:
        try:
            return await self._engine.send(
                turn.key, turn.text, {"language": turn.language, "channel": turn.channel}
            )
        except EngineUnavailable:
            return []

    async def _erase(self, turn: Turn) -> None:
        cases = await anyio.to_thread.run_sync(self._cases.erase_person, turn.key)
        await self._erase_tracker(turn.key)
        logger.info("a person erased their data (%d cases)", cases)
