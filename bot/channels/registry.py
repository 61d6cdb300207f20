"""Which messenger channels run: each one whose credentials are set in the settings.

A channel gives the app its webhook routes, starts and stops with the app (long polling, webhook
registration, command menus), and sends messages that arrive later (staff answers) for the outbox.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.engine import Engine
from starlette.routing import BaseRoute

from bot.conversation import ConversationService
from bot.engine_client import BotMessage
from core.config import Settings


class Channel(Protocol):
    #: The channel name used in conversation keys ("telegram:<chat id>") and cases.
    name: str

    def routes(self) -> list[BaseRoute]: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, conversation_key: str, message: BotMessage) -> str | None: ...


def build_channels(
    settings: Settings, conversations: ConversationService, db: Engine
) -> list[Channel]:
    channels: list[Channel] = []
    if settings.telegram_token:
        from bot.channels.telegram import TelegramChannel

        channels.append(TelegramChannel(settings, conversations, db))
    if settings.whatsapp_token and settings.whatsapp_phone_number_id:
        from bot.channels.whatsapp import WhatsAppChannel

        channels.append(WhatsAppChannel(settings, conversations, db))
    return channels
