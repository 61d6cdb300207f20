"""Remembers per conversation the language used last and the one the person chose explicitly."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db import Conversation


class LanguageMemory:
    def __init__(self, db: Engine) -> None:
        self._db = db

    def recall(self, key: str) -> tuple[str | None, str | None]:
        """Return (last used language, explicitly chosen language); (None, None) for a new chat."""
        with Session(self._db) as session:
            row = session.get(Conversation, key)
            return (row.language, row.chosen_language) if row else (None, None)

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
