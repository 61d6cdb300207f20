"""The outbox worker against a real SMTP peer on loopback and a real database (SQLite, PostgreSQL).

Notifications carry only the reference and a desk link; a peer that is down delays delivery
but loses nothing; a staff answer lands in the person's web chat once, in their language.
"""

from __future__ import annotations

import datetime as dt

import anyio
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot import web_inbox
from bot.cases import CaseStore
from bot.casework import Casework
from bot.db import CaseMessage, OutboxItem
from bot.nlg import Renderer
from bot.outbox import DeliveryDeferred, OutboxWorker, backoff, hurry
from bot.processes import free_port
from core.config import ROOT, Settings
from core.domain_content import load_responses
from core.i18n import translate
from core.profiles import load_profile
from tests.conftest import TEAM_MAILBOX
from tests.smtp_peer import SmtpPeer

KEY = "web:person-7"
QUESTION = "Mijn contactpersoon bij het COA is weg en niemand belt terug"


def make_worker(db, profiles_dir, smtp_port: int) -> OutboxWorker:
    settings = Settings(
        database_url="sqlite://",
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        mail_from="wegwijs@denhelder.example",
        public_url="https://wegwijs.denhelder.example",
        profiles_dir=profiles_dir,
    )
    profile = load_profile("den-helder", profiles_dir)
    renderer = Renderer(load_responses(ROOT / "domain.yml"), translate, "nl", profile)
    return OutboxWorker(db, settings, profile, renderer, senders={})


def new_case(db, language="nl"):
    store = CaseStore(db)
    store.record_offer(
        KEY,
        reason="request_human",
        topic_intent="contact_person_changed",
        question=QUESTION,
        candidates=[],
        excerpt=[],
        language=language,
        group="asielzoeker",
        channel="web",
    )
    return store.consent(KEY)


def outbox(db) -> list[OutboxItem]:
    with Session(db) as session:
        return list(session.scalars(select(OutboxItem).order_by(OutboxItem.id)))


def test_the_team_gets_an_email_with_the_reference_and_a_link_and_nothing_personal(
    db, profiles_dir, smtp_peer
):
    case = new_case(db)
    assert anyio.run(make_worker(db, profiles_dir, smtp_peer.port).run_once) == 1

    [mail] = smtp_peer.messages
    assert mail["To"] == TEAM_MAILBOX
    assert case.reference in mail["Subject"]
    body = mail.get_content()
    assert f"https://wegwijs.denhelder.example/desk/cases/{case.id}" in body
    assert "COA" not in body and "contactpersoon" not in body.lower()
    assert mail["Message-ID"] == f"<case-{case.id}-{case.reference}@denhelder.example>"
    assert [item.status for item in outbox(db)] == ["done"]


def test_a_notification_waits_while_the_smtp_server_is_down_and_arrives_later(db, profiles_dir):
    port = free_port()
    case = new_case(db)
    worker = make_worker(db, profiles_dir, port)
    anyio.run(worker.run_once)
    [item] = outbox(db)
    assert (item.status, item.attempts, item.last_error) == (
        "pending",
        1,
        "ConnectionRefusedError",
    )
    assert anyio.run(worker.run_once) == 0  # backing off: not due yet

    peer = SmtpPeer(port).start()
    try:
        with Session(db) as session, session.begin():
            session.execute(
                update(OutboxItem).values(next_attempt_at=dt.datetime.now(dt.timezone.utc))
            )
        anyio.run(worker.run_once)
        assert [m["Subject"] for m in peer.messages] == [f"Wegwijs: nieuwe vraag {case.reference}"]
        assert [item.status for item in outbox(db)] == ["done"]
    finally:
        peer.stop()


def test_backoff_grows_and_is_capped():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 12)] == [2, 4, 8, 300]


def test_a_staff_answer_reaches_the_web_chat_once_in_the_persons_language(
    db, profiles_dir, smtp_peer
):
    case = new_case(db, language="uk")
    Casework(db).answer(case.id, "anna", None, "U kunt dinsdag om 10 uur langskomen.")
    worker = make_worker(db, profiles_dir, smtp_peer.port)
    anyio.run(worker.run_once)
    # A second worker round (or a second app replica) must not deliver it again.
    with Session(db) as session, session.begin():
        session.execute(update(OutboxItem).values(status="pending", leased_until=None))
    anyio.run(worker.run_once)

    [message] = web_inbox.fetch(db, KEY, after=0)
    template = "Antwoord van de gemeente {gemeente} op je vraag {reference}:\n\n{answer}"
    assert translate(template, "uk") != template
    assert message["text"] == translate(template, "uk").format(
        gemeente="Den Helder",
        reference=case.reference,
        answer="U kunt dinsdag om 10 uur langskomen.",
    )
    assert web_inbox.fetch(db, KEY, after=message["id"]) == []


def test_without_a_team_mailbox_notifications_wait_instead_of_disappearing(db, smtp_peer):
    new_case(db)
    worker = make_worker(db, ROOT / "profiles", smtp_peer.port)  # den-helder: no mailbox yet
    anyio.run(worker.run_once)
    [item] = outbox(db)
    assert (item.status, item.last_error) == ("pending", "MailNotConfigured")
    assert smtp_peer.messages == []


def test_a_channel_that_must_wait_leaves_a_note_for_staff_and_delivers_when_hurried(
    db, profiles_dir, smtp_peer
):
    """A channel (like WhatsApp outside its 24-hour window) defers; the person writes; it goes."""
    attempts = []

    async def waiting_channel(key, message):
        attempts.append(message.text)
        if len(attempts) == 1:
            raise DeliveryDeferred("Buiten het venster; uitnodiging verstuurd.", retry_after=3600)
        return "Afgeleverd via het testkanaal."

    store = CaseStore(db)
    store.record_offer(
        "test:42",
        reason="request_human",
        topic_intent=None,
        question="Vraag",
        candidates=[],
        excerpt=[],
        language="nl",
        group=None,
        channel="test",
    )
    case = store.consent("test:42")
    Casework(db).answer(case.id, "anna", None, "Het antwoord.")
    worker = make_worker(db, profiles_dir, smtp_peer.port)
    worker._senders["test"] = waiting_channel

    anyio.run(worker.run_once)
    assert len(attempts) == 1 and anyio.run(worker.run_once) == 0  # waits, not retried yet
    assert hurry(db, "test:42") == 1
    anyio.run(worker.run_once)

    assert len(attempts) == 2 and attempts[1].endswith("Het antwoord.")
    assert [i.status for i in outbox(db)] == ["done", "done"]
    with Session(db) as session:
        notes = session.scalars(
            select(CaseMessage.text).where(CaseMessage.author == "system").order_by(CaseMessage.id)
        ).all()
    assert notes == [
        "Buiten het venster; uitnodiging verstuurd.",
        "Afgeleverd via het testkanaal.",
    ]
