"""Runs the app alone (no engine) with uvicorn: `python -m bot.serve`. Used by tests and the benchmark."""

from __future__ import annotations

import uvicorn

from bot.app import create_app
from bot.logs import configure_logging
from core.config import Settings


def main() -> None:
    settings = Settings()
    configure_logging(settings.log_level)
    uvicorn.run(
        create_app(settings),
        host=settings.app_host,
        port=settings.app_port,
        log_level=settings.log_level.lower(),
        access_log=False,  # access lines would carry sender ids; our own logs say what matters
    )


if __name__ == "__main__":
    main()
