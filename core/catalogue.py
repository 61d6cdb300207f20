"""The intent catalogue (spec/intents.yml, a committed copy of the shared contract).

The desk and the insight page group cases by the catalogue's topic, and the handover flow reads
which intents always or on a condition lead to a person.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

CATALOGUE_FILE = Path(__file__).resolve().parent.parent / "spec" / "intents.yml"


@lru_cache(maxsize=1)
def _catalogue() -> dict:
    return yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _intents() -> dict[str, dict]:
    return {intent["name"]: intent for intent in _catalogue()["intents"]}


def topics() -> tuple[str, ...]:
    return tuple(_catalogue()["topics"])


#: The five groups whose answers differ: asielzoeker, statushouder, oekraiens, amv and
#: arbeidsmigrant.
GROUPS: tuple[str, ...] = tuple(_catalogue()["groups"])


def topic_of(intent: str | None) -> str | None:
    """The catalogue topic of an intent (healthcare, inburgering, ...); None for our own."""
    entry = _intents().get(intent or "")
    return entry["topic"] if entry else None


def escalation_of(intent: str | None) -> str:
    """never | always | "on_condition: ..." as the catalogue says; never for our own intents."""
    entry = _intents().get(intent or "")
    return str(entry["escalation"]) if entry else "never"


def catalogue_intents() -> tuple[str, ...]:
    return tuple(_intents())
