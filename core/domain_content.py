"""Reads the response texts from domain.yml: the single source of every bot message.

Both the gettext extractor (which needs line numbers) and the NLG renderer (which needs the
variations) read domain.yml through this module, so they can never disagree about what a response is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import yaml

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
#: Buttons that choose a language keep their native name in every language.
UNTRANSLATED_PAYLOAD_PREFIX = "/choose_language"


@dataclass(frozen=True)
class Button:
    title: str
    payload: str

    @property
    def translatable(self) -> bool:
        return not self.payload.startswith(UNTRANSLATED_PAYLOAD_PREFIX)


@dataclass(frozen=True)
class Variation:
    """One variation of a response: a Dutch text, its buttons, its conditions and its source."""

    text: str
    buttons: tuple[Button, ...] = ()
    conditions: tuple[tuple[str, Any], ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def matches(self, slots: dict[str, Any]) -> bool:
        return all(slots.get(name) == value for name, value in self.conditions)


def _variation(raw: dict[str, Any]) -> Variation:
    conditions = tuple(
        (c["name"], c["value"]) for c in raw.get("condition") or () if c.get("type") == "slot"
    )
    buttons = tuple(Button(b["title"], b["payload"]) for b in raw.get("buttons") or ())
    return Variation(raw.get("text", ""), buttons, conditions, dict(raw.get("metadata") or {}))


def load_responses(domain_path: Path) -> dict[str, tuple[Variation, ...]]:
    """Return every response of domain.yml by name, its variations in file order."""
    with open(domain_path, encoding="utf-8") as f:
        domain = yaml.safe_load(f)
    return {
        name: tuple(_variation(v) for v in variations)
        for name, variations in (domain.get("responses") or {}).items()
    }


def choose_variation(variations: tuple[Variation, ...], slots: dict[str, Any]) -> Variation:
    """Pick the variation for these slots the way Rasa does, but deterministically.

    Rasa prefers a variation whose conditions all hold and otherwise takes one without conditions;
    among several candidates it picks at random. We take the first, so a person gets the same
    answer to the same question and tests can rely on it.
    """
    conditional = [v for v in variations if v.conditions and v.matches(slots)]
    if conditional:
        return conditional[0]
    unconditional = [v for v in variations if not v.conditions]
    return unconditional[0] if unconditional else variations[0]


def placeholders(text: str) -> set[str]:
    """The `{name}` placeholders in a message, which every translation must keep unchanged."""
    return set(PLACEHOLDER.findall(text))


def iter_messages_with_lines(fileobj: Any) -> Iterator[tuple[int, str, str]]:
    """Yield (line, message, response name) for every translatable text in a domain.yml stream."""
    root = yaml.compose(fileobj)
    if root is None:
        return
    responses = _mapping_get(root, "responses")
    if responses is None:
        return
    for name_node, variations in responses.value:
        for variation in variations.value:
            text = _mapping_get(variation, "text")
            if text is not None:
                yield text.start_mark.line + 1, text.value, name_node.value
            buttons = _mapping_get(variation, "buttons")
            for button in buttons.value if buttons is not None else ():
                title, payload = _mapping_get(button, "title"), _mapping_get(button, "payload")
                if title is not None and Button(title.value, payload.value).translatable:
                    yield title.start_mark.line + 1, title.value, name_node.value


def _mapping_get(node: yaml.Node, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value_node in node.value:
        if key_node.value == key:
            return value_node
    return None
