"""The Telegram channel (python-telegram-bot): people chat with Wegwijs in Telegram.

- Long polling by default: nothing needs to reach the app from outside. With
  `telegram_webhook_url` set, the app registers `<url>/webhooks/telegram` with setWebhook (with a
  secret token and the update kinds we handle) and Telegram posts updates there. Every webhook
  request must carry the secret in X-Telegram-Bot-Api-Secret-Token (compared in constant time);
  without a configured secret one is derived from the bot token, so all replicas agree on it.
- Only private chats are answered; groups, supergroups and channels are ignored.
- Text and button presses go to the conversation service like web chat messages, with the
  person's Telegram `language_code` as the language hint; voice notes, photos, stickers,
  documents, locations and the like go in as "unsupported" and get the friendly reply.
- Buttons become inline keyboards (one button a row); a press is acknowledged
  (answerCallbackQuery) and its payload handled like a typed message. Payloads over 64 bytes go
  as a token (see telegram_text.CallbackPayloads).
- Long replies are split at 4096 characters at paragraph, line or word boundaries; no
  parse_mode, so no markup can break; the buttons go with the last part.
- Flood limits (429, RetryAfter): a reply waits the time Telegram asks and tries again. For the
  outbox (`send`), a short wait is waited out; a long one before anything was sent raises, so the
  outbox tries again later; once a part is out, the rest is always waited for.
- A repeated update (same update_id; a webhook replay or a poll after a crash) is answered once.
- Logs name kinds of events only: never texts, chat ids, user names or the token.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import re
import traceback
import warnings
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
from sqlalchemy.engine import Engine
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from telegram import (
    BotCommand,
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
)
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot import commands
from bot.channels import seen
from bot.channels.telegram_text import CallbackPayloads, split_text
from bot.conversation import ConversationService, InboundMessage
from bot.engine_client import BotMessage
from bot.outbox import DeliveryDeferred, hurry
from core.config import ROOT, Settings
from core.domain_content import load_responses
from core.i18n import translate
from core.languages import SUPPORTED

logger = logging.getLogger(__name__)

NAME = "telegram"
WEBHOOK_PATH = "/webhooks/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: Largest webhook body we read; a real update is a few kilobytes.
MAX_BODY_BYTES = 1_000_000
#: The update kinds we ask Telegram for (polling and webhook alike).
ALLOWED_UPDATES = ["message", "callback_query"]
#: Telegram allows 1-256 of these characters in a webhook secret.
_SECRET_CHARS = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
#: Seconds of one long poll (getUpdates timeout).
POLL_TIMEOUT = 30
#: How often one reply waits out a flood limit before it gives up (and logs that it did).
MAX_FLOOD_WAITS = 5
#: The longest flood wait `send` sits out before the first part; longer: the outbox retries.
OUTBOX_MAX_WAIT = 20.0
#: Backoff while Telegram cannot be reached at start (seconds, doubling).
START_RETRY_FIRST, START_RETRY_MAX = 2.0, 60.0
#: How long a delivery to a person who blocked the bot waits before it is tried again (it is
#: also tried as soon as the person writes again).
BLOCKED_RETRY_SECONDS = 6 * 3600.0
BLOCKED_NOTE = (
    "Telegram: het bericht is nog niet aangekomen, want de persoon heeft de chat met Wegwijs "
    "geblokkeerd of verwijderd. Het gaat alsnog zodra de persoon Wegwijs weer een bericht stuurt; "
    "tot dan proberen we het af en toe opnieuw."
)
#: A text for an (unusual) bot message that has buttons but no text: Telegram needs a text.
_EMPTY_TEXT = "…"
#: What a press of a button handles when its payload was a token nobody remembers and its
#: title cannot be found: the help menu, so the person is never left without an answer.
_UNKNOWN_BUTTON = "/help"


class TelegramNotReady(RuntimeError):
    """The channel has not reached Telegram yet (it keeps trying); the outbox retries later."""


class TelegramChannel:
    name = NAME

    def __init__(
        self,
        settings: Settings,
        conversations: ConversationService,
        db: Engine,
    ) -> None:
        if not settings.telegram_token:
            raise ValueError("the Telegram channel needs telegram_token")
        _keep_library_logs_quiet()  # before PTB logs its URLs (with the token) at DEBUG
        self._settings = settings
        self._conversations = conversations
        self._db = db
        self._webhook_url = (
            f"{settings.telegram_webhook_url.rstrip('/')}{WEBHOOK_PATH}"
            if settings.telegram_webhook_url
            else None
        )
        self._secret = webhook_secret(settings)
        self._payloads = CallbackPayloads(_domain_payloads())
        self._application = _build_application(settings, webhook=self._webhook_url is not None)
        self._application.add_handler(TypeHandler(Update, self._on_update))
        self._application.add_error_handler(self._on_error)
        self._ready = False
        self._retry_task: asyncio.Task | None = None
        self._chat_locks: dict[int, list[Any]] = {}

    # ------------------------------------------------------------------ lifecycle

    def routes(self) -> list[BaseRoute]:
        return [Route(WEBHOOK_PATH, self._webhook, methods=["POST"])]

    async def start(self) -> None:
        """Reach Telegram: check the token, register the commands, then set the webhook or start
        polling. When Telegram cannot be reached, the app starts anyway and this keeps trying in
        the background; a refused token turns the channel off (logged as an error)."""
        try:
            await self._bring_up()
        except InvalidToken:
            logger.error("telegram: the bot token was refused; the Telegram channel is off")
        except Exception as exc:  # noqa: BLE001 - the rest of the app must start regardless
            logger.warning(
                "telegram: could not reach Telegram at start (%s); trying again in the background",
                type(exc).__name__,
            )
            self._retry_task = asyncio.create_task(self._keep_trying())

    async def stop(self) -> None:
        if self._retry_task is not None:
            self._retry_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._retry_task
            self._retry_task = None
        self._ready = False
        application = self._application
        try:
            if application.updater is not None and application.updater.running:
                await application.updater.stop()
            if application.running:
                await application.stop()
            await application.shutdown()
        except Exception as exc:  # noqa: BLE001 - the app stops anyway
            logger.warning("telegram: stopping failed (%s)", type(exc).__name__)
        logger.info("telegram channel stopped")

    async def _bring_up(self) -> None:
        application = self._application
        await application.initialize()  # getMe: checks the token
        await self._register_commands()
        if self._webhook_url is not None:
            await application.bot.set_webhook(
                self._webhook_url,
                secret_token=self._secret,
                allowed_updates=ALLOWED_UPDATES,
            )
            logger.info("telegram channel ready (webhook)")
        else:
            if not application.running:
                await application.start()
            if not application.updater.running:
                await application.updater.start_polling(
                    timeout=POLL_TIMEOUT, allowed_updates=ALLOWED_UPDATES
                )
            logger.info("telegram channel ready (long polling)")
        self._ready = True

    async def _keep_trying(self) -> None:
        delay = START_RETRY_FIRST
        while True:
            await asyncio.sleep(delay)
            try:
                await self._bring_up()
                return
            except InvalidToken:
                logger.error("telegram: the bot token was refused; the Telegram channel is off")
                return
            except Exception as exc:  # noqa: BLE001 - keep trying; each failure is logged
                logger.warning("telegram: still cannot reach Telegram (%s)", type(exc).__name__)
                delay = min(delay * 2, START_RETRY_MAX)

    async def _register_commands(self) -> None:
        """The command menu in each of our languages, and in Dutch for everyone else."""
        for language in (*SUPPORTED, None):
            menu = [
                BotCommand(command, translate(description, language or "nl"))
                for command, description in commands.MENU.items()
            ]
            try:
                await self._application.bot.set_my_commands(menu, language_code=language)
            except BadRequest as exc:  # a bad description must not keep the channel down
                logger.error(
                    "telegram: setMyCommands refused for language %s (%s)",
                    language or "default",
                    type(exc).__name__,
                )

    # ------------------------------------------------------------------ webhook

    async def _webhook(self, request: Request) -> Response:
        """POST /webhooks/telegram: one update from Telegram, answered after it is handled."""
        if self._webhook_url is None:
            return PlainTextResponse("Not Found", status_code=404)
        supplied = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(supplied.encode("utf-8"), self._secret.encode("utf-8")):
            logger.warning("telegram: webhook request without the right secret refused")
            return PlainTextResponse("Forbidden", status_code=403)
        try:
            declared = int(request.headers.get("content-length", "0"))
        except ValueError:
            return PlainTextResponse("Bad Request", status_code=400)
        if declared > MAX_BODY_BYTES:
            return PlainTextResponse("Payload Too Large", status_code=413)
        body = bytearray()
        try:
            async for chunk in request.stream():
                body.extend(chunk)
                if len(body) > MAX_BODY_BYTES:
                    return PlainTextResponse("Payload Too Large", status_code=413)
        except ClientDisconnect:
            return PlainTextResponse("Bad Request", status_code=400)
        try:
            data = json.loads(body)
        except ValueError:
            return PlainTextResponse("Bad Request: body is not JSON", status_code=400)
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("update_id"), int)
            or isinstance(data.get("update_id"), bool)
        ):
            return PlainTextResponse("Bad Request: not a Telegram update", status_code=400)
        if not self._ready:  # Telegram retries; the update is not lost
            return PlainTextResponse("Service Unavailable", status_code=503)
        try:
            update = Update.de_json(data, self._application.bot)
        except Exception:  # noqa: BLE001 - whatever does not parse is not an update
            return PlainTextResponse("Bad Request: not a Telegram update", status_code=400)
        await self._application.process_update(update)
        return Response(status_code=200)

    # ------------------------------------------------------------------ incoming

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        message = update.message
        if query is not None:
            kind = "button"
            chat = query.message.chat if query.message is not None else None
        elif message is not None:
            kind = "text" if message.text else "unsupported"
            chat = message.chat
        else:
            logger.info("telegram: update of another kind ignored")
            return
        if chat is None or chat.type != Chat.PRIVATE:
            logger.info(
                "telegram: %s in a %s chat ignored", kind, chat.type if chat else "unknown"
            )
            return
        async with self._one_at_a_time(chat.id):
            if not await anyio.to_thread.run_sync(
                seen.first_time, self._db, NAME, str(update.update_id)
            ):
                logger.info("telegram: repeated update dropped")
                return
            if query is not None:
                inbound = await self._pressed(query, chat.id)
            else:
                inbound = self._typed(message, chat.id)
            if inbound is None:
                return
            logger.info("telegram: %s received", kind)
            await anyio.to_thread.run_sync(hurry, self._db, inbound.conversation_key)
            outcome = await self._conversations.handle(inbound)
            for reply in outcome.replies:
                if not await self._reply(chat.id, reply):
                    break

    def _typed(self, message: Message, chat_id: int) -> InboundMessage | None:
        hint = message.from_user.language_code if message.from_user else None
        if message.text:
            text = message.text.strip()
            if not text:
                return None
            return InboundMessage(NAME, str(chat_id), text, hint)
        if message.effective_attachment is None:
            # Service messages (e.g. a pinned message) are no message of the person.
            logger.info("telegram: service message ignored")
            return None
        return InboundMessage(NAME, str(chat_id), "", hint, kind="unsupported")

    async def _pressed(self, query: CallbackQuery, chat_id: int) -> InboundMessage | None:
        try:
            await query.answer()
        except TelegramError as exc:  # too old, or answered already: the press still counts
            logger.info("telegram: answerCallbackQuery failed (%s)", type(exc).__name__)
        if not query.data:
            return None
        payload = self._payloads.decode(query.data)
        if payload is None:
            payload = _title_of_pressed(query) or _UNKNOWN_BUTTON
            logger.warning("telegram: button payload no longer known; handled by its title")
        hint = query.from_user.language_code if query.from_user else None
        return InboundMessage(NAME, str(chat_id), payload, hint)

    @contextlib.asynccontextmanager
    async def _one_at_a_time(self, chat_id: int) -> AsyncIterator[None]:
        """Messages of one chat are handled in order; different chats at the same time."""
        entry = self._chat_locks.setdefault(chat_id, [asyncio.Lock(), 0])
        entry[1] += 1
        try:
            async with entry[0]:
                yield
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                self._chat_locks.pop(chat_id, None)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log what failed and where, not the exception's message (it may quote a text)."""
        error = context.error
        frames = traceback.extract_tb(error.__traceback__) if error is not None else []
        where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
        logger.error("telegram: handling an update failed (%s at %s)", type(error).__name__, where)

    # ------------------------------------------------------------------ outgoing

    async def _reply(self, chat_id: int, message: BotMessage) -> bool:
        """Send one reply now; False when the chat cannot be reached (the rest is not tried)."""
        try:
            for text, markup in self._parts(message):
                await self._send_part(chat_id, text, markup, max_wait=None)
            return True
        except Forbidden:
            logger.info("telegram: reply not sent, the person blocked the bot")
        except TelegramError as exc:
            logger.warning("telegram: reply not sent (%s)", type(exc).__name__)
        return False

    async def send(self, conversation_key: str, message: BotMessage) -> str | None:
        """Deliver a message that arrives later (a staff answer) for the outbox worker.

        Raises when it cannot deliver now, so the outbox tries again (never dropped): a short
        flood wait is waited out here; a longer one before the first part raises RetryAfter; a
        person who blocked the bot gives DeliveryDeferred with a note for staff."""
        if not self._ready:
            raise TelegramNotReady("the Telegram channel has not reached Telegram yet")
        channel, _, chat = conversation_key.partition(":")
        if channel != NAME or not chat.lstrip("-").isdigit():
            raise ValueError("not a Telegram conversation key")
        chat_id = int(chat)
        try:
            for number, (text, markup) in enumerate(self._parts(message)):
                # Once a part is out the rest must follow, however long Telegram asks to wait:
                # a retry by the outbox would send the first part twice.
                await self._send_part(
                    chat_id, text, markup, max_wait=OUTBOX_MAX_WAIT if number == 0 else None
                )
        except Forbidden as exc:
            raise DeliveryDeferred(BLOCKED_NOTE, BLOCKED_RETRY_SECONDS) from exc
        except BadRequest as exc:
            if "chat not found" in str(exc).lower():
                raise DeliveryDeferred(BLOCKED_NOTE, BLOCKED_RETRY_SECONDS) from exc
            raise
        logger.info("telegram: message delivered for the outbox")
        return None

    def _parts(self, message: BotMessage) -> list[tuple[str, InlineKeyboardMarkup | None]]:
        """The texts to send (split at the limit), the inline keyboard with the last one."""
        if not message.text.strip() and not message.buttons:
            return []
        texts = split_text(message.text) if message.text.strip() else [_EMPTY_TEXT]
        markup = None
        if message.buttons:
            markup = InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton(
                            title or payload, callback_data=self._payloads.encode(payload)
                        )
                    ]
                    for title, payload in message.buttons
                ]
            )
        return [(text, markup if i == len(texts) - 1 else None) for i, text in enumerate(texts)]

    async def _send_part(
        self,
        chat_id: int,
        text: str,
        markup: InlineKeyboardMarkup | None,
        max_wait: float | None,
    ) -> None:
        """sendMessage; on a flood limit wait as long as Telegram asks and try again (at most
        MAX_FLOOD_WAITS times; with `max_wait`, a longer wait raises RetryAfter instead)."""
        for attempt in range(MAX_FLOOD_WAITS + 1):
            try:
                await self._application.bot.send_message(
                    chat_id,
                    text,
                    reply_markup=markup,
                    link_preview_options=_NO_PREVIEW,
                )
                return
            except RetryAfter as exc:
                seconds = retry_after_seconds(exc)
                if attempt == MAX_FLOOD_WAITS or (max_wait is not None and seconds > max_wait):
                    raise
                logger.warning(
                    "telegram: flood limit, waiting %.0f s before sending again", seconds
                )
                await asyncio.sleep(seconds)


