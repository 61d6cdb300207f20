"""Rasa's NLG server protocol: the engine names a response, we render it for this person.

Rendering = choose the variation for the person's group, translate its Dutch text and button
titles into the person's language, fill placeholders (slots, and the municipality profile's
values), and add the source line of factual answers.
The language comes from the metadata the app sent with the person's latest message.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Callable, Mapping

from babel.dates import format_date

from core.domain_content import Variation, choose_variation
from core.i18n import N_
from core.languages import is_supported
from core.profiles import Profile

logger = logging.getLogger(__name__)


SOURCE_LINE = N_("Bron: {source} ({url}). Gecontroleerd op {date}.")

Translate = Callable[[str, str], str]


class UnknownResponse(LookupError):
    """The engine asked for a response that domain.yml does not define."""


class _KeepMissing(dict):
    """format_map helper: an unknown placeholder stays visible instead of crashing the reply."""

    def __missing__(self, key: str) -> str:
        logger.warning("no value for placeholder %s", key)
        return "{" + key + "}"


def language_of(tracker: Mapping[str, Any], arguments: Mapping[str, Any], default: str) -> str:
    """The language to render in: an explicit argument, else the latest user message's metadata."""
    if is_supported(arguments.get("language")):
        return arguments["language"]
    for event in reversed(tracker.get("events") or []):
        if event.get("event") == "user":
            language = (event.get("metadata") or {}).get("language")
            if is_supported(language):
                return language
            break
    return default


def slot_values(tracker: Mapping[str, Any], arguments: Mapping[str, Any]) -> dict[str, Any]:
    """Slots of the tracker, overridden by action arguments that name a slot.

    An action that sets a slot and utters in the same run passes the new value as an argument,
    because Rasa renders its messages before applying the action's events.
    """
    slots = dict(tracker.get("slots") or {})
    slots.update({k: v for k, v in arguments.items() if k in slots and v is not None})
    return slots


class Renderer:
    """Renders responses from domain.yml in one of our languages."""

    def __init__(
        self,
        responses: Mapping[str, tuple[Variation, ...]],
        translate: Translate,
        default_language: str,
        profile: Profile,
    ) -> None:
        self._responses = responses
        self._translate = translate
        self._default_language = default_language
        self._profile = profile
        self._profile_values: dict[str, dict[str, str]] = {}

    def render(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Turn one NLG request body into the response JSON Rasa expects."""
        name = body.get("response")
        variations = self._responses.get(name) if isinstance(name, str) else None
        if not variations:
            raise UnknownResponse(name)
        tracker = body.get("tracker") or {}
        arguments = body.get("arguments") or {}
        language = language_of(tracker, arguments, self._default_language)
        slots = slot_values(tracker, arguments)
        # Other arguments fill placeholders of this one message (e.g. {case_lines}).
        values = {**arguments, **slots}
        return self._rendered(choose_variation(variations, slots), language, values)

    def render_named(self, name: str, language: str, values: Mapping[str, Any]) -> dict[str, Any]:
        """Render a response for the app's own messages (handover, staff answers), no tracker."""
        variations = self._responses.get(name)
        if not variations:
            raise UnknownResponse(name)
        return self._rendered(choose_variation(variations, {}), language, values)

    def _rendered(
        self, variation: Variation, language: str, values: Mapping[str, Any]
    ) -> dict[str, Any]:
        return {
            "text": self._text(variation, language, values),
            "buttons": [
                {
                    "title": self._translate(b.title, language) if b.translatable else b.title,
                    "payload": b.payload,
                }
                for b in variation.buttons
            ],
        }

    def _text(self, variation: Variation, language: str, slots: Mapping[str, Any]) -> str:
        values = {**slots, **self._profile_values_in(language)}
        text = self._translate(variation.text, language).format_map(_KeepMissing(values))
        source = variation.metadata.get("source")
        if source:
            text += "\n\n" + self.source_line(variation.metadata, language)
        return text

    def _profile_values_in(self, language: str) -> dict[str, str]:
        """The municipality's values in one language, worked out once per language."""
        if language not in self._profile_values:
            self._profile_values[language] = self._profile.text_values(language, self._translate)
        return self._profile_values[language]

    def source_line(self, metadata: Mapping[str, Any], language: str) -> str:
        """The line "Bron: … Gecontroleerd op <date>." in the person's language and date format."""
        checked = dt.date.fromisoformat(str(metadata["checked"]))
        return self._translate(SOURCE_LINE, language).format(
            source=metadata["source"],
            url=metadata.get("url", ""),
            date=format_date(checked, format="long", locale=language),
        )
