"""Shared fixtures. The `stack` fixture starts the real engine and app once per test session."""

from __future__ import annotations

import time

import pytest

from bot.stack import Stack, isolated_settings


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    running = Stack(isolated_settings(tmp_path_factory.mktemp("stack"))).start()
    yield running
    running.stop()


_session_started = time.time()


def pytest_terminal_summary(terminalreporter):
    """Print the NLU evaluation report after a run in which tests/test_nlu_evaluation.py wrote it."""
    from tests.test_nlu_evaluation import REPORT

    if REPORT.exists() and REPORT.stat().st_mtime >= _session_started:
        terminalreporter.section("NLU evaluation on the held-out test set")
        terminalreporter.write(REPORT.read_text(encoding="utf-8"))
