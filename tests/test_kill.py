"""Crash safety: the app is killed (SIGKILL) at random moments during a stream of handovers and
staff answers; after restarts nothing accepted is lost and nothing is delivered twice.

- A handover is accepted when the person got a reference. People whose request died with the app
  press "yes" again, as they would; a repeated "yes" must return the same case.
- A staff answer is accepted when it is committed (the desk's answer is one transaction).
- Notifications: every case's e-mail arrives. E-mail cannot be exactly-once across a crash (the
  peer may accept a message just before the app dies), so each case's e-mail has a fixed
  Message-ID; the test counts raw repeats separately and prints them.
- Staff answers in the web chat land exactly once (the inbox row and "done" share a transaction).

Writes results/kill-test.txt (printed at the end of `make test`): handovers, kills, lost and
doubled cases, lost and repeated notifications, lost and doubled answers.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter

import httpx
import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from bot.casework import Casework
from bot.db import Case, OutboxItem
from bot.stack import Stack
from core.config import ROOT
from tests.conftest import team_settings

pytestmark = pytest.mark.engine

#: The stream goes on until both are reached (and stops at MAX_HANDOVERS whatever happens).
MIN_HANDOVERS, MIN_KILLS, MAX_HANDOVERS = 30, 8, 300
KILL_EVERY_SECONDS = (0.3, 2.0)
ANSWER = "Antwoord van de gemeente voor {sender}"
REPORT = ROOT / "results" / "kill-test.txt"


def say_until_answered(stack: Stack, sender: str, text: str, give_up: float = 90.0) -> dict:
    """Send like a person who taps again when nothing came back."""
    deadline = time.monotonic() + give_up
    while True:
        try:
            return stack.say(sender, text)
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


class Killer(threading.Thread):
    """Kills the app at random moments and starts it again, until stopped."""

    def __init__(self, stack: Stack, seed: int) -> None:
        super().__init__(daemon=True)
        self.stack, self.random, self.kills = stack, random.Random(seed), 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.random.uniform(*KILL_EVERY_SECONDS)):
            self.stack.app.kill()
            self.kills += 1
            self.stack.start_app()


def test_no_handover_notification_or_answer_is_lost_or_doubled_when_the_app_is_killed(
    tmp_path, smtp_peer
):
    settings = team_settings(
        tmp_path, smtp_peer.port, outbox_poll_seconds=0.1, outbox_lease_seconds=3.0
    )
    stack = Stack(settings).start()
    db = create_engine(settings.database_url)
    casework = Casework(db)
    killer = Killer(stack, seed=int(time.time()))
    confirmed: dict[str, str] = {}
    answered: dict[int, str] = {}
    try:
        killer.start()
        for n in range(MAX_HANDOVERS):
            if n >= MIN_HANDOVERS and killer.kills >= MIN_KILLS:
                break
            sender = f"kill-{n}-{uuid.uuid4().hex[:6]}"
            say_until_answered(stack, sender, "Ik wil met een mens praten")
            reply = say_until_answered(stack, sender, "/handover_consent")
            text = reply["replies"][0]["text"]
            if "Ik heb geen vraag meer" in text:  # the offer itself died with the app: ask again
                say_until_answered(stack, sender, "Ik wil met een mens praten")
                text = say_until_answered(stack, sender, "/handover_consent")["replies"][0]["text"]
            confirmed[sender] = text.split("Je nummer is ", 1)[1].split(".", 1)[0]
            if n % 2 == 0:  # staff answer every other case while the stream goes on
                case_id = _case_id(db, sender)
                casework.answer(case_id, "anna", None, ANSWER.format(sender=sender))
                answered[case_id] = sender
        killer.stopped.set()
        killer.join()
        if not stack.app.alive():
            stack.start_app()
        _wait_until_outbox_is_empty(db)

        with Session(db) as session:
            cases = session.scalars(select(Case)).all()
        per_sender = Counter(c.conversation_key.removeprefix("web:") for c in cases)
        lost_cases = [s for s in confirmed if per_sender[s] == 0]
        double_cases = [s for s, n in per_sender.items() if n > 1]
        references = {c.reference for c in cases}

        ids = Counter(m["Message-ID"] for m in smtp_peer.messages)
        mailed = {m["Subject"].rsplit(" ", 1)[1] for m in smtp_peer.messages}
        lost_mails = references - mailed
        repeated_mails = sum(n - 1 for n in ids.values())

        lost_answers, double_answers = [], []
        for case_id, sender in answered.items():
            texts = [m["text"] for m in stack.inbox(sender)]
            hits = sum(ANSWER.format(sender=sender) in t for t in texts)
            (lost_answers if hits == 0 else double_answers if hits > 1 else []).append(case_id)

        REPORT.parent.mkdir(exist_ok=True)
        REPORT.write_text(
            f"handovers {len(confirmed)}, kills {killer.kills}\n"
            f"cases {len(cases)}: lost {len(lost_cases)}, doubled {len(double_cases)}\n"
            f"e-mails {len(smtp_peer.messages)} for {len(references)} cases: lost "
            f"{len(lost_mails)}, repeated {repeated_mails} (same Message-ID)\n"
            f"staff answers {len(answered)}: lost {len(lost_answers)}, "
            f"doubled {len(double_answers)}\n",
            encoding="utf-8",
        )
        assert killer.kills >= MIN_KILLS, "the stream ended before the app was killed enough"
        assert set(confirmed.values()) <= references
        assert lost_cases == [] and double_cases == []
        assert lost_mails == set()
        assert len(ids) == len(references)  # one distinct e-mail per case
        assert repeated_mails <= killer.kills  # at most the one in flight at each kill
        assert lost_answers == [] and double_answers == []
    finally:
        killer.stopped.set()
        db.dispose()
        stack.stop()


def _case_id(db, sender: str) -> int:
    with Session(db) as session:
        return session.scalar(select(Case.id).where(Case.conversation_key == f"web:{sender}"))


def _wait_until_outbox_is_empty(db, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with Session(db) as session:
            pending = session.scalar(
                select(func.count()).select_from(OutboxItem).where(OutboxItem.status == "pending")
            )
        if pending == 0:
            return
        time.sleep(0.3)
    raise AssertionError(f"{pending} outbox items still pending after {seconds}s")
