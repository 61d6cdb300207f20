"""The outbox worker: delivers staff notifications and messages for the person, with retries.

Items are written in the same transaction as the case change that causes them (bot/cases.py,
bot/casework.py), so nothing is lost when the app dies. The worker runs inside every app process:

- it leases a due item (an UPDATE that only one replica can win), delivers it, and marks it done;
- a failed delivery is retried with exponential backoff (2 s, 4 s, ... at most 5 minutes), forever:
  an undeliverable item stays visible as pending with its attempts and the kind of the last error;
- a web chat message is written to the web inbox in the same transaction that marks the item done,
  so it lands exactly once; an e-mail (or a Telegram/WhatsApp message) is sent and then marked
  done, so a crash in between can repeat it once. E-mails carry a fixed Message-ID for that case.

It also deletes, once their retention time has passed, closed cases and idle conversations with
the bot (in Rasa's tracker store).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Awaitable, Callable

import anyio
from sqlalchemy import or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot import mailer
from bot.cases import CaseStore
from bot.channels import seen
from bot.db import Case, CaseMessage, OutboxItem, WebInboxMessage, now
from bot.engine_client import BotMessage
from bot.nlg import Renderer
from core.config import Settings
from core.profiles import Profile

logger = logging.getLogger(__name__)

#: Sends one message into a person's chat on one channel (Telegram, WhatsApp). It may return a
#: short note for staff about how it was delivered; the note is added to the case.
ChannelSender = Callable[[str, BotMessage], Awaitable[str | None]]

MAX_BACKOFF_SECONDS = 300
BATCH = 20
PURGE_EVERY = dt.timedelta(minutes=10)

#: Which response renders which kind of message for the person.
PERSON_MESSAGES = {"staff_answer": "utter_staff_answer", "case_closed": "utter_case_closed_notice"}


class NoSender(RuntimeError):
    """No sender is configured for the conversation's channel (yet): retry later."""


class DeliveryDeferred(Exception):
    """The channel cannot deliver now, and that is not a failure: e.g. WhatsApp's 24-hour window
    is closed and the person was invited (by template) to write again. The item waits and is
    tried again after `retry_after` seconds, or as soon as the person writes (`hurry`). `note`
    is added to the case once, so staff see what happened."""

    def __init__(self, note: str, retry_after: float = 3600.0) -> None:
        super().__init__(note)
        self.note = note
        self.retry_after = retry_after


def hurry(db: Engine, conversation_key: str) -> int:
    """Make this chat's waiting deliveries due now (the person just wrote, so a channel that had
    to wait, like WhatsApp outside its 24-hour window, can deliver)."""
    with Session(db) as session, session.begin():
        return session.execute(
            update(OutboxItem)
            .where(
                OutboxItem.conversation_key == conversation_key,
                OutboxItem.status == "pending",
            )
            .values(next_attempt_at=now())
        ).rowcount


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(MAX_BACKOFF_SECONDS, 2 ** min(attempts, 9)))


