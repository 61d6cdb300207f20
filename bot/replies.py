"""Messages the app sends itself (not through the engine), rendered from domain.yml like every
other text: in the person's language, with the municipality's values filled in."""

from __future__ import annotations

from typing import Any

from bot.engine_client import BotMessage
from bot.nlg import Renderer


def rendered(renderer: Renderer, name: str, language: str, **values: Any) -> BotMessage:
    message = renderer.render_named(name, language, values)
    return BotMessage(
        message["text"], tuple((b["title"], b["payload"]) for b in message["buttons"])
    )
