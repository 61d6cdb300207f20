"""How one channel-neutral bot message becomes WhatsApp Cloud API message bodies.

Pure functions, no I/O. WhatsApp's limits (Cloud API reference, interactive messages):
- text message: at most 4096 characters;
- interactive body: at most 1024 characters;
- reply buttons: at most 3, title at most 20 characters, id at most 256;
- list: at most 10 rows, row title at most 24, row description at most 72, row id at most 200,
  the button that opens the list at most 20 characters.

A message with at most 3 buttons gets reply buttons, one with more gets a list (the first 10
buttons). Text longer than an interactive body allows goes first as plain text messages, split at
paragraphs, then lines, then words; the last part (at most 1024 characters) carries the buttons.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.channels import split
from bot.engine_client import BotMessage

logger = logging.getLogger(__name__)

TEXT_MAX = 4096
BODY_MAX = 1024
REPLY_BUTTONS_MAX = 3
BUTTON_TITLE_MAX = 20
BUTTON_ID_MAX = 256
LIST_ROWS_MAX = 10
ROW_TITLE_MAX = 24
ROW_DESCRIPTION_MAX = 72
ROW_ID_MAX = 200
LIST_BUTTON_MAX = 20
ELLIPSIS = "…"

#: Where a long text may be cut, best first: between paragraphs, lines, words.
_BOUNDARIES = ("\n\n", "\n", " ")


def shorten(text: str, limit: int) -> str:
    """`text` when it fits; else cut at the last word boundary that leaves room for "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    room = text[: limit - 1]
    cut = room.rfind(" ")
    if cut >= limit // 2:  # a word boundary that keeps at least half the room
        room = room[:cut]
    return room.rstrip(" ,;:-") + ELLIPSIS


def split_text(text: str, limit: int = TEXT_MAX) -> list[str]:
    """Parts of at most `limit`, cut at paragraph, line or word boundaries (bot.channels.split)."""
    text = text.strip()
    return split.split_text(text, limit) if text else []


def split_for_interactive(text: str) -> tuple[list[str], str]:
    """(leading plain-text parts, last part of at most BODY_MAX for the interactive body)."""
    text = text.strip()
    if len(text) <= BODY_MAX:
        return [], text
    start = len(text) - BODY_MAX
    tail_at = None
    for boundary in _BOUNDARIES:
        at = text.find(boundary, start)
        if at >= 0:
            tail_at = at
            break
    if tail_at is None or not text[tail_at:].strip():
        tail_at = start
    head, tail = text[:tail_at].strip(), text[tail_at:].strip()
    return split_text(head, TEXT_MAX), tail


def _unique(titles: list[str], limit: int) -> list[str]:
    """WhatsApp refuses two equal titles in one message: number the repeats (rare: cut titles)."""
    seen: set[str] = set()
    result = []
    for title in titles:
        candidate, n = title, 2
        while candidate in seen:
            suffix = f" {n}"
            candidate = shorten(title, limit - len(suffix)) + suffix
            n += 1
        seen.add(candidate)
        result.append(candidate)
    return result


def usable_buttons(buttons: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    """The first 10 buttons with a payload WhatsApp accepts (a cut payload would do the wrong
    thing, so a button with a too-long payload is left out); a repeated payload once."""
    kept: list[tuple[str, str]] = []
    payloads: set[str] = set()
    for title, payload in buttons:
        if not payload or len(payload) > ROW_ID_MAX:
            logger.warning("a button payload does not fit WhatsApp's id limit; button left out")
            continue
        if payload in payloads:
            continue
        payloads.add(payload)
        kept.append((title or payload, payload))
    return kept[:LIST_ROWS_MAX]


def reply_buttons(body: str, buttons: list[tuple[str, str]]) -> dict[str, Any]:
    titles = _unique([shorten(title, BUTTON_TITLE_MAX) for title, _ in buttons], BUTTON_TITLE_MAX)
    return {
        "type": "button",
        "body": {"text": body},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": payload, "title": title}}
                for title, (_, payload) in zip(titles, buttons)
            ]
        },
    }


def list_message(body: str, buttons: list[tuple[str, str]], list_button: str) -> dict[str, Any]:
    titles = _unique([shorten(title, ROW_TITLE_MAX) for title, _ in buttons], ROW_TITLE_MAX)
    rows = []
    for short, (full, payload) in zip(titles, buttons):
        row = {"id": payload, "title": short}
        if short != " ".join(full.split()):  # cut: the whole title goes in the description
            row["description"] = shorten(full, ROW_DESCRIPTION_MAX)
        rows.append(row)
    return {
        "type": "list",
        "body": {"text": body},
        "action": {
            "button": shorten(list_button, LIST_BUTTON_MAX),
            "sections": [{"rows": rows}],
        },
    }


def message_bodies(to: str, message: BotMessage, list_button: str) -> list[dict[str, Any]]:
    """The Cloud API bodies (POST /<phone number id>/messages) that together send `message`.

    `list_button` is the translated word on the button that opens a list ("Menu")."""
    buttons = usable_buttons(message.buttons)
    if not buttons:
        texts = split_text(message.text, TEXT_MAX)
        return [_envelope(to, "text", {"body": part, "preview_url": False}) for part in texts]
    leading, body = split_for_interactive(message.text)
    if not body:
        body = list_button  # an interactive message needs a body; a bare button list is rare
    if len(buttons) <= REPLY_BUTTONS_MAX:
        interactive = reply_buttons(body, buttons)
    else:
        interactive = list_message(body, buttons, list_button)
    return [
        *(_envelope(to, "text", {"body": part, "preview_url": False}) for part in leading),
        _envelope(to, "interactive", interactive),
    ]


def template_body(to: str, name: str, language_code: str) -> dict[str, Any]:
    """An approved template without variables (nothing personal goes into it)."""
    return _envelope(to, "template", {"name": name, "language": {"code": language_code}})


def _envelope(to: str, kind: str, content: dict[str, Any]) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": kind,
        kind: content,
    }
