"""Spelling normalisation for the five languages: one form of each word for model and actions.

People type on phones in a hurry: Arabic with or without hamza and diacritics, Turkish without its
dotless i or cedillas, Ukrainian and Russian with three kinds of apostrophe. The tokenizer
normalises every token with `normalize`, in training and at prediction alike, so "ı" and "i", or
"أ" and "ا", become the same feature. Pure standard library: the app's tests import it too.
"""

from __future__ import annotations

import re
import unicodedata

_ARABIC_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_APOSTROPHES = re.compile("['’ʼ`´‘]")
_ETHIOPIC_PUNCTUATION = re.compile("[\u1360-\u1368]")

_TRANSLATION = str.maketrans(
    {
        # Arabic: alef forms, alef maqsura, taa marbuta, Persian/Urdu look-alikes
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ة": "ه",
        "ی": "ي",
        "ک": "ك",
        # Turkish letters typed without their marks
        "ı": "i",
        "ş": "s",
        "ğ": "g",
        "ç": "c",
        "ö": "o",
        "ü": "u",
        # Ukrainian / Russian
        "ё": "е",
        "ґ": "г",
    }
)


def normalize(token: str) -> str:
    """Return the canonical spelling of one token (lower case, marks and variants folded)."""
    token = token.replace("İ", "i").lower()
    token = _ARABIC_DIACRITICS.sub("", token)
    token = _APOSTROPHES.sub("", token)
    token = _ETHIOPIC_PUNCTUATION.sub("", token)
    token = token.translate(_TRANSLATION)
    return _strip_latin_accents(token)


def normalize_text(text: str) -> str:
    """Normalise every white-space separated word of a text; words joined by single spaces."""
    return " ".join(normalize(word) for word in text.split())


def _strip_latin_accents(token: str) -> str:
    """Drop accents from Latin letters (é -> e) but keep marks that make other letters (й, ї)."""
    kept: list[str] = []
    for char in unicodedata.normalize("NFD", token):
        if (
            unicodedata.combining(char)
            and kept
            and unicodedata.name(kept[-1], "").startswith("LATIN")
        ):
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))
