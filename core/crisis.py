"""Crisis words: which kind of crisis a message speaks of, in all five languages.

One list serves two readers. The engine's crisis guard (components/crisis_guard.py) treats any
match as a crisis, whatever the classifier thought, because a missed crisis costs far more than an
extra list of emergency numbers. The crisis action (actions/crisis.py) uses the kind to pick the
most fitting first reply. The words sit in core/crisis_words.yml, after spelling normalisation.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from core.normalize import normalize_text

WORDS_FILE = Path(__file__).resolve().parent / "crisis_words.yml"


def _pattern(entry: str) -> str:
    """A regular expression for one entry: whole words, or a word start when it ends in *."""
    words = []
    for word in normalize_text(entry).split():
        if word.endswith("*"):
            words.append(re.escape(word[:-1]) + r"\w*")
        else:
            words.append(re.escape(word))
    return r"(?<!\w)" + r"\W+".join(words) + r"(?!\w)"


@lru_cache(maxsize=1)
def crisis_patterns() -> dict[str, re.Pattern[str]]:
    """{kind: one pattern for the entries of all languages}, in the order of the file."""
    data = yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))
    return {
        kind: re.compile(
            "|".join(_pattern(e) for entries in by_language.values() for e in entries)
        )
        for kind, by_language in data.items()
    }


def crisis_kind(text: str) -> str | None:
    """The first kind with an entry in the text, or None."""
    normalised = normalize_text(text)
    for kind, pattern in crisis_patterns().items():
        if pattern.search(normalised):
            return kind
    return None
