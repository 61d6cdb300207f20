"""The five languages Wegwijs speaks, and what the interface needs to know about each."""

SUPPORTED = ("ar", "uk", "tr", "ti", "nl")
DEFAULT = "nl"

#: Shown on language buttons, always in the language itself: people look for their own script.
NATIVE_NAMES = {
    "ar": "العربية",
    "uk": "Українська",
    "tr": "Türkçe",
    "ti": "ትግርኛ",
    "nl": "Nederlands",
}

_RIGHT_TO_LEFT = frozenset({"ar"})


def direction(language: str) -> str:
    """Return the HTML text direction ("rtl" or "ltr") for a language code."""
    return "rtl" if language in _RIGHT_TO_LEFT else "ltr"


def is_supported(language: object) -> bool:
    """True for one of the five language codes we have catalogues for."""
    return language in SUPPORTED
