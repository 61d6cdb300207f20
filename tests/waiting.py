"""Waiting in tests for something another process does (a worker delivers, a reply arrives)."""

from __future__ import annotations

import time


def wait_for(condition, seconds: float = 30.0, interval: float = 0.1):
    """Call `condition` until it returns something truthy and return that; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {seconds} s")
