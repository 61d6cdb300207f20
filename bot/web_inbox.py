"""Messages for web chat conversations that arrive later (staff answers): the page polls for them.

Telegram and WhatsApp get such messages pushed by their senders; the web chat has no push, so the
outbox worker writes them here and `GET /chat/api/messages` hands them out.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db import WebInboxMessage


def fetch(db: Engine, key: str, after: int, limit: int = 50) -> list[dict[str, Any]]:
    """Messages for one conversation with an id above `after` (the page remembers the last id)."""
    with Session(db) as session:
        rows = session.scalars(
            select(WebInboxMessage)
            .where(WebInboxMessage.conversation_key == key, WebInboxMessage.id > after)
            .order_by(WebInboxMessage.id)
            .limit(limit)
        )
        return [
            {
                "id": row.id,
                "text": row.text,
                "buttons": [{"title": t, "payload": p} for t, p in row.buttons],
            }
            for row in rows
        ]
