"""Security headers on every desk response, and the stylesheet they allow.

Desk pages show personal data, so: never cached (`no-store`), never framed (clickjacking), no
referrer to other sites, and a Content-Security-Policy that allows no script at all (the desk
needs none) and only our own stylesheet. The stylesheet is inlined in each page and allowed by its
SHA-256 hash; so it needs no URL of its own, which would be the one thing under /desk reachable
without logging in.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from markupsafe import Markup
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "desk.css"


def stylesheet() -> Markup:
    """The desk's CSS, to put between <style> and </style> exactly as read (the hash covers it)."""
    css = STYLESHEET.read_text(encoding="utf-8")
    if "</" in css:
        raise ValueError(f"{STYLESHEET} must not contain '</': it is inlined in a <style> element")
    return Markup(css)


def content_security_policy(css: str) -> str:
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode()
    return "; ".join(
        [
            "default-src 'none'",
            f"style-src 'sha256-{digest}'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        ]
    )


class SecurityHeaders:
    """ASGI middleware that adds the headers to every response of the wrapped desk app."""

    def __init__(self, app: ASGIApp, csp: str) -> None:
        self.app = app
        self.headers = [
            (b"cache-control", b"no-store"),
            (b"x-frame-options", b"DENY"),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"content-security-policy", csp.encode()),
        ]
        self.names = {name for name, _ in self.headers}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                kept = [(k, v) for k, v in headers if k.lower() not in self.names]
                message = {**message, "headers": kept + self.headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
