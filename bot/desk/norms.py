"""The answer-time norm in working days, so the queue can show which cases are late.

The municipality promises an answer within N working days (profile.answer_time_working_days). A
case created on Friday afternoon with a norm of 1 working day is late on Monday afternoon, not on
Saturday. Working days are Monday to Friday in Dutch local time; public holidays are not counted
separately (a case may show as late one day early around a holiday, never one day too late).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

try:
    LOCAL = ZoneInfo("Europe/Amsterdam")
except ZoneInfoNotFoundError:  # a system without tz data: weekdays by UTC, off by an hour at most
    LOCAL = dt.timezone.utc


def as_utc(moment: dt.datetime) -> dt.datetime:
    """SQLite gives back naive datetimes; everything we store is UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc)


def answer_deadline(created_at: dt.datetime, working_days: int) -> dt.datetime:
    """The moment `working_days` working days (Mon-Fri) after `created_at` have passed.

    Each step moves one calendar day at the same local clock time; only steps that land on a
    weekday count. So Friday 15:00 + 1 = Monday 15:00, and Saturday 10:00 + 1 = Monday 10:00.
    """
    moment = as_utc(created_at).astimezone(LOCAL)
    remaining = max(0, working_days)
    while remaining:
        # Aware arithmetic keeps the local clock time, also across a change to or from DST.
        moment = moment + dt.timedelta(days=1)
        if moment.weekday() < 5:
            remaining -= 1
    return moment.astimezone(dt.timezone.utc)


def past_norm(created_at: dt.datetime, status: str, working_days: int, at: dt.datetime) -> bool:
    """True for a case that waits for staff (new or in progress) longer than the norm allows."""
    waiting = status in ("new", "in_progress")
    return waiting and as_utc(at) > answer_deadline(created_at, working_days)
