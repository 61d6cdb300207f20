"""What the Telegram channel does to the bot's messages before they go out: long texts split at
Telegram's limit (with bot.channels.split), and button payloads fitted into callback_data's
64 bytes.

Both are pure functions of their input (no network), so they are tested on their own.
"""

from __future__ import annotations

import base64
import hashlib
from collections import OrderedDict
from collections.abc import Iterable

from bot.channels import split
from bot.channels.split import utf16_length

__all__ = ["MESSAGE_LIMIT", "CallbackPayloads", "split_text", "utf16_length"]

#: Telegram's limit for one message text. It counts UTF-16 code units (an emoji outside the
#: Basic Multilingual Plane counts twice), so we count the same way.
MESSAGE_LIMIT = 4096
#: Telegram's limit for callback_data, in bytes (UTF-8).
CALLBACK_DATA_LIMIT = 64


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """A text in parts of at most Telegram's message limit (see bot.channels.split)."""
    return split.split_text(text, limit)


class CallbackPayloads:
    """Button payloads in and out of callback_data, which Telegram limits to 64 bytes.

    A payload that fits (every payload of domain.yml today, e.g. /choose_language{"language":
    "ar"}) is sent as it is, so a button keeps working across restarts and replicas without any
    state. A longer one is sent as a token: "#" and 32 characters of its SHA-256. The token is
    the same in every process, so the payloads of domain.yml (`known`) decode everywhere, also
    after a restart; other long payloads are remembered in memory (the most recent `size`).
    A token nobody remembers decodes to None; the channel then falls back to the button's title.
    """

    PREFIX = "#"

    def __init__(self, known: Iterable[str] = (), size: int = 10_000) -> None:
        self._size = size
        self._static: dict[str, str] = {}
        self._recent: OrderedDict[str, str] = OrderedDict()
        for payload in known:
            if not self.fits(payload):
                self._static[self.token(payload)] = payload

    @classmethod
    def fits(cls, payload: str) -> bool:
        return len(payload.encode("utf-8")) <= CALLBACK_DATA_LIMIT and not payload.startswith(
            cls.PREFIX
        )

    @classmethod
    def token(cls, payload: str) -> str:
        digest = hashlib.sha256(payload.encode("utf-8")).digest()[:24]
        return cls.PREFIX + base64.urlsafe_b64encode(digest).decode("ascii")

    def encode(self, payload: str) -> str:
        if self.fits(payload):
            return payload
        token = self.token(payload)
        if token not in self._static:
            self._recent[token] = payload
            self._recent.move_to_end(token)
            while len(self._recent) > self._size:
                self._recent.popitem(last=False)
        return token

    def decode(self, data: str) -> str | None:
        if not data.startswith(self.PREFIX):
            return data
        return self._static.get(data) or self._recent.get(data)
