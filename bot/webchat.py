"""The local web chat: a page to talk to Wegwijs in a browser, and its JSON API.

This is how someone without a Telegram token sees Wegwijs work. The API is the same conversation
service every channel uses: POST /chat/api/messages {"sender", "text"} -> {"language", "replies"}.
An optional "language_hint" (the browser's language) plays the part of Telegram's language_code.
"""

from __future__ import annotations

import re
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.templating import Jinja2Templates

from bot import web_inbox
from bot.conversation import ConversationService, InboundMessage
from core.i18n import N_, translate
from core.languages import NATIVE_NAMES, SUPPORTED, direction

MAX_TEXT_LENGTH = 2000
_SENDER = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")

#: Texts of the page itself (the bot's messages come from domain.yml).
UI_TEXTS = {
    "placeholder": N_("Typ je vraag..."),
    "send": N_("Versturen"),
    "language": N_("Taal kiezen"),
    "offline": N_("Geen verbinding. Probeer het opnieuw."),
    "start": N_("Hallo"),
}


def ui_texts() -> dict[str, dict[str, Any]]:
    """The page's own texts in every language, with the text direction."""
    return {
        language: {
            "dir": direction(language),
            "name": NATIVE_NAMES[language],
            **{key: translate(text, language) for key, text in UI_TEXTS.items()},
        }
        for language in SUPPORTED
    }


class BadChatRequest(ValueError):
    """The API body is not a valid message; the text says what is wrong."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def parse_chat_request(body: Any) -> InboundMessage:
    """Validate the API body and turn it into a channel-neutral message."""
    if not isinstance(body, dict):
        raise BadChatRequest("body must be a JSON object with 'sender' and 'text'")
    sender, text = body.get("sender"), body.get("text")
    if not isinstance(sender, str) or not _SENDER.match(sender):
        raise BadChatRequest("'sender' must be 1-100 characters: letters, digits, '.', '_' or '-'")
    if not isinstance(text, str) or not text.strip():
        raise BadChatRequest("'text' must be a non-empty string")
    if len(text) > MAX_TEXT_LENGTH:
        raise BadChatRequest(f"'text' is longer than {MAX_TEXT_LENGTH} characters", status=413)
    hint = body.get("language_hint")  # optional: the browser's language, like Telegram's hint
    if hint is not None and (not isinstance(hint, str) or len(hint) > 35):
        raise BadChatRequest(
            "'language_hint' must be a short language tag such as 'ar' or 'uk-UA'"
        )
    return InboundMessage(channel="web", sender=sender, text=text.strip(), language_hint=hint)


async def post_message(request: Request) -> Response:
    """POST /chat/api/messages."""
    try:
        message = parse_chat_request(await request.json())
    except BadChatRequest as exc:
        return JSONResponse({"error": str(exc)}, status_code=exc.status)
    except ValueError:
        return JSONResponse({"error": "body is not valid JSON"}, status_code=400)
    service: ConversationService = request.app.state.conversations
    outcome = await service.handle(message)
    return JSONResponse(
        {"language": outcome.language, "replies": [r.as_json() for r in outcome.replies]}
    )


async def get_messages(request: Request) -> Response:
    """GET /chat/api/messages?sender=...&after=<id>: messages that arrived later (staff
    answers)."""
    sender = request.query_params.get("sender", "")
    if not _SENDER.match(sender):
        return JSONResponse({"error": "'sender' is missing or not valid"}, status_code=400)
    try:
        after = int(request.query_params.get("after", "0"))
    except ValueError:
        return JSONResponse({"error": "'after' must be a message id (a number)"}, status_code=400)
    messages = await anyio.to_thread.run_sync(
        web_inbox.fetch, request.app.state.db, f"web:{sender}", after
    )
    return JSONResponse({"messages": messages})


def chat_page(templates: Jinja2Templates):
    async def page(request: Request) -> Response:
        """GET /chat: the chat page."""
        return templates.TemplateResponse(request, "chat.html", {"ui": ui_texts()})

    return page
