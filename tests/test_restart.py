"""State survives restarts: the group (engine tracker store) and the language (app database)."""

import pytest

from bot.stack import Stack, isolated_settings

pytestmark = pytest.mark.engine


def test_group_and_language_survive_restarting_both_processes(tmp_path):
    stack = Stack(isolated_settings(tmp_path)).start()
    try:
        sender = "restart-1"
        stack.say(sender, '/choose_language{"language": "tr"}')
        stack.say(sender, '/choose_group{"group": "oekraiens"}')

        stack.engine.kill()  # as a crash would
        stack.app.kill()
        stack.start()

        reply = stack.say(sender, "/health_find_gp")
        assert reply["language"] == "tr"
        assert "085-0501420" in reply["replies"][0]["text"], (
            "answered for Ukrainians, not asked again"
        )
    finally:
        stack.stop()
