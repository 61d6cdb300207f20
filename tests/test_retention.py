"""Retention of conversations with the bot: Rasa's tracker rows of conversations idle longer than
the retention time are deleted, active ones kept (on an `events` table of Rasa's SQL tracker store
layout: one row per event with sender_id and a Unix timestamp)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import create_engine, text

from bot.tracker_erase import TrackerEraser

DAY = 86400.0


def test_idle_conversations_are_erased_and_active_ones_kept(tmp_path):
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    db = create_engine(url)
    now = dt.datetime.now(dt.timezone.utc)
    with db.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
                "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, data TEXT)"
            )
        )
        rows = [
            ("web:idle", now.timestamp() - 120 * DAY),
            ("web:idle", now.timestamp() - 100 * DAY),
            ("web:active", now.timestamp() - 200 * DAY),  # an old start ...
            ("web:active", now.timestamp() - 1 * DAY),  # ... but it wrote yesterday
        ]
        for sender, moment in rows:
            connection.execute(
                text(
                    "INSERT INTO events (sender_id, type_name, timestamp) VALUES (:s, 'user', :t)"
                ),
                {"s": sender, "t": moment},
            )
    eraser = TrackerEraser(url)
    assert eraser.erase_idle(now - dt.timedelta(days=90)) == 2
    with db.connect() as connection:
        left = connection.execute(text("SELECT DISTINCT sender_id FROM events")).scalars().all()
    assert left == ["web:active"]
    assert eraser.erase("web:active") == 2
    eraser.dispose()
    db.dispose()
