"""Long texts in parts that a messenger accepts, cut between words, never inside one.

Both channels use it: Telegram (4,096 per message) and WhatsApp (4,096 per text, 1,024 per
interactive body). Lengths are counted in UTF-16 code units, as Telegram counts (an emoji outside
the Basic Multilingual Plane counts twice); for WhatsApp, which counts characters, that is on the
safe side.
"""

from __future__ import annotations

import unicodedata

#: A cut is only made in the second half of a part, so a split never leaves a tiny first part
#: (e.g. a staff answer's header alone) when a boundary further on will do.
_MIN_FILL = 0.5
#: Spaces that must not become a break (they glue a number to its unit, a name to its initial).
_NO_BREAK = frozenset("\u00a0\u202f\u2007\u2060")
#: Zero-width joiner and emoji variation selector: a hard cut next to them would break a glyph.
_JOINERS = frozenset("\u200d\ufe0f")


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _fitting_prefix(text: str, limit: int) -> int:
    """The largest n such that text[:n] counts at most `limit` UTF-16 units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def _break_at(text: str, end: int) -> int:
    """Where to cut text[:end]: the last paragraph break, else line break, else space in the
    second half; a hard cut (not inside a combining sequence) when there is none."""
    low = max(1, int(end * _MIN_FILL))
    for separator in ("\n\n", "\n"):
        found = text.rfind(separator, low, end)
        if found > 0:
            return found
    for index in range(end - 1, low - 1, -1):
        if text[index].isspace() and text[index] not in _NO_BREAK:
            return index
    cut = end
    while cut > low and (
        unicodedata.combining(text[cut]) or text[cut] in _JOINERS or text[cut - 1] in _JOINERS
    ):
        cut -= 1
    return cut


def split_text(text: str, limit: int) -> list[str]:
    """Split a text into parts of at most `limit` (UTF-16 units) without breaking words: at a
    paragraph break if possible, else a line break, else a space. The whitespace at a cut is
    dropped; nothing else is changed. An empty text gives one empty part."""
    rest = text.strip()
    parts: list[str] = []
    while utf16_length(rest) > limit:
        end = _fitting_prefix(rest, limit)
        cut = _break_at(rest, end)
        head = rest[:cut].rstrip()
        if not head:  # only whitespace before the cut: cut hard instead
            head, cut = rest[:end], end
        parts.append(head)
        rest = rest[cut:].lstrip()
    parts.append(rest)
    return parts
