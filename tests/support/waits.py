"""Bounded polls: wait for a condition to hold, or fail saying what never happened."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(
    predicate: Callable[[], object],
    timeout: float = 120,
    what: str = "timed out",
    *,
    ignoring: tuple[type[BaseException], ...] = (),
    interval: float = 0.1,
) -> float:
    """Poll `predicate` until it is true; `ignoring` errors count as not yet. The
    seconds it took."""
    start = time.monotonic()
    while True:
        try:
            if predicate():
                return time.monotonic() - start
        except ignoring:
            pass
        assert time.monotonic() - start < timeout, f"{what} (waited {timeout} s)"
        time.sleep(interval)


def wait_for(client, url: str, status: str, timeout: float = 120) -> list[dict]:
    """Poll an article until it reaches `status`; return every state seen on the way."""
    seen: list[dict] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(url).get_json()
        if (
            not seen
            or body["progress"] != seen[-1]["progress"]
            or body["status"] != seen[-1]["status"]
        ):
            seen.append(body)
        if body["status"] in {status, "failed"}:
            assert body["status"] == status, body["error"]
            return seen
        time.sleep(0.05)
    raise AssertionError(f"still {seen[-1]['status']} after {timeout} s: {seen[-1]}")
