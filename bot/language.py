"""Decides in which language Wegwijs answers a message.

The order (docs/architecture.md): an explicit choice by the person wins; then what the message
itself is written in; then the language we used before in this conversation; then the channel's
hint (Telegram's language_code); then Dutch.

What a message is written in is decided by its script first (Arabic, Ge'ez and Cyrillic each
belong to one of our languages; Russian is answered in Ukrainian), and within the Latin script by
a statistical detector choosing between Dutch and Turkish. Newcomers mix Dutch words into their own
language ("huisarts?"), so a short or uncertain Latin message only counts when nothing better is
known.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from lingua import Language, LanguageDetectorBuilder

from core.languages import DEFAULT, is_supported

_TURKISH_ONLY_LETTERS = frozenset("ğĞşŞıİ")
#: Latin-script languages newcomers may write in; only Dutch and Turkish map to a reply language.
_LATIN_CANDIDATES = (
    Language.DUTCH,
    Language.TURKISH,
    Language.ENGLISH,
    Language.GERMAN,
    Language.POLISH,
    Language.FRENCH,
    Language.SOMALI,
    Language.ROMANIAN,
)
_LATIN_REPLY_LANGUAGE = {Language.DUTCH: "nl", Language.TURKISH: "tr"}
_STRONG_MIN_WORDS = 3
_STRONG_CONFIDENCE = 0.6
_WEAK_CONFIDENCE = 0.45
_MIN_OWN_SCRIPT_LETTERS = 2
#: A word with a digit standing for an Arabic sound (2 ء, 3 ع, 5 خ, 7 ح, 9 ق) between letters.
_ARABIZI_WORD = re.compile(r"(?=[a-z']*[2357][a-z2357']*[a-z])[a-z2357']{3,}|[a-z]+[2357][a-z]*")
_LEVEL = re.compile(r"[abc][12]")  # language levels such as A2 or B1 are not Arabizi
_ARABIZI_COMMON = frozenset(
    "ana enta enti bdi baddi biddi 3ndi shu sho wein wen keef kif mafi mish msh inshallah yalla "
    "habibi marhaba shukran mabrouk wallah ya3ni".split()
)


@dataclass(frozen=True)
class Detection:
    """The language a message is written in; `strong` when it should override the stored one."""

    language: str
    strong: bool


def _script_of(char: str) -> str | None:
    name = unicodedata.name(char, "")
    for script in ("ARABIC", "ETHIOPIC", "CYRILLIC", "LATIN"):
        if name.startswith(script):
            return script
    return None


def _letters_by_script(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for char in text:
        if char.isalpha():
            script = _script_of(char)
            if script:
                counts[script] = counts.get(script, 0) + 1
    return counts


def preload() -> None:
    """Load the detector's language models now, so the first person does not wait for them."""
    _latin_detector()


@lru_cache(maxsize=1)
def _latin_detector():
    return (
        LanguageDetectorBuilder.from_languages(*_LATIN_CANDIDATES)
        .with_preloaded_language_models()
        .build()
    )


def is_arabizi(text: str) -> bool:
    """Arabic written in Latin letters, with digits for Arabic sounds ("ana bdi 7aki ma3 7ada")."""
    words = re.findall(r"[a-z0-9']+", text.lower())
    digit_words = [w for w in words if _ARABIZI_WORD.fullmatch(w) and not _LEVEL.fullmatch(w)]
    common = [w for w in words if w in _ARABIZI_COMMON]
    return bool(digit_words) or len(common) >= 2


def _detect_latin(text: str) -> Detection | None:
    if any(char in _TURKISH_ONLY_LETTERS for char in text):
        return Detection("tr", strong=True)
    if is_arabizi(text):
        return Detection("ar", strong=True)
    values = _latin_detector().compute_language_confidence_values(text)
    if not values:
        return None
    best = values[0]
    reply_language = _LATIN_REPLY_LANGUAGE.get(best.language)
    if reply_language is None or best.value < _WEAK_CONFIDENCE:
        return None
    words = [w for w in text.split() if any(c.isalpha() for c in w)]
    strong = len(words) >= _STRONG_MIN_WORDS and best.value >= _STRONG_CONFIDENCE
    return Detection(reply_language, strong)


def detect(text: str) -> Detection | None:
    """Return the language `text` is written in, or None when it cannot be told (e.g. "ok", "👍")."""
    counts = _letters_by_script(text)
    own_scripts = {
        s: n for s, n in counts.items() if s != "LATIN" and n >= _MIN_OWN_SCRIPT_LETTERS
    }
    if not own_scripts:
        return _detect_latin(text) if counts else None
    # Latin words next to Arabic, Ge'ez or Cyrillic are Dutch loanwords ("اريد huisarts").
    script = max(own_scripts, key=own_scripts.get)
    if script == "ARABIC":
        return Detection("ar", strong=True)
    if script == "ETHIOPIC":
        return Detection("ti", strong=True)
    return Detection("uk", strong=True)


def resolve(
    *,
    explicit: str | None,
    detected: Detection | None,
    stored: str | None,
    channel_hint: str | None,
) -> str:
    """Apply the order explicit > written-in (strong) > stored > written-in (weak) > hint > Dutch."""
    if is_supported(explicit):
        return explicit  # type: ignore[return-value]
    if detected and detected.strong:
        return detected.language
    if is_supported(stored):
        return stored  # type: ignore[return-value]
    if detected:
        return detected.language
    hint = hint_language(channel_hint)
    return hint or DEFAULT


def hint_language(channel_hint: str | None) -> str | None:
    """Map a channel's language hint such as Telegram's "uk", "ru" or "ar-SA" to a reply language."""
    if not channel_hint:
        return None
    base = channel_hint.lower().replace("_", "-").split("-")[0]
    if base == "ru":
        return "uk"
    return base if is_supported(base) else None
