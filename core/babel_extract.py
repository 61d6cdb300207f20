"""A Babel extractor for Rasa's domain.yml, so `pybabel extract` finds every response text.

Registered in locales/babel.cfg; the translator comment names the response, which tells a
translator where the text appears.
"""

from __future__ import annotations

import io
from typing import Any, Iterator

from core.domain_content import iter_messages_with_lines


def extract_domain(
    fileobj: Any, keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel extraction method: yields (lineno, funcname, message, comments)."""
    stream = io.TextIOWrapper(fileobj, encoding=options.get("encoding", "utf-8"))
    for line, message, response in iter_messages_with_lines(stream):
        yield line, "", message, [f"response: {response}"]
