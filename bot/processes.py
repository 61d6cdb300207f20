"""Starts and stops the two processes, the Rasa engine and the app, and waits until they are ready.

`make run`, the end-to-end tests and the benchmark all use this, so they start Wegwijs the same way.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from core.config import ROOT, Settings

ENGINE_BIN = ROOT / ".venv" / "engine" / "bin" / "rasa"
APP_PYTHON = ROOT / ".venv" / "app" / "bin" / "python"


class StartupError(RuntimeError):
    """A process did not come up; the message says why and where its log is."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_in_use(host: str, port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex((host if host not in ("0.0.0.0", "") else "127.0.0.1", port)) == 0


def settings_env(settings: Settings) -> dict[str, str]:
    """The WEGWIJS_* variables that make a child process see the same settings."""
    env = {}
    for name, value in settings.model_dump().items():
        if value is not None:
            # pydantic-settings reads complex values (dicts, lists) from the environment as JSON
            text = json.dumps(value) if isinstance(value, (dict, list)) else str(value)
            env[f"WEGWIJS_{name.upper()}"] = text
    return env


def tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


@dataclass
class ManagedProcess:
    """A child process with its log file, stopped with SIGTERM (then SIGKILL)."""

    name: str
    popen: subprocess.Popen
    log_path: Path

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 20.0) -> None:
        if not self.alive():
            return
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()

    def kill(self) -> None:
        """Stop abruptly, as a crash would."""
        if self.alive():
            self.popen.kill()
            self.popen.wait()


def _spawn(name: str, command: list[str], log_path: Path, env: dict[str, str]) -> ManagedProcess:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "ab")
    popen = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, **env},
        start_new_session=True,
    )
    log.close()
    return ManagedProcess(name, popen, log_path)


def start_engine(settings: Settings, endpoints_path: Path, log_path: Path) -> ManagedProcess:
    """Start `rasa run` with the API enabled, bound to the engine host and port of the settings."""
    if not ENGINE_BIN.exists():
        raise StartupError(
            f"{ENGINE_BIN} is missing: run `scripts/setup.sh` (or `make run`) first"
        )
    if not settings.model_path.exists():
        raise StartupError(
            f"no trained model at {settings.model_path}: run `scripts/setup.sh model`"
        )
    command = [
        str(ENGINE_BIN),
        "run",
        "--enable-api",
        "--interface",
        settings.engine_host,
        "--port",
        str(settings.engine_port),
        "--model",
        str(settings.model_path),
        "--endpoints",
        str(endpoints_path),
        "--credentials",
        str(ROOT / "credentials.yml"),
    ]
    env = {
        "PYTHONPATH": str(ROOT),
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }
    return _spawn("engine", command, log_path, env)


def start_app(settings: Settings, log_path: Path) -> ManagedProcess:
    """Start the app alone (`python -m bot.serve`) with these settings."""
    return _spawn("app", [str(APP_PYTHON), "-m", "bot.serve"], log_path, settings_env(settings))


def wait_until_ready(process: ManagedProcess, url: str, timeout: float, ready=None) -> float:
    """Poll `url` until it answers 200 (and `ready(response)` holds); return the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if not process.alive():
            raise StartupError(
                f"the {process.name} stopped while starting (exit code {process.popen.returncode}); "
                f"last lines of {process.log_path}:\n{tail(process.log_path)}"
            )
        try:
            response = httpx.get(url, timeout=2.0)
            if response.status_code == 200 and (ready is None or ready(response)):
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise StartupError(
        f"the {process.name} was not ready after {timeout:.0f}s; last lines of {process.log_path}:\n"
        f"{tail(process.log_path)}"
    )


def engine_has_model(response: httpx.Response) -> bool:
    return bool(response.json().get("model_file"))


def wait_for_engine(process: ManagedProcess, settings: Settings, timeout: float = 300.0) -> float:
    return wait_until_ready(process, f"{settings.engine_url}/status", timeout, engine_has_model)


def wait_for_app(process: ManagedProcess, settings: Settings, timeout: float = 60.0) -> float:
    return wait_until_ready(process, f"{settings.app_url}/health", timeout)


def fail(message: str) -> None:
    print(f"wegwijs: {message}", file=sys.stderr)
    raise SystemExit(1)
