"""Loads the compiled gettext catalogues (locales/<lang>/LC_MESSAGES/messages.mo) with Babel.

Everything that shows text to a person (NLG, web chat, later the channels and the desk) translates
through here, so there is one place that knows where catalogues live and what happens when one is
missing.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path

from babel.support import Translations

from core.languages import SUPPORTED

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"


class CatalogueMissing(RuntimeError):
    """A compiled catalogue is missing: setup (pybabel compile) has not run."""


@lru_cache(maxsize=None)
def translations(language: str, locales_dir: Path = LOCALES_DIR) -> gettext.NullTranslations:
    """Return the translations of one supported language; fails loudly when not compiled."""
    if language not in SUPPORTED:
        raise ValueError(f"unsupported language {language!r}; expected one of {SUPPORTED}")
    mo_file = locales_dir / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not mo_file.exists():
        raise CatalogueMissing(
            f"{mo_file} is missing; compile the catalogues with `scripts/setup.sh catalogues`"
        )
    return Translations.load(str(locales_dir), [language], DOMAIN)


def N_(message: str) -> str:
    """Mark a Dutch source message for `pybabel extract` without translating it yet."""
    return message


def translate(message: str, language: str) -> str:
    """Translate one Dutch source message into `language` (the message itself when untranslated)."""
    return translations(language).gettext(message)
