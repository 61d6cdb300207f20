"""The conversation service: one channel-neutral message in, the replies in the right language out.

Every channel (web chat now; Telegram and WhatsApp later) goes through `ConversationService.handle`,
so language resolution, the handover flow, the engine call and the engine-down reply behave the
same everywhere.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass

import anyio

from bot import commands
from bot import language as languages
from bot.engine_client import BotMessage, EngineClient, EngineUnavailable
from bot.handover import HandoverFlow, Turn
from bot.memory import LanguageMemory
from bot.nlg import Renderer
from bot.replies import rendered
from core.i18n import N_, translate
from core.languages import is_supported

logger = logging.getLogger(__name__)

ENGINE_DOWN = N_(
    "Sorry, ik kan nu even niet antwoorden. Probeer het over een paar minuten opnieuw.\n"
    "In gevaar? Bel 112."
)
_CHOOSE_LANGUAGE = re.compile(r"^/choose_language(\{.*\})\s*$", re.DOTALL)


@dataclass(frozen=True)
class InboundMessage:
    """A message from a person, as any channel delivers it."""

    channel: str
    sender: str
    text: str
    #: The channel's idea of the person's language (Telegram's language_code), if any.
    language_hint: str | None = None
    #: "text" (typed text or a button payload) or "unsupported" (voice, photo, sticker, ...).
    kind: str = "text"

    @property
    def conversation_key(self) -> str:
        return f"{self.channel}:{self.sender}"

    @property
    def is_button_payload(self) -> bool:
        return self.text.startswith("/")


@dataclass(frozen=True)
class Outcome:
    """What to send back: the language we answered in and the bot's messages."""

    language: str
    replies: list[BotMessage]


def chosen_language(text: str) -> str | None:
    """The language of a language button's payload, e.g. /choose_language{"language": "ar"}."""
    match = _CHOOSE_LANGUAGE.match(text.strip())
    if not match:
        return None
    try:
        language = json.loads(match.group(1)).get("language")
    except (ValueError, AttributeError):
        return None
    return language if is_supported(language) else None


class ConversationService:
    """The one path every channel's messages take to the engine and back."""

    def __init__(
        self,
        engine: EngineClient,
        memory: LanguageMemory,
        handover: HandoverFlow,
        renderer: Renderer,
        retention_days: float,
    ) -> None:
        self._engine = engine
        self._memory = memory
        self._handover = handover
        self._renderer = renderer
        self._retention_days = retention_days

    async def handle(self, message: InboundMessage) -> Outcome:
        """Answer one message: decide the language; then the handover flow answers (consent,
        messages into an open case, status, erasure) or the engine does; when the engine is down,
        apologise and offer to leave the question for staff."""
        key = message.conversation_key
        stored, previously_chosen = await anyio.to_thread.run_sync(self._memory.recall, key)
        chosen = chosen_language(message.text) or previously_chosen
        typed = message.kind == "text" and not message.is_button_payload
        detected = languages.detect(message.text) if typed else None
        language = languages.resolve(
            explicit=chosen, detected=detected, stored=stored, channel_hint=message.language_hint
        )
        if (language, chosen) != (stored, previously_chosen):
            await anyio.to_thread.run_sync(self._memory.remember, key, language, chosen)
        if message.kind != "text":
            return Outcome(
                language, [rendered(self._renderer, "utter_unsupported_message", language)]
            )
        answered = commands.app_answer(
            message.text, language, self._renderer, self._retention_days
        )
        if answered is not None:
            return Outcome(language, answered)
        turn = Turn(key, commands.as_payload(message.text), language, message.channel)
        handled = await self._handover.handle(turn)
        if handled is not None:
            return Outcome(language, handled)
        metadata = {"language": language, "channel": message.channel}
        try:
            replies = await self._engine.send(key, turn.text, metadata)
        except EngineUnavailable:
            logger.error(
                "engine unavailable; apologised to the person (channel %s)", message.channel
            )
            replies = [
                BotMessage(translate(ENGINE_DOWN, language)),
                *await self._handover.offer_after_engine_failure(turn),
            ]
        return Outcome(language, replies)
