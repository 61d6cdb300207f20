"""Slows down password guessing at the desk: after a few failed logins for one username, that
username cannot log in for a while, whatever password is tried.

Kept in memory per app process (a restart or a second replica starts counting afresh), which is
enough to turn guessing into a crawl. Counting per username rather than per address also works
behind a proxy; the price is that someone can lock a known username out for the waiting time.
"""

from __future__ import annotations

import threading
import time
from collections import deque

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


class LoginThrottle:
    def __init__(
        self, max_failures: int = MAX_FAILURES, window_seconds: float = WINDOW_SECONDS
    ) -> None:
        self._max = max_failures
        self._window = window_seconds
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, username: str) -> bool:
        with self._lock:
            return len(self._recent(username.strip().lower())) >= self._max

    def failed(self, username: str) -> None:
        with self._lock:
            self._recent(username.strip().lower()).append(time.monotonic())

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(username.strip().lower(), None)

    def _recent(self, name: str) -> deque[float]:
        failures = self._failures.setdefault(name, deque())
        while failures and failures[0] < time.monotonic() - self._window:
            failures.popleft()
        return failures
