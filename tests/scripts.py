"""Helpers for asserting which script a text is written in."""

import unicodedata

SCRIPT_OF = {"ar": "ARABIC", "uk": "CYRILLIC", "tr": "LATIN", "ti": "ETHIOPIC", "nl": "LATIN"}


def letters_in(text: str, script: str) -> int:
    return sum(1 for c in text if c.isalpha() and unicodedata.name(c, "").startswith(script))


def written_in(text: str, script: str) -> bool:
    """True when most letters of `text` belong to `script` (Latin names like COA may be mixed in)."""
    letters = sum(1 for c in text if c.isalpha())
    return letters > 0 and letters_in(text, script) / letters > 0.6
