"""The app's own database: SQLAlchemy 2 models and the engine factory.

SQLite by default (nothing to install), PostgreSQL in production: only the URL differs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import DateTime, String, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


def _now() -> dt.datetime:
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
        DateTime(timezone=True), default=_now, onupdate=_now
    )


def make_engine(url: str) -> Engine:
    """Create the SQLAlchemy engine and the tables; SQLite gets its folder and WAL mode."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    Base.metadata.create_all(engine)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