_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def retry_after_seconds(exc: RetryAfter) -> float:
    """The wait Telegram asked for, in seconds (PTB 22 warns about the attribute's type)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    seconds = value.total_seconds() if hasattr(value, "total_seconds") else float(value)
    return max(0.0, seconds)


def webhook_secret(settings: Settings) -> str:
    """The configured secret, or one derived from the bot token (the same on every replica)."""
    if settings.telegram_webhook_secret:
        if not _SECRET_CHARS.match(settings.telegram_webhook_secret):
            raise ValueError(
                "telegram_webhook_secret may only hold 1-256 characters A-Z, a-z, 0-9, _ and -"
            )
        return settings.telegram_webhook_secret
    return hmac.new(
        (settings.telegram_token or "").encode("utf-8"),
        b"wegwijs telegram webhook secret",
        hashlib.sha256,
    ).hexdigest()


def api_base_url(configured: str | None) -> tuple[str, str] | None:
    """PTB's base_url and base_file_url for a configured Bot API URL; None for Telegram's own.

    Both "http://host:8081" and "http://host:8081/bot" are accepted (the token follows /bot)."""
    if not configured:
        return None
    root = configured.rstrip("/")
    if "{token}" in root:
        return root, root.replace("/bot", "/file/bot", 1)
    if root.endswith("/bot"):
        root = root[: -len("/bot")]
    return f"{root}/bot", f"{root}/file/bot"


def _build_application(settings: Settings, webhook: bool) -> Application:
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_token)
        # Different chats are handled at the same time; one chat's messages in order (a lock).
        .concurrent_updates(True)
    )
    urls = api_base_url(settings.telegram_api_url)
    if urls is not None:
        builder = builder.base_url(urls[0]).base_file_url(urls[1])
    if webhook:
        builder = builder.updater(None)
    return builder.build()


def _domain_payloads() -> list[str]:
    """Every button payload of domain.yml, so their tokens (if any) decode in every process."""
    try:
        responses = load_responses(ROOT / "domain.yml")
    except Exception:  # noqa: BLE001 - only an optimisation; the title fallback remains
        return []
    return [
        button.payload
        for variations in responses.values()
        for variation in variations
        for button in variation.buttons
    ]


def _title_of_pressed(query: CallbackQuery) -> str | None:
    """The title of the button that was pressed, from the message's own keyboard."""
    message = query.message
    markup = getattr(message, "reply_markup", None)
    if markup is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data == query.data:
                return button.text
    return None


def _keep_library_logs_quiet() -> None:
    """At DEBUG, python-telegram-bot logs request parameters (texts, chat ids) and httpx logs
    URLs (with the bot token): keep both at a level that does not."""
    for name, level in (("telegram", logging.INFO), ("httpx", logging.WARNING)):
        library = logging.getLogger(name)
        if library.getEffectiveLevel() < level:
            library.setLevel(level)
