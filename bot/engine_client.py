"""Talks to the Rasa engine over its documented HTTP interfaces (REST channel, /model/parse).

The app never imports rasa; this client is the only place that knows the engine's URLs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import httpx

logger = logging.getLogger(__name__)


class EngineUnavailable(RuntimeError):
    """The engine did not answer, or answered with an error."""


@dataclass(frozen=True)
class BotMessage:
    """One message of the bot, channel-neutral: text and buttons (title + payload)."""

    text: str
    buttons: tuple[tuple[str, str], ...] = field(default=())

    def as_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "buttons": [{"title": t, "payload": p} for t, p in self.buttons],
        }


def _bot_message(raw: dict[str, Any]) -> BotMessage | None:
    text = raw.get("text") or ""
    buttons = tuple(
        (str(b.get("title", "")), str(b.get("payload", ""))) for b in raw.get("buttons") or ()
    )
    if not text and not buttons:
        return None
    return BotMessage(text, buttons)


class EngineClient:
    """Async client for one Rasa engine; share one instance (it pools connections)."""

    def __init__(self, base_url: str, timeout: float) -> None:
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def send(self, sender_id: str, text: str, metadata: dict[str, Any]) -> list[BotMessage]:
        """Send one user message through the REST channel and return the bot's replies."""
        body = {"sender": sender_id, "message": text, "metadata": metadata}
        raw = await self._post("/webhooks/rest/webhook", body)
        if not isinstance(raw, list):
            raise EngineUnavailable("the REST channel did not return a list of messages")
        return [m for m in (_bot_message(r) for r in raw if isinstance(r, dict)) if m]

    async def parse(self, text: str) -> dict[str, Any]:
        """Classify a text without touching any conversation (used by the NLU evaluation)."""
        return await self._post("/model/parse", {"text": text})

    async def is_ready(self) -> bool:
        """True when the engine answers and has a model loaded."""
        try:
            response = await self._http.get("/status")
            return response.status_code == 200 and bool(response.json().get("model_file"))
        except (httpx.HTTPError, ValueError):
            return False

    async def _post(self, path: str, body: dict[str, Any]) -> Any:
        try:
            response = await self._http.post(path, json=body)
            response.raise_for_status()
            return response.json()
        except httpx.HTTPError as exc:
            logger.warning("engine call %s failed: %s", path, type(exc).__name__)
            raise EngineUnavailable(str(exc)) from exc
        except ValueError as exc:
            raise EngineUnavailable("the engine answered with invalid JSON") from exc
