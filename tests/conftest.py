"""Shared fixtures. The `stack` fixture starts the real engine and app once per test session."""

from __future__ import annotations

import os
import time
import uuid

import psycopg
import pytest
import yaml

from bot.db import make_engine
from bot.stack import Stack, isolated_settings
from core.config import ROOT
from tests.smtp_peer import SmtpPeer


@pytest.fixture(scope="session")
def session_smtp_peer():
    """The team's mail server for the shared stack: notifications of new cases arrive here."""
    peer = SmtpPeer().start()
    yield peer
    peer.stop()


@pytest.fixture(scope="session")
def stack(tmp_path_factory, session_smtp_peer):
    """Engine and app, with a profile that has a team mailbox and the SMTP peer above."""
    settings = team_settings(tmp_path_factory.mktemp("stack"), session_smtp_peer.port)
    running = Stack(settings).start()
    yield running
    running.stop()


POSTGRES = os.environ.get("WEGWIJS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def postgres_database():
    """A PostgreSQL database of this test's own (postgresql:// URL), dropped afterwards."""
    name = f"wegwijs_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def app_database_url(request, tmp_path):
    """The app's database URL in both supported kinds: SQLite (default) and PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'app.db'}"
    url = request.getfixturevalue("postgres_database")
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


TEAM_MAILBOX = "team-integratie@example.org"


def write_team_profile(folder):
    """A profiles folder whose den-helder profile has a team mailbox for notifications."""
    folder.mkdir(parents=True, exist_ok=True)
    profile = yaml.safe_load((ROOT / "profiles" / "den-helder.yml").read_text(encoding="utf-8"))
    profile["handover"]["email"] = {"status": "placeholder", "value": TEAM_MAILBOX}
    (folder / "den-helder.yml").write_text(yaml.safe_dump(profile), encoding="utf-8")
    return folder


def team_settings(workdir, smtp_port: int, **overrides):
    """Isolated settings whose profile has a team mailbox, mailing to an SMTP peer on loopback."""
    values = dict(
        profiles_dir=write_team_profile(workdir / "profiles"),
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        outbox_poll_seconds=0.2,
    )
    return isolated_settings(workdir, **{**values, **overrides})


@pytest.fixture
def db(app_database_url):
    """A migrated app database of this test's own, on SQLite and on PostgreSQL."""
    engine = make_engine(app_database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def profiles_dir(tmp_path):
    return write_team_profile(tmp_path / "profiles")


@pytest.fixture
def smtp_peer():
    peer = SmtpPeer().start()
    yield peer
    peer.stop()


_session_started = time.time()


def pytest_terminal_summary(terminalreporter):
    """Print the reports that this run's tests wrote (NLU evaluation, kill test)."""
    from tests.test_kill import REPORT as KILL_REPORT
    from tests.test_nlu_evaluation import REPORT

    for title, report in (
        ("NLU evaluation on the held-out test set", REPORT),
        ("Kill test: the app killed during a stream of handovers", KILL_REPORT),
    ):
        if report.exists() and report.stat().st_mtime >= _session_started:
            terminalreporter.section(title)
            terminalreporter.write(report.read_text(encoding="utf-8"))
