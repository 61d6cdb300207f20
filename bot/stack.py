"""A whole Wegwijs (engine and app as processes) on free ports with its state in one folder.

The end-to-end tests and the benchmark use it; they talk to it over HTTP only, exactly as a
channel and the engine talk to each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bot import engine_config
from bot.processes import (
    ManagedProcess,
    free_port,
    start_app,
    start_engine,
    wait_for_app,
    wait_for_engine,
)
from core.config import Settings


def isolated_settings(workdir: Path, **overrides) -> Settings:
    """Settings for a stack that shares nothing: free ports; databases and logs inside `workdir`."""
    values = dict(
        app_port=free_port(),
        engine_port=free_port(),
        database_url=f"sqlite:///{workdir / 'wegwijs.db'}",
        tracker_store_url=f"sqlite:///{workdir / 'tracker.db'}",
        var_dir=workdir,
        log_level="INFO",
    )
    values.update(overrides)
    return Settings(**values)


@dataclass
class Stack:
    settings: Settings
    engine: ManagedProcess | None = None
    app: ManagedProcess | None = None
    startup_seconds: dict[str, float] = field(default_factory=dict)

    def start(self) -> "Stack":
        self.start_engine()
        self.start_app()
        return self

    def start_engine(self) -> None:
        endpoints = engine_config.write(self.settings, self.settings.var_dir / "endpoints.yml")
        self.engine = start_engine(self.settings, endpoints, self.settings.var_dir / "engine.log")
        self.startup_seconds["engine"] = wait_for_engine(self.engine, self.settings)

    def start_app(self) -> None:
        self.app = start_app(self.settings, self.settings.var_dir / "app.log")
        self.startup_seconds["app"] = wait_for_app(self.app, self.settings)

    def stop(self) -> None:
        for process in (self.app, self.engine):
            if process:
                process.stop()

    def say(self, sender: str, text: str) -> dict:
        """Send one message through the web chat API, as a person would, and return the JSON."""
        response = httpx.post(
            f"{self.settings.app_url}/chat/api/messages",
            json={"sender": sender, "text": text},
            timeout=60,
        )
        response.raise_for_status()
        return response.json()

    def inbox(self, sender: str, after: int = 0) -> list[dict]:
        """Messages that arrived later for a web chat sender (staff answers), as the page polls."""
        response = httpx.get(
            f"{self.settings.app_url}/chat/api/messages",
            params={"sender": sender, "after": after},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()["messages"]

    def parse(self, text: str) -> dict:
        """Ask the engine to classify a text (no conversation is touched)."""
        response = httpx.post(
            f"{self.settings.engine_url}/model/parse", json={"text": text}, timeout=30
        )
        response.raise_for_status()
        return response.json()
