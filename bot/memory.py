"""Remembers per conversation the language used last and the one the person chose explicitly."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db import Conversation, now

#: How often an unchanged row is rewritten to show the chat is still in use.
REFRESH = dt.timedelta(days=1)


class LanguageMemory:
    def __init__(self, db: Engine) -> None:
        self._db = db

    def recall(self, key: str) -> tuple[str | None, str | None]:
        """Return (last used language, explicitly chosen language); (None, None) for a new chat.

        A row not written for a day is written again (same values), so that `updated_at` tells
        the retention purge that the chat is still in use, at one write per chat per day.
        """
        with Session(self._db) as session:
            row = session.get(Conversation, key)
            if row is None:
                return None, None
            language, chosen, updated_at = row.language, row.chosen_language, row.updated_at
        if updated_at.replace(tzinfo=updated_at.tzinfo or dt.timezone.utc) < now() - REFRESH:
            self.remember(key, language, chosen)
        return language, chosen

    def remember(self, key: str, language: str, chosen: str | None) -> None:
        """Store both languages; safe when two first messages of one chat arrive at once."""
        try:
            self._upsert(key, language, chosen)
        except IntegrityError:  # the other request inserted the row first: update it
            self._upsert(key, language, chosen)

    def _upsert(self, key: str, language: str, chosen: str | None) -> None:
        with Session(self._db) as session, session.begin():
            row = session.get(Conversation, key)
            if row is None:
                session.add(Conversation(key=key, language=language, chosen_language=chosen))
            else:
                row.language = language
                row.chosen_language = chosen
                row.updated_at = now()
