"""Production mode: PostgreSQL for the app and Rasa's tracker store, Redis as Rasa's lock store.

The same code as the default mode, other settings. Runs against the PostgreSQL and Redis on
loopback that every machine of this project has (override with WEGWIJS_TEST_POSTGRES_URL and
WEGWIJS_TEST_REDIS_URL). Each run works in a database of its own, dropped afterwards.
"""

import os

import psycopg
import pytest

from bot.stack import Stack, isolated_settings

pytestmark = pytest.mark.engine

REDIS = os.environ.get("WEGWIJS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def test_conversation_state_lives_in_postgresql_and_survives_restarts(tmp_path, postgres_database):
    settings = isolated_settings(
        tmp_path,
        database_url=postgres_database.replace("postgresql://", "postgresql+psycopg://", 1),
        tracker_store_url=postgres_database,
        lock_store_url=REDIS,
    )
    stack = Stack(settings).start()
    try:
        sender = "prod-1"
        stack.say(sender, '/choose_language{"language": "ar"}')
        stack.say(sender, '/choose_group{"group": "asielzoeker"}')
        stack.engine.kill()
        stack.app.kill()
        stack.start()

        reply = stack.say(sender, "/health_find_gp")
        assert reply["language"] == "ar"
        assert "088-112 2112" in reply["replies"][0]["text"]

        # A handover on PostgreSQL, and the erasure of someone else's whole conversation.
        stack.say(sender, "/request_human")
        created = stack.say(sender, "/handover_consent")["replies"][0]["text"]
        reference = "W-" + created.split("W-", 1)[1][:6]
        stack.say("prod-2", "/request_human")
        stack.say("prod-2", "/handover_consent")
        stack.say("prod-2", "/erase_confirm")
    finally:
        stack.stop()

    with psycopg.connect(postgres_database) as db:
        events = db.execute(
            "SELECT count(*) FROM events WHERE sender_id = 'web:prod-1'"
        ).fetchone()[0]
        language = db.execute(
            "SELECT language FROM conversations WHERE key = 'web:prod-1'"
        ).fetchone()
        cases = db.execute("SELECT conversation_key, reference, language FROM cases").fetchall()
        erased_events = db.execute(
            "SELECT count(*) FROM events WHERE sender_id = 'web:prod-2'"
        ).fetchone()[0]
    assert events > 0, "the engine kept the conversation in PostgreSQL"
    assert language == ("ar",), "the app kept the language in PostgreSQL"
    assert cases == [("web:prod-1", reference, "ar")]
    assert erased_events == 0, "erasure removed the conversation from Rasa's tracker store"
