"""Helpers for the desk tests: the app as a process, accounts through the real CLI, real cases.

Cases are made the way the bot makes them (CaseStore.record_offer + consent), accounts the way an
operator makes them (`python -m bot.desk.accounts ... --password-stdin`), and pages are fetched
over HTTP from the running app, as a browser would.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.cases import CaseStore
from bot.db import Case, make_engine
from bot.processes import APP_PYTHON, settings_env
from bot.stack import Stack, isolated_settings
from core.config import ROOT, Settings

PASSWORD = "lange-wachtwoord-voor-tests"
_QUEUE_ROW = r'<tr class="case[^"]*"[^>]*data-reference="([^"]+)".*?</tr>'


@dataclass
class Desk:
    """A running app (no engine) with its own database, and ways to fill that database."""

    stack: Stack
    db: Engine

    @property
    def settings(self) -> Settings:
        return self.stack.settings

    @property
    def url(self) -> str:
        return self.settings.app_url

    def stop(self) -> None:
        self.stack.stop()
        self.db.dispose()

    # ------------------------------------------------------------------ accounts
    def accounts_cli(self, *args: str, password: str | None = None) -> subprocess.CompletedProcess:
        """Run the accounts command line against this desk's database."""
        return subprocess.run(
            [str(APP_PYTHON), "-m", "bot.desk.accounts", *args],
            input=None if password is None else password + "\n",
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, **settings_env(self.settings)},
            timeout=60,
        )

    def account(self, role: str = "staff", password: str = PASSWORD) -> str:
        """A new account with a unique name; returns the username."""
        username = f"{role}-{uuid.uuid4().hex[:8]}"
        done = self.accounts_cli(
            "create", username, "--role", role, "--password-stdin", password=password
        )
        assert done.returncode == 0, done.stderr
        return username

    # ------------------------------------------------------------------ cases
    def case(
        self,
        question: str,
        language: str,
        *,
        group: str | None = "statushouder",
        topic_intent: str | None = "health_find_gp",
        reason: str = "request_human",
        channel: str = "web",
    ) -> tuple[int, str]:
        """A case as the bot creates it after the person agrees; returns (id, reference)."""
        store = CaseStore(self.db)
        key = f"web:test-{uuid.uuid4().hex[:10]}"
        store.record_offer(
            key,
            reason=reason,
            topic_intent=topic_intent,
            question=question,
            candidates=[{"intent": topic_intent or "out_of_scope", "confidence": 0.42}],
            excerpt=[{"from": "person", "text": question}, {"from": "bot", "text": "..."}],
            language=language,
            group=group,
            channel=channel,
        )
        ref = store.consent(key)
        assert ref is not None
        return ref.id, ref.reference

    def age_case(self, case_id: int, days: float) -> None:
        """Make a case look as if it was created `days` ago."""
        moment = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days)
        with Session(self.db) as session, session.begin():
            session.execute(update(Case).where(Case.id == case_id).values(created_at=moment))

    # ------------------------------------------------------------------ HTTP
    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, follow_redirects=False, timeout=30)

    def login(self, username: str, password: str = PASSWORD) -> httpx.Client:
        """A client logged in through the login form; fails the test if the login fails."""
        client = self.client()
        response = post_login(client, username, password)
        assert response.status_code == 303, response.text
        return client


def start_desk(workdir: Path) -> Desk:
    stack = Stack(isolated_settings(workdir))
    stack.start_app()
    return Desk(stack, make_engine(stack.settings.database_url))


def post_login(client: httpx.Client, username: str, password: str) -> httpx.Response:
    """Fill in the login form as a browser would: fetch it (and its cookie), then post it."""
    form = client.get("/desk/login")
    assert form.status_code == 200
    return client.post(
        "/desk/login",
        data={
            "username": username,
            "password": password,
            "login_token": hidden(form.text, "login_token"),
        },
    )


def hidden(html: str, name: str) -> str:
    """The value of a hidden form field on a page."""
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no field {name} on the page"
    return match.group(1)


def queue_rows(html: str) -> dict[str, str]:
    """The queue table as {reference: the row's HTML}."""
    return {m.group(1): m.group(0) for m in re.finditer(_QUEUE_ROW, html, re.S)}
