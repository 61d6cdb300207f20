"""Shared fixtures. The `stack` fixture starts the real engine and app once per test session."""

from __future__ import annotations

import pytest

from bot.stack import Stack, isolated_settings


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    running = Stack(isolated_settings(tmp_path_factory.mktemp("stack"))).start()
    yield running
    running.stop()


def pytest_terminal_summary(terminalreporter):
    """Print the NLU evaluation report (written by tests/test_nlu_evaluation.py) after the run."""
    from tests.test_nlu_evaluation import REPORT

    if REPORT.exists():
        terminalreporter.section("NLU evaluation on the held-out test set")
        terminalreporter.write(REPORT.read_text(encoding="utf-8"))
