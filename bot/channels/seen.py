"""Drops repeats: platforms retry an update when they think it was not received, and a person
must not get the same answer twice."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db import InboundSeen, now

#: How long update ids are remembered (platforms retry within hours, not days).
KEPT = dt.timedelta(days=3)


def first_time(db: Engine, channel: str, external_id: str) -> bool:
    """Record the id; True the first time it is seen, False for every repeat."""
    try:
        with Session(db) as session, session.begin():
            session.add(InboundSeen(channel=channel, external_id=external_id[:200]))
        return True
    except IntegrityError:
        return False


def forget_old(db: Engine) -> int:
    with Session(db) as session, session.begin():
        return session.execute(
            delete(InboundSeen).where(InboundSeen.seen_at <= now() - KEPT)
        ).rowcount
