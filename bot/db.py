"""The app's own database: SQLAlchemy 2 models and the engine factory.

SQLite by default (nothing to install), PostgreSQL in production: only the URL differs. The schema
is created and changed only by Alembic migrations (`migrations/`), which `make_engine` applies.

What is stored, and why (collect the minimum):
- `conversations`: per chat only the language, so replies stay in the person's language.
- `handover_offers`: the question a person may hand over, kept until they say yes or no.
- `cases`, `case_messages`: handovers the person agreed to, until deleted after closing.
- `outbox`: notifications and staff replies still to deliver, written in the same transaction as
  what caused them, so a crash never loses one.
- `web_inbox`: staff replies waiting for the web chat page to fetch them.
- `staff_users`, `staff_sessions`, `audit_events`: the desk's accounts, logins and audit trail.
- `insight_counts`: anonymous weekly counts for policy; no text and no identifiers.
- `inbound_seen`: ids of Telegram/WhatsApp updates already answered (no double replies).
- `whatsapp_windows`: when a WhatsApp user last wrote (the 24-hour window for free-form replies).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Conversation(Base):
    """What we remember about one chat: only the language, nothing about the person."""

    __tablename__ = "conversations"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    #: The language we last answered in.
    language: Mapped[str] = mapped_column(String(8))
    #: The language the person chose explicitly (menu or button), which wins over detection.
    chosen_language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=now, onupdate=now
    )


class HandoverOffer(Base):
    """A handover the bot offered and the person has not yet accepted or declined.

    One per conversation: a new offer replaces the old one. After consent it keeps `case_id`, so a
    repeated "yes" (a double tap, a retry after a lost reply) returns the same case.
    """

    __tablename__ = "handover_offers"

    conversation_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    #: Why it was offered: request_human, complaint, fallback, condition, crisis or
    #: engine_unavailable.
    reason: Mapped[str] = mapped_column(String(40))
    #: The catalogue intent the question is about, if known.
    topic_intent: Mapped[str | None] = mapped_column(String(80), nullable=True)
    question: Mapped[str] = mapped_column(Text, default="")
    #: [{"intent": str, "confidence": float}, ...] for the question, best first.
    candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: The last messages before the offer: [{"from": "person"|"bot", "text": str}, ...].
    excerpt: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(8))
    group: Mapped[str | None] = mapped_column(String(20), nullable=True)
    channel: Mapped[str] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: True while the bot waits for the person to type a short description.
    awaiting_description: Mapped[bool] = mapped_column(Boolean, default=False)
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)


class Case(Base):
    """A handover the person agreed to: new -> in_progress -> answered -> closed."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: What the person can quote, e.g. "W-482913".
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    conversation_key: Mapped[str] = mapped_column(String(200), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(8))
    group: Mapped[str | None] = mapped_column(String(20), nullable=True)
    reason: Mapped[str] = mapped_column(String(40))
    topic_intent: Mapped[str | None] = mapped_column(String(80), nullable=True)
    #: The catalogue topic of topic_intent (contact, health, inburgering, ...), for filters.
    topic: Mapped[str | None] = mapped_column(String(40), nullable=True)
    question: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    excerpt: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)
    #: True while the person's further messages go to this case instead of the bot.
    attached: Mapped[bool] = mapped_column(Boolean, default=True)
    #: True when the person wrote after the last staff answer (the case needs attention).
    unread: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=now, onupdate=now
    )
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    messages: Mapped[list[CaseMessage]] = relationship(
        back_populates="case",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="CaseMessage.id",
    )


class CaseMessage(Base):
    """One message in a case: from the person, from staff, or a note of the system."""

    __tablename__ = "case_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    #: person | staff | system (a note for staff, e.g. how an answer was delivered)
    author: Mapped[str] = mapped_column(String(10))
    staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), nullable=True
    )
    text: Mapped[str] = mapped_column(Text)
    #: The person's message was a crisis (they got the crisis reply first).
    crisis: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)

    case: Mapped[Case] = relationship(back_populates="messages")


class OutboxItem(Base):
    """Something to deliver outside this database, written in the transaction that caused it.

    kinds: notify_staff (an e-mail about a new case), deliver (a message into the person's chat).
    `dedupe_key` is unique, so the same notification or reply is never queued twice.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    dedupe_key: Mapped[str] = mapped_column(String(80), unique=True)
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), nullable=True, index=True
    )
    #: For deliveries into a chat: whose chat (so a channel can hurry them when the person writes).
    conversation_key: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: pending | done
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    #: A worker owns the item until then (so two app replicas never send it at the same time).
    leased_until: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    #: The kind of the last error (never its text, which may quote personal data).
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class WebInboxMessage(Base):
    """A message for a web chat conversation that the page fetches by polling."""

    __tablename__ = "web_inbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_key: Mapped[str] = mapped_column(String(200), index=True)
    #: The outbox item it came from: unique, so a delivery retried after a crash lands once.
    outbox_id: Mapped[int] = mapped_column(Integer, unique=True)
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    #: argon2id hash (argon2-cffi); the password itself is never stored.
    password_hash: Mapped[str] = mapped_column(String(200))
    #: staff | admin
    role: Mapped[str] = mapped_column(String(10), default="staff")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)


class StaffSession(Base):
    """A desk login. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class AuditEvent(Base):
    """Who viewed, answered, closed which case. Kept by reference, so it outlives the case."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_reference: Mapped[str] = mapped_column(String(16), index=True)
    staff_username: Mapped[str] = mapped_column(String(80))
    #: viewed | answered | closed | reopened
    action: Mapped[str] = mapped_column(String(20))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)


class InsightCount(Base):
    """Anonymous counts for policy: how many handovers and fallbacks, per week and dimension."""

    __tablename__ = "insight_counts"
    __table_args__ = (
        UniqueConstraint(
            "week", "kind", "topic", "intent", "group", "language", name="uq_insight"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: ISO week, e.g. "2026-W48".
    week: Mapped[str] = mapped_column(String(8))
    #: handover | fallback
    kind: Mapped[str] = mapped_column(String(10))
    topic: Mapped[str] = mapped_column(String(40), default="")
    intent: Mapped[str] = mapped_column(String(80), default="")
    group: Mapped[str] = mapped_column(String(20), default="")
    language: Mapped[str] = mapped_column(String(8), default="")
    count: Mapped[int] = mapped_column(Integer, default=0)


class InboundSeen(Base):
    """Ids of channel updates already handled (Telegram update_id, WhatsApp message id), so that
    a platform's retry of the same update gets no second reply. Pruned after a few days."""

    __tablename__ = "inbound_seen"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_inbound_seen"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(200))
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now, index=True)


class WhatsAppWindow(Base):
    """When a WhatsApp user last wrote to us: free-form messages are allowed only within 24 hours
    of that (WhatsApp's customer-service window); later, only an approved template."""

    __tablename__ = "whatsapp_windows"

    conversation_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    last_inbound_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    #: When we last sent the approved template inviting the person back (once per closed window).
    invited_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


def make_engine(url: str, migrate: bool = True) -> Engine:
    """Create the SQLAlchemy engine and bring the schema up to date with Alembic."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    if migrate:
        from bot.migrate import upgrade  # local import: migrations import this module

        upgrade(engine)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
