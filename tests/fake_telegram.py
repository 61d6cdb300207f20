"""A fake Telegram Bot API on loopback, for the Telegram channel's tests.

It answers the methods python-telegram-bot calls (getMe, getUpdates, sendMessage,
answerCallbackQuery, setMyCommands, setWebhook, deleteWebhook, ...) with results shaped as the
real API's, records every call (method and parameters, form-encoded or JSON), serves queued
updates to getUpdates (long-polling briefly), and can be told to fail the next call of a method,
e.g. with 429 and retry_after like Telegram's flood control.

    fake = FakeTelegram().start()
    settings = isolated_settings(tmp, telegram_token="123:TEST", telegram_api_url=fake.bot_api_url)
    fake.push(update)                         # served by the next getUpdates
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    fake.sent_to(chat_id)                     # the sendMessage calls that succeeded
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.processes import free_port

BOT_USER = {
    "id": 123,
    "is_bot": True,
    "first_name": "Wegwijs",
    "username": "WegwijsTestBot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
#: Parameters PTB sends JSON-encoded inside form data.
_JSON_PARAMETERS = frozenset(
    {
        "reply_markup",
        "commands",
        "allowed_updates",
        "scope",
        "link_preview_options",
        "reply_parameters",
        "entities",
    }
)
#: Longest a getUpdates call waits for an update before answering with none.
LONG_POLL_SECONDS = 1.0


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    status: int
    at: float = field(default_factory=time.monotonic)


class FakeTelegram:
    def __init__(self, token: str = "123:TEST") -> None:
        self.token = token
        self.port = free_port()
        self.calls: list[Call] = []
        self._updates: list[dict[str, Any]] = []
        self._failures: list[list[Any]] = []  # [method, chat id or None, skip, status, body]
        #: How many getUpdates calls were answered (they are not in `calls`: too many).
        self.polls = 0
        self._lock = threading.Lock()
        self._message_ids = itertools.count(1000)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ running

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def bot_api_url(self) -> str:
        """What goes into telegram_api_url: the token and method follow."""
        return f"{self.url}/bot"

    def start(self) -> "FakeTelegram":
        app = Starlette(
            routes=[Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])]
        )
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", access_log=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="fake-telegram", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake Telegram server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    # ------------------------------------------------------------------ test side

    def push(self, *updates: dict[str, Any]) -> None:
        """Queue updates for getUpdates; each is served once (a repeat must be pushed again)."""
        with self._lock:
            self._updates.extend(updates)

    def fail_next(
        self,
        method: str,
        status: int,
        description: str,
        retry_after: int | None = None,
        chat_id: int | None = None,
        skip: int = 0,
    ) -> None:
        """Answer the next call of `method` (to `chat_id`, if given; after `skip` such calls
        went through) with this error instead of doing it, e.g. 429 with retry_after as
        Telegram's flood control does."""
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        target = None if chat_id is None else str(chat_id)
        with self._lock:
            self._failures.append([method, target, skip, status, body])

    def calls_of(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def attempts_to(self, chat_id: int) -> list[Call]:
        """Every sendMessage call to this chat, failed ones included."""
        return [
            c for c in self.calls_of("sendMessage") if str(c.params.get("chat_id")) == str(chat_id)
        ]

    def sent_to(self, chat_id: int) -> list[dict[str, Any]]:
        """The parameters of the sendMessage calls to this chat that succeeded, in order."""
        return [c.params for c in self.attempts_to(chat_id) if c.status == 200]

    # ------------------------------------------------------------------ the API

    async def _endpoint(self, request: Request) -> JSONResponse:
        if request.path_params["token"] != self.token:
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401
            )
        method = request.path_params["method"]
        params = await _parameters(request)
        failure = self._take_failure(method, params)
        if failure is not None:
            status, body = failure
            self._record(method, params, status)
            return JSONResponse(body, status_code=status)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            self._record(method, params, 404)
            return JSONResponse(
                {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
                status_code=404,
            )
        if method != "getUpdates":  # polls would flood the record; they are not asserted on
            self._record(method, params, 200)
        result = await handler(params)
        return JSONResponse({"ok": True, "result": result})

    def _take_failure(self, method: str, params: dict[str, Any]):
        with self._lock:
            for index, (failing, target, skip, status, body) in enumerate(self._failures):
                if failing == method and target in (None, str(params.get("chat_id"))):
                    if skip:
                        self._failures[index][2] -= 1
                        return None
                    del self._failures[index]
                    return status, body
        return None

    def _record(self, method: str, params: dict[str, Any], status: int) -> None:
        with self._lock:
            self.calls.append(Call(method, params, status))

    async def _api_getMe(self, params):
        return BOT_USER

    async def _api_getUpdates(self, params):
        with self._lock:
            self.polls += 1
        timeout = min(float(params.get("timeout") or 0), LONG_POLL_SECONDS)
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if self._updates:
                    limit = int(params.get("limit") or 100)
                    served, self._updates = self._updates[:limit], self._updates[limit:]
                    return served
            if time.monotonic() >= deadline:
                return []
            await asyncio.sleep(0.05)

    async def _api_sendMessage(self, params):
        chat_id = int(params["chat_id"])
        message = {
            "message_id": next(self._message_ids),
            "from": BOT_USER,
            "chat": {"id": chat_id, "type": "private", "first_name": "Person"},
            "date": int(time.time()),
            "text": params["text"],
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message

    async def _api_answerCallbackQuery(self, params):
        return True

    async def _api_setMyCommands(self, params):
        return True

    async def _api_deleteMyCommands(self, params):
        return True

    async def _api_setWebhook(self, params):
        return True

    async def _api_deleteWebhook(self, params):
        return True

    async def _api_getWebhookInfo(self, params):
        return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}

    async def _api_close(self, params):
        return True

    async def _api_logOut(self, params):
        return True


async def _parameters(request: Request) -> dict[str, Any]:
    """The call's parameters, whether sent as JSON, form data or in the query string."""
    params: dict[str, Any] = dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    if "application/json" in content_type:
        body = await request.json()
        if isinstance(body, dict):
            params.update(body)
        return params
    if "form" in content_type:
        form = await request.form()
        for key, value in form.items():
            if isinstance(value, str) and key in _JSON_PARAMETERS:
                try:
                    value = json.loads(value)
                except ValueError:
                    pass
            params[key] = value
    return params
