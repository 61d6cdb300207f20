"""Erases conversations from Rasa's SQL tracker store: one, for a person's "erase everything", and
those idle longer than the retention time.

Rasa's HTTP API can replace a tracker's events but not delete the stored ones, so the app deletes
the rows of Rasa's documented SQL tracker store table (`events`, keyed by `sender_id`) itself.
This is the one place the app touches the engine's storage.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import create_engine, text

from core.config import ROOT


def sqlalchemy_url(tracker_store_url: str) -> str:
    """The tracker store URL in SQLAlchemy 2 form; relative SQLite paths are relative to the
    repository root, where the engine runs."""
    if tracker_store_url.startswith("sqlite:///"):
        path = tracker_store_url.removeprefix("sqlite:///")
        return f"sqlite:///{path if path.startswith('/') else ROOT / path}"
    if tracker_store_url.startswith("postgresql://"):
        return "postgresql+psycopg://" + tracker_store_url.removeprefix("postgresql://")
    return tracker_store_url


class TrackerEraser:
    def __init__(self, tracker_store_url: str) -> None:
        self._db = create_engine(sqlalchemy_url(tracker_store_url), pool_pre_ping=True)

    def erase(self, sender_id: str) -> int:
        """Delete every stored event of this conversation; returns how many rows went."""
        with self._db.begin() as connection:
            if not self._db.dialect.has_table(connection, "events"):
                return 0
            result = connection.execute(
                text("DELETE FROM events WHERE sender_id = :sender"), {"sender": sender_id}
            )
            return result.rowcount

    def erase_idle(self, idle_since: dt.datetime) -> int:
        """Delete the conversations whose latest event is older than `idle_since` (retention)."""
        with self._db.begin() as connection:
            if not self._db.dialect.has_table(connection, "events"):
                return 0
            result = connection.execute(
                text(
                    "DELETE FROM events WHERE sender_id IN (SELECT sender_id FROM events "
                    "GROUP BY sender_id HAVING MAX(timestamp) < :cutoff)"
                ),
                {"cutoff": idle_since.timestamp()},
            )
            return result.rowcount

    def dispose(self) -> None:
        self._db.dispose()
