"""One logging setup for every entry point: timestamped lines on stderr, no message texts.

Our modules never log what people write or who they are; keep it that way when adding logs.
"""

from __future__ import annotations

import logging


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
    )
    # httpx logs every request URL at INFO; the action and NLG calls would flood the log.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # Alembic lists its plugins at INFO on every start; the migration lines themselves stay.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
