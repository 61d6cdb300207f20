"""A fake of Meta's Graph API (the WhatsApp Cloud API's send endpoint) on loopback.

It accepts POST /<version>/<phone number id>/messages with the right bearer token, records the JSON
bodies and answers like the real API. It can be told to fail the next call for one recipient,
with a 500 or with a Graph error (e.g. 131047: the 24-hour window is closed).
"""

from __future__ import annotations

import itertools
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

VERSION = "v21.0"


def graph_error(code: int, message: str, status: int = 400) -> tuple[int, dict[str, Any]]:
    """A Graph API error response as Meta sends it."""
    return status, {
        "error": {
            "message": message,
            "type": "OAuthException",
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": message},
            "fbtrace_id": "AbCdEfGhIjKlMnOp",
        }
    }


#: The 24-hour window is closed (Meta's "re-engagement message" error).
WINDOW_CLOSED = graph_error(
    131047,
    "Re-engagement message: more than 24 hours have passed since the recipient last replied",
)
SERVER_ERROR = (500, {"error": {"message": "An unknown error occurred", "code": 1}})


@dataclass
class FakeGraph:
    token: str
    phone_number_id: str
    #: Every accepted message body, in order.
    messages: list[dict[str, Any]] = field(default_factory=list)
    #: How many calls were refused (failures told, bad token, wrong phone number id).
    refused: int = 0
    _failures: dict[str, list[tuple[int, dict[str, Any]]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None
    port: int = 0

    @property
    def base_url(self) -> str:
        """What the app's whatsapp_api_url must be (with the version, like the real one)."""
        return f"http://127.0.0.1:{self.port}/{VERSION}"

    def start(self) -> "FakeGraph":
        app = Starlette(
            routes=[Route("/{version}/{phone_number_id}/messages", self._post, methods=["POST"])]
        )
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the fake Graph API did not start")
            time.sleep(0.02)
        self._socket = sock
        return self

    def stop(self) -> None:
        if self._server:
            self._server.should_exit = True
        if self._thread:
            self._thread.join(10)
        self._socket.close()

    def fail_next(self, to: str, response: tuple[int, dict[str, Any]] = SERVER_ERROR) -> None:
        """The next message to `to` gets this (status, JSON) instead of being accepted."""
        with self._lock:
            self._failures.setdefault(to, []).append(response)

    def to(self, recipient: str) -> list[dict[str, Any]]:
        """The accepted messages for one recipient, in order."""
        with self._lock:
            return [m for m in self.messages if m.get("to") == recipient]

    def wait_for(
        self, recipient: str, condition: Callable[[list[dict[str, Any]]], Any], seconds: float = 20
    ) -> Any:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = condition(self.to(recipient))
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"the fake Graph API did not get the expected: {self.to(recipient)}")

    async def _post(self, request: Request) -> JSONResponse:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            self.refused += 1
            status, body = graph_error(190, "Invalid OAuth access token.", status=401)
            return JSONResponse(body, status_code=status)
        if request.path_params["phone_number_id"] != self.phone_number_id:
            self.refused += 1
            status, body = graph_error(100, "Unsupported post request.")
            return JSONResponse(body, status_code=status)
        try:
            body = await request.json()
        except ValueError:
            self.refused += 1
            status, error = graph_error(100, "Invalid JSON")
            return JSONResponse(error, status_code=status)
        recipient = body.get("to", "")
        with self._lock:
            failures = self._failures.get(recipient)
            failure = failures.pop(0) if failures else None
            if failure is None:
                problem = _invalid(body)
                if problem:
                    failure = graph_error(100, f"Invalid parameter: {problem}")
            if failure is not None:
                self.refused += 1
                status, error = failure
                return JSONResponse(error, status_code=status)
            self.messages.append(body)
            wamid = f"wamid.FAKE{next(self._ids):012d}"
        return JSONResponse(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": recipient, "wa_id": recipient}],
                "messages": [{"id": wamid}],
            }
        )


def _invalid(body: dict[str, Any]) -> str | None:
    """What the real API would refuse in this body (the limits the channel must keep), if any."""
    if body.get("messaging_product") != "whatsapp" or not body.get("to"):
        return "messaging_product/to"
    kind = body.get("type")
    if kind not in body:
        return "type"
    if kind == "text":
        text = body["text"].get("body", "")
        return None if 0 < len(text) <= 4096 else "text.body length"
    if kind == "template":
        template = body["template"]
        complete = template.get("name") and template.get("language", {}).get("code")
        return None if complete else "template"
    if kind != "interactive":
        return None
    interactive = body["interactive"]
    if not 0 < len(interactive.get("body", {}).get("text", "")) <= 1024:
        return "interactive.body length"
    action = interactive.get("action", {})
    if interactive.get("type") == "button":
        buttons = action.get("buttons", [])
        titles = [b["reply"]["title"] for b in buttons]
        if not 1 <= len(buttons) <= 3 or len(set(titles)) != len(titles):
            return "buttons count or repeated titles"
        if any(len(b["reply"]["title"]) > 20 or len(b["reply"]["id"]) > 256 for b in buttons):
            return "button title/id length"
        return None
    if interactive.get("type") == "list":
        rows = [row for section in action.get("sections", []) for row in section["rows"]]
        if not 0 < len(action.get("button", "")) <= 20 or not 1 <= len(rows) <= 10:
            return "list button or rows count"
        for row in rows:
            description = row.get("description", "")
            if len(row["title"]) > 24 or len(description) > 72 or len(row["id"]) > 200:
                return "row title/description/id length"
        return None
    return "interactive.type"
