"""Alembic environment: runs migrations on the connection the app passes in, or on the database
named by WEGWIJS_DATABASE_URL when run from the command line."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from bot.db import Base
from core.config import Settings

target_metadata = Base.metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    engine = create_engine(Settings().database_url)
    with engine.begin() as own_connection:
        _migrate(own_connection)


def _migrate(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run()
