"""`make run`: starts the Rasa engine and the app together and says where to chat.

The engine runs as a child process (its own Python 3.10 environment, log in var/log/engine.log);
the app runs in this process. Ctrl+C (or SIGTERM, which uvicorn handles) stops both.
"""

from __future__ import annotations

import asyncio
import logging

import uvicorn

from bot import engine_config
from bot.app import create_app
from bot.logs import configure_logging
from bot.processes import StartupError, fail, port_in_use, start_engine, wait_for_engine
from core.config import Settings

logger = logging.getLogger("wegwijs")


def _check_ports(settings: Settings) -> None:
    for what, host, port, variable in (
        ("engine", settings.engine_host, settings.engine_port, "WEGWIJS_ENGINE_PORT"),
        ("app", settings.app_host, settings.app_port, "WEGWIJS_APP_PORT"),
    ):
        if port_in_use(host, port):
            fail(
                f"port {port} for the {what} is already in use (is Wegwijs already running?). "
                f"Stop the other program or choose another port with {variable}=..."
            )


async def _announce_when_ready(engine, settings: Settings, server: uvicorn.Server) -> None:
    try:
        seconds = await asyncio.to_thread(wait_for_engine, engine, settings)
    except StartupError as exc:
        logger.error("%s", exc)
        server.should_exit = True
        return
    logger.info("engine ready after %.0fs", seconds)
    print(
        "\n  Wegwijs is running.\n"
        f"  Chat in your browser:  http://localhost:{settings.app_port}/chat\n"
        "  Chat in the terminal:  .venv/app/bin/python -m bot.terminal_chat\n"
        "  Stop with Ctrl+C.\n",
        flush=True,
    )


async def _serve(settings: Settings) -> None:
    endpoints = engine_config.write(settings, settings.var_dir / "endpoints.yml")
    engine = start_engine(settings, endpoints, settings.var_dir / "log" / "engine.log")
    logger.info("engine starting (log: %s)", engine.log_path)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings),
            host=settings.app_host,
            port=settings.app_port,
            log_level=settings.log_level.lower(),
            access_log=False,
        )
    )
    announcer = asyncio.create_task(_announce_when_ready(engine, settings, server))
    try:
        await server.serve()
    finally:
        announcer.cancel()
        engine.stop()
        logger.info("engine stopped")


def main() -> None:
    settings = Settings()
    configure_logging(settings.log_level)
    _check_ports(settings)
    try:
        asyncio.run(_serve(settings))
    except StartupError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
