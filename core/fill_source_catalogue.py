"""Makes the Dutch catalogue complete: Dutch is the source language, so each msgstr is its msgid.

Run by scripts/i18n.sh after `pybabel update`. Keeping nl.po complete (instead of empty) lets the
same completeness check cover all five languages.
"""

from __future__ import annotations

import sys

from babel.messages.pofile import read_po, write_po


def fill(path: str) -> None:
    with open(path, "rb") as f:
        catalog = read_po(f)
    for message in catalog:
        if message.id:
            message.string = message.id
            message.flags.discard("fuzzy")
    with open(path, "wb") as f:
        write_po(f, catalog, width=0)


if __name__ == "__main__":
    fill(sys.argv[1])