class OutboxWorker:
    def __init__(
        self,
        db: Engine,
        settings: Settings,
        profile: Profile,
        renderer: Renderer,
        senders: dict[str, ChannelSender],
        erase_idle_conversations: Callable[[dt.datetime], int] | None = None,
    ) -> None:
        self._db = db
        self._erase_idle_conversations = erase_idle_conversations
        self._settings = settings
        self._profile = profile
        self._renderer = renderer
        self._senders = senders
        self._cases = CaseStore(db)
        self._last_purge: dt.datetime | None = None

    async def run(self) -> None:
        """Deliver due items until cancelled (the app's lifespan cancels it at shutdown)."""
        while True:
            try:
                delivered = await self.run_once()
                await self._purge_when_due()
            except Exception:  # a database hiccup must not stop deliveries for good
                logger.exception("outbox worker round failed; retrying")
                delivered = 0
            if not delivered:
                await anyio.sleep(self._settings.outbox_poll_seconds)

    async def run_once(self) -> int:
        """Deliver what is due now; returns how many items were tried."""
        item_ids = await anyio.to_thread.run_sync(self._lease_due)
        for item_id in item_ids:
            await self._deliver(item_id)
        return len(item_ids)

    def _lease_due(self) -> list[int]:
        moment = now()
        lease = dt.timedelta(seconds=self._settings.outbox_lease_seconds)
        with Session(self._db) as session, session.begin():
            candidates = list(
                session.scalars(
                    select(OutboxItem.id)
                    .where(
                        OutboxItem.status == "pending",
                        OutboxItem.next_attempt_at <= moment,
                        or_(OutboxItem.leased_until.is_(None), OutboxItem.leased_until < moment),
                    )
                    .order_by(OutboxItem.id)
                    .limit(BATCH)
                )
            )
        leased = []
        for item_id in candidates:
            with Session(self._db) as session, session.begin():
                won = session.execute(
                    update(OutboxItem)
                    .where(
                        OutboxItem.id == item_id,
                        OutboxItem.status == "pending",
                        or_(OutboxItem.leased_until.is_(None), OutboxItem.leased_until < moment),
                    )
                    .values(leased_until=moment + lease)
                ).rowcount
            if won:
                leased.append(item_id)
        return leased

    async def _deliver(self, item_id: int) -> None:
        with Session(self._db) as session:
            item = session.get(OutboxItem, item_id)
            if item is None:  # erased meanwhile
                return
            kind, payload, case_id = item.kind, dict(item.payload), item.case_id
        try:
            if kind == "notify_staff":
                await self._notify_staff(payload["reference"], case_id)
                await anyio.to_thread.run_sync(self._mark_done, item_id)
            elif kind == "deliver":
                await self._deliver_to_person(item_id, case_id, payload)
            else:
                raise ValueError(f"unknown outbox kind {kind}")
        except DeliveryDeferred as deferred:
            await anyio.to_thread.run_sync(self._defer, item_id, case_id, deferred)
            logger.info("outbox item %d (%s) deferred by its channel", item_id, kind)
        except Exception as exc:  # noqa: BLE001 - every failure is retried, none is lost
            await anyio.to_thread.run_sync(self._mark_failed, item_id, type(exc).__name__)
            logger.warning(
                "outbox item %d (%s) failed: %s; will retry", item_id, kind, type(exc).__name__
            )
        else:
            logger.info("outbox item %d (%s) delivered", item_id, kind)

    async def _notify_staff(self, reference: str, case_id: int | None) -> None:
        to = self._profile.handover_email
        if not to:
            raise mailer.MailNotConfigured("the profile has no handover e-mail")
        message = mailer.notification(self._settings, to, reference, case_id or 0)
        await anyio.to_thread.run_sync(mailer.send, self._settings, message)

    async def _deliver_to_person(self, item_id: int, case_id: int | None, payload: dict) -> None:
        rendered = self._renderer.render_named(
            PERSON_MESSAGES[payload["message"]],
            payload["language"],
            {"reference": payload["reference"], "answer": payload.get("text", "")},
        )
        message = BotMessage(
            rendered["text"], tuple((b["title"], b["payload"]) for b in rendered["buttons"])
        )
        key, channel = payload["conversation_key"], payload["channel"]
        if channel == "web":
            await anyio.to_thread.run_sync(self._into_web_inbox, item_id, key, message)
            return
        sender = self._senders.get(channel)
        if sender is None:
            raise NoSender(channel)
        note = await sender(key, message)
        await anyio.to_thread.run_sync(self._mark_done, item_id, case_id, note)

    def _into_web_inbox(self, item_id: int, key: str, message: BotMessage) -> None:
        with Session(self._db) as session, session.begin():
            exists = session.scalar(
                select(WebInboxMessage.id).where(WebInboxMessage.outbox_id == item_id)
            )
            if exists is None:
                session.add(
                    WebInboxMessage(
                        conversation_key=key,
                        outbox_id=item_id,
                        text=message.text,
                        buttons=[list(b) for b in message.buttons],
                    )
                )
            _done(session, item_id)

    def _mark_done(
        self, item_id: int, case_id: int | None = None, note: str | None = None
    ) -> None:
        with Session(self._db) as session, session.begin():
            _done(session, item_id)
            if note and case_id is not None:
                _note_for_staff(session, case_id, note)

    def _defer(self, item_id: int, case_id: int | None, deferred: DeliveryDeferred) -> None:
        with Session(self._db) as session, session.begin():
            item = session.get(OutboxItem, item_id)
            if item is None:
                return
            item.next_attempt_at = now() + dt.timedelta(seconds=deferred.retry_after)
            item.leased_until = None
            if case_id is not None:
                _note_for_staff(session, case_id, deferred.note)

    def _mark_failed(self, item_id: int, error: str) -> None:
        with Session(self._db) as session, session.begin():
            item = session.get(OutboxItem, item_id)
            if item is None:
                return
            item.attempts += 1
            item.next_attempt_at = now() + backoff(item.attempts)
            item.leased_until = None
            item.last_error = error[:200]

    async def _purge_when_due(self) -> None:
        moment = now()
        if self._last_purge and moment - self._last_purge < PURGE_EVERY:
            return
        self._last_purge = moment
        retention = dt.timedelta(days=self._settings.retention_days)
        deleted = await anyio.to_thread.run_sync(self._cases.purge, retention)
        await anyio.to_thread.run_sync(seen.forget_old, self._db)
        if self._erase_idle_conversations:
            await anyio.to_thread.run_sync(self._erase_idle_conversations, moment - retention)
        if deleted:
            logger.info("deleted %d closed cases past their retention time", deleted)


def _note_for_staff(session: Session, case_id: int, note: str) -> None:
    """Add a system note to the case, unless the case's latest note says the same already."""
    last = session.scalar(
        select(CaseMessage.text)
        .where(CaseMessage.case_id == case_id, CaseMessage.author == "system")
        .order_by(CaseMessage.id.desc())
        .limit(1)
    )
    if last != note and session.get(Case, case_id) is not None:
        session.add(CaseMessage(case_id=case_id, author="system", text=note))


def _done(session: Session, item_id: int) -> None:
    session.execute(
        update(OutboxItem)
        .where(OutboxItem.id == item_id)
        .values(status="done", done_at=now(), leased_until=None)
    )
