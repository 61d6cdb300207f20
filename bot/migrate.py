"""Applies the Alembic migrations in migrations/ to the app's database.

The app upgrades its own database at start, so `make run` needs no separate migration step; an
operator can still run `.venv/app/bin/alembic -c migrations/alembic.ini upgrade head` by hand.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from core.config import ROOT

MIGRATIONS = ROOT / "migrations"


def alembic_config() -> Config:
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision, in one transaction."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
