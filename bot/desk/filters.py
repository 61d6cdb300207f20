"""The queue's filters, read from the query string and checked against the values that exist.

A value we do not know is refused (400, with a message that names it) instead of silently showing
an empty or unfiltered queue, which staff could mistake for "nothing to do".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.casework import STATUSES, QueueFilter
from core.catalogue import GROUPS, topics
from core.languages import SUPPORTED

#: The target groups the bot distinguishes (the same values as the `group` slot).
#: The age choices on the queue page, in hours (any whole number up to a year is accepted).
AGE_CHOICES = (24, 72, 168)
MAX_AGE_HOURS = 24 * 366
FILTER_KEYS = ("status", "language", "group", "topic", "age")


class BadFilter(ValueError):
    """A filter value we do not know; the message (Dutch, for staff) says which and why."""


@dataclass(frozen=True)
class Choices:
    """What the filter form offers, for the template."""

    statuses: tuple[str, ...] = STATUSES
    languages: tuple[str, ...] = SUPPORTED
    groups: tuple[str, ...] = GROUPS
    ages: tuple[int, ...] = AGE_CHOICES

    @property
    def topics(self) -> tuple[str, ...]:
        return topics()


def parse_filters(query: Mapping[str, str]) -> QueueFilter:
    """QueueFilter from ?status=&language=&group=&topic=&age=; an empty value means any."""
    values = {key: (query.get(key) or "").strip() for key in FILTER_KEYS}
    for key, allowed in (
        ("status", STATUSES),
        ("language", SUPPORTED),
        ("group", GROUPS),
        ("topic", topics()),
    ):
        if values[key] and values[key] not in allowed:
            raise BadFilter(
                f"Onbekende waarde voor filter '{key}': {values[key][:40]!r}. "
                f"Kies uit: {', '.join(allowed)}."
            )
    return QueueFilter(
        status=values["status"] or None,
        language=values["language"] or None,
        group=values["group"] or None,
        topic=values["topic"] or None,
        older_than_hours=_hours(values["age"]),
    )


def _hours(value: str) -> float | None:
    if not value:
        return None
    if not value.isdigit() or not 0 < int(value) <= MAX_AGE_HOURS:
        raise BadFilter(
            f"Onbekende waarde voor filter 'age': {value[:40]!r}. "
            f"Geef een heel aantal uren tussen 1 en {MAX_AGE_HOURS}, bijvoorbeeld 24, 72 of 168."
        )
    return float(value)
