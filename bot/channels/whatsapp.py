"""The WhatsApp channel (Meta's Cloud API): a webhook for what people write, the Graph API for
what Wegwijs sends.

- GET /webhooks/whatsapp answers Meta's verification handshake (hub.verify_token).
- POST /webhooks/whatsapp takes Meta's notifications. Every request must carry
  X-Hub-Signature-256, the HMAC-SHA256 of the raw body with the app secret; anything else is
  refused before it is read as JSON, and nothing of it is stored or answered. Text, reply-button
  and list replies go to the conversation service (a button's id is our payload); voice, photos,
  stickers and the like get the friendly "text only" reply; delivery statuses are consumed
  quietly. A message id is answered once, however often Meta retries it. Meta gets its 200 after
  the replies are sent.
- Replies: at most 3 buttons become reply buttons, more a list (see whatsapp_format).
- Staff answers (the outbox calls `send`) may only be sent free-form within 24 hours of the
  person's last message (WhatsApp's customer-service window). Outside it, the person is invited
  back once with the approved template, the delivery waits (DeliveryDeferred, with a note for
  staff), and it goes out as soon as the person writes again (`hurry`).

Logs name event kinds only: never what people write, their numbers or their names.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import re
from collections import Counter
from typing import Any

import anyio
import httpx
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot import outbox
from bot.channels import seen
from bot.channels.whatsapp_format import message_bodies, template_body
from bot.conversation import ConversationService, InboundMessage
from bot.db import Conversation, WhatsAppWindow, now
from bot.engine_client import BotMessage
from core.config import Settings
from core.i18n import translate
from core.languages import is_supported

logger = logging.getLogger(__name__)

NAME = "whatsapp"
PATH = "/webhooks/whatsapp"
#: Meta's notifications are small; anything bigger is not from Meta.
MAX_BODY_BYTES = 1024 * 1024
#: WhatsApp's customer-service window, with a little room for clocks and queues.
WINDOW = dt.timedelta(hours=24)
WINDOW_MARGIN = dt.timedelta(minutes=2)
#: Graph API error code: the window is closed, only a template may be sent.
REENGAGEMENT_REQUIRED = 131047
#: Message types that carry nothing for the bot and get no answer (a reaction to a message;
#: Meta's notes about a changed number).
QUIET_TYPES = {"reaction", "system"}
#: wa_id: digits (a phone number); tolerate letters for Meta's business-scoped user ids.
_SENDER = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

NOTE_INVITED = (
    "WhatsApp: het 24-uursvenster was gesloten. De persoon kreeg een uitnodiging (template) om "
    "te reageren; het antwoord volgt zodra de persoon schrijft."
)
NOTE_NO_TEMPLATE = (
    "WhatsApp: het 24-uursvenster is gesloten en er is geen template ingesteld; het antwoord "
    "wacht tot de persoon weer schrijft."
)


class GraphError(RuntimeError):
    """The Graph API refused a message or failed; `code` is Meta's error code when it gave one.
    The text carries only the HTTP status and the codes (never the message or the number)."""

    def __init__(self, status: int, code: int | None = None, subcode: int | None = None) -> None:
        super().__init__(f"graph api status {status}, error code {code}, subcode {subcode}")
        self.status = status
        self.code = code
        self.subcode = subcode


class WindowClosed(GraphError):
    """Meta says the 24-hour window is closed (error 131047): only a template may be sent."""


def signature_ok(secret: str | None, body: bytes, header: str | None) -> bool:
    """True when `header` is "sha256=" + the HMAC-SHA256 of `body` with the app secret."""
    if not secret or not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256=").strip().lower())


class BodyTooLarge(Exception):
    pass


async def read_limited(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The raw body, refused (BodyTooLarge) as soon as it is bigger than `limit`."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge()
        chunks.append(chunk)
    return b"".join(chunks)


def inbound_of(message: dict[str, Any]) -> tuple[str, str] | None:
    """(kind, text) for the conversation service, or None when the message needs no answer."""
    kind = message.get("type")
    if kind == "text":
        body = (message.get("text") or {}).get("body")
        return ("text", body.strip()) if isinstance(body, str) and body.strip() else None
    if kind == "interactive":
        interactive = message.get("interactive") or {}
        reply = interactive.get(interactive.get("type") or "") or {}
        if (
            interactive.get("type") in ("button_reply", "list_reply")
            and isinstance(reply.get("id"), str)
            and reply["id"]
        ):
            return "text", reply["id"]
        return "unsupported", ""
    if kind == "button":  # a quick-reply button of a template (our invitation back)
        button = message.get("button") or {}
        payload, text = button.get("payload"), button.get("text")
        if isinstance(payload, str) and payload.startswith("/"):
            return "text", payload
        return ("text", text.strip()) if isinstance(text, str) and text.strip() else None
    if kind == "request_welcome":  # the person opened the chat for the first time
        return "text", "/start"
    if kind in QUIET_TYPES:
        return None
    return "unsupported", ""  # image, audio, video, document, sticker, location, contacts, ...


class WhatsAppChannel:
    name = NAME

    def __init__(
        self,
        settings: Settings,
        conversations: ConversationService,
        db: Engine,
    ) -> None:
        self._settings = settings
        self._conversations = conversations
        self._db = db
        self._messages_url = (
            f"{settings.whatsapp_api_url.rstrip('/')}/{settings.whatsapp_phone_number_id}/messages"
        )
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(20.0, connect=10.0),
            headers={"Authorization": f"Bearer {settings.whatsapp_token}"},
        )

    # ------------------------------------------------------------------ app wiring

    def routes(self) -> list[BaseRoute]:
        return [
            Route(PATH, self.verify, methods=["GET"]),
            Route(PATH, self.webhook, methods=["POST"]),
        ]

    async def start(self) -> None:
        if not self._settings.whatsapp_app_secret:
            logger.error(
                "whatsapp: no app secret is set (WEGWIJS_WHATSAPP_APP_SECRET); every webhook "
                "request will be refused"
            )
        if not self._settings.whatsapp_verify_token:
            logger.warning("whatsapp: no verify token is set; Meta's handshake will be refused")
        logger.info("whatsapp channel started")

    async def stop(self) -> None:
        await self._http.aclose()

    # ------------------------------------------------------------------ webhook

    async def verify(self, request: Request) -> Response:
        """GET: Meta's handshake when the webhook is configured."""
        params = request.query_params
        expected = self._settings.whatsapp_verify_token
        token = params.get("hub.verify_token", "")
        if (
            params.get("hub.mode") == "subscribe"
            and expected
            and hmac.compare_digest(token.encode(), expected.encode())
        ):
            logger.info("whatsapp: webhook verified")
            return PlainTextResponse(params.get("hub.challenge", ""))
        logger.warning("whatsapp: webhook verification refused")
        return PlainTextResponse("forbidden", status_code=403)

    async def webhook(self, request: Request) -> Response:
        """POST: messages and statuses from Meta."""
        try:
            raw = await read_limited(request)
        except BodyTooLarge:
            logger.warning("whatsapp: webhook body too large; refused")
            return JSONResponse({"error": "body too large"}, status_code=413)
        except ClientDisconnect:
            return Response(status_code=400)
        if not signature_ok(
            self._settings.whatsapp_app_secret, raw, request.headers.get("x-hub-signature-256")
        ):
            logger.warning("whatsapp: webhook request without a valid signature; refused")
            return JSONResponse({"error": "invalid signature"}, status_code=401)
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            logger.warning("whatsapp: webhook body is not JSON; refused")
            return JSONResponse({"error": "body is not JSON"}, status_code=400)
        if not isinstance(body, dict):
            return JSONResponse({"error": "body must be a JSON object"}, status_code=400)
        if body.get("object") != "whatsapp_business_account":
            logger.info("whatsapp: notification for another object ignored")
            return JSONResponse({"ok": True})
        counts: Counter[str] = Counter()
        for value in self._values(body):
            statuses, messages = value.get("statuses"), value.get("messages")
            counts["status"] += len(statuses) if isinstance(statuses, list) else 0
            for message in messages if isinstance(messages, list) else ():
                if isinstance(message, dict):
                    counts[await self._on_message(message)] += 1
        logger.info(
            "whatsapp: webhook handled (%s)",
            ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items()) if n) or "nothing",
        )
        return JSONResponse({"ok": True})

    def _values(self, body: dict[str, Any]):
        """The `value` of every messages change for our phone number."""
        for entry in body.get("entry") or ():
            if not isinstance(entry, dict):
                continue
            for change in entry.get("changes") or ():
                if not isinstance(change, dict) or change.get("field", "messages") != "messages":
                    continue
                value = change.get("value")
                if not isinstance(value, dict):
                    continue
                phone_id = (value.get("metadata") or {}).get("phone_number_id")
                if phone_id and phone_id != self._settings.whatsapp_phone_number_id:
                    logger.info("whatsapp: notification for another phone number ignored")
                    continue
                yield value

    async def _on_message(self, message: dict[str, Any]) -> str:
        """Answer one message; returns its event kind for the log."""
        message_id, sender = message.get("id"), message.get("from")
        kind = str(message.get("type") or "unknown")[:20]
        if not isinstance(message_id, str) or not message_id:
            return "without_id"
        if not isinstance(sender, str) or not _SENDER.match(sender):
            return "without_sender"
        if not await anyio.to_thread.run_sync(seen.first_time, self._db, NAME, message_id):
            return "repeat"
        key = f"{NAME}:{sender}"
        await anyio.to_thread.run_sync(self._wrote, key)
        inbound = inbound_of(message)
        if inbound is None:
            return f"{kind}_quiet"
        inbound_kind, text = inbound
        try:
            outcome = await self._conversations.handle(
                InboundMessage(channel=NAME, sender=sender, text=text, kind=inbound_kind)
            )
        except Exception as exc:  # noqa: BLE001 - one bad message must not cost the others
            logger.error("whatsapp: message not handled (%s)", type(exc).__name__)
            return f"{kind}_failed"
        menu = translate("Menu", outcome.language)
        try:
            for reply in outcome.replies:
                for body in message_bodies(sender, reply, menu):
                    await self._post(body)
        except (GraphError, httpx.HTTPError) as exc:
            # The person can simply write again; Meta must not retry the whole notification.
            logger.warning("whatsapp: reply not sent (%s)", _kind_of(exc))
            return f"{kind}_reply_failed"
        return kind if inbound_kind == "text" else f"{kind}_unsupported"

    def _wrote(self, key: str) -> None:
        """The person wrote: the 24-hour window is open again, waiting deliveries are due."""
        moment = now()
        for _ in range(2):  # a second message of the same person may insert the row first
            try:
                with Session(self._db) as session, session.begin():
                    window = session.get(WhatsAppWindow, key)
                    if window is None:
                        session.add(WhatsAppWindow(conversation_key=key, last_inbound_at=moment))
                    else:
                        window.last_inbound_at = moment
                break
            except IntegrityError:
                continue
        outbox.hurry(self._db, key)

    # ------------------------------------------------------------------ sending

    async def _post(self, body: dict[str, Any]) -> str | None:
        """Send one message; returns its wamid. Raises GraphError when Meta refuses it."""
        response = await self._http.post(self._messages_url, json=body)
        try:
            data = response.json()
        except ValueError:
            data = None
        error = data.get("error") if isinstance(data, dict) else None
        if response.status_code >= 400 or error:
            code = subcode = None
            if isinstance(error, dict):
                code, subcode = error.get("code"), error.get("error_subcode")
            cls = WindowClosed if code == REENGAGEMENT_REQUIRED else GraphError
            raise cls(response.status_code, code, subcode)
        messages = data.get("messages") if isinstance(data, dict) else None
        if messages and isinstance(messages[0], dict):
            return messages[0].get("id")
        return None

    async def send(self, conversation_key: str, message: BotMessage) -> str | None:
        """Deliver a message that arrives later (a staff answer, a closing notice): free-form
        within the 24-hour window; outside it, invite the person back and wait."""
        to = conversation_key.split(":", 1)[1] if ":" in conversation_key else conversation_key
        window, language = await anyio.to_thread.run_sync(self._window_of, conversation_key)
        last_inbound = window[0] if window else None
        if last_inbound is None or now() - last_inbound >= WINDOW - WINDOW_MARGIN:
            await self._invite_back(conversation_key, to, window, language)
        menu = translate("Menu", language)
        try:
            for body in message_bodies(to, message, menu):
                await self._post(body)
        except WindowClosed:
            # Our clock says open, Meta's says closed: treat it as closed.
            await self._invite_back(conversation_key, to, window, language, force=True)
        logger.info("whatsapp: message delivered for the outbox")
        return None

    async def _invite_back(
        self,
        key: str,
        to: str,
        window: tuple[dt.datetime | None, dt.datetime | None] | None,
        language: str,
        force: bool = False,
    ) -> None:
        """The window is closed: send the template once per closed window, then defer."""
        template = self._settings.whatsapp_reopen_template
        if not template:
            logger.info("whatsapp: window closed and no template configured; delivery waits")
            raise outbox.DeliveryDeferred(NOTE_NO_TEMPLATE)
        last_inbound, invited = window or (None, None)
        already = invited is not None and (last_inbound is None or invited >= last_inbound)
        if not already:
            code = self.template_language(language)
            await self._post(template_body(to, template, code))
            await anyio.to_thread.run_sync(self._invited, key)
            logger.info("whatsapp: window closed; invitation template sent")
        elif force:
            logger.info("whatsapp: window closed for Meta; the person was invited already")
        raise outbox.DeliveryDeferred(NOTE_INVITED, retry_after=3600)

    def template_language(self, language: str) -> str:
        """The template's language code for our language, else the "nl" entry, else "nl"."""
        codes = self._settings.whatsapp_template_languages
        return codes.get(language) or codes.get("nl") or "nl"

    def _window_of(
        self, key: str
    ) -> tuple[tuple[dt.datetime | None, dt.datetime | None] | None, str]:
        """((last inbound, invited at) or None, the conversation's language)."""
        with Session(self._db) as session:
            window = session.get(WhatsAppWindow, key)
            conversation = session.get(Conversation, key)
            times = (_utc(window.last_inbound_at), _utc(window.invited_at)) if window else None
            language = conversation.language if conversation else None
        if not language or not is_supported(language):
            language = self._settings.default_language
        return times, language

    def _invited(self, key: str) -> None:
        with Session(self._db) as session, session.begin():
            window = session.get(WhatsAppWindow, key)
            if window is None:
                # Never wrote as far as we know (e.g. the row was lost): remember the invitation,
                # with a last message so long ago that the window counts as closed.
                window = WhatsAppWindow(
                    conversation_key=key,
                    last_inbound_at=dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc),
                )
                session.add(window)
            window.invited_at = now()


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives naive datetimes back; we store UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.timezone.utc)
    return moment


def _kind_of(exc: Exception) -> str:
    if isinstance(exc, GraphError):
        return f"{type(exc).__name__} status {exc.status} code {exc.code}"
    return type(exc).__name__
