"""Which failures are worth waiting out, and how long to wait: one decision for the
tasks, the worker's start-up and the web process.

A transient failure (the database or the broker unreachable, storage refusing a write,
the engine crashing or hanging) is retried with backoff; anything else fails the job
with its message. Nothing is acknowledged and dropped because a server blinked.
"""

from __future__ import annotations

import random

from workers.pipeline.errors import SynthesisFailed

DATABASE, BROKER, STORAGE, ENGINE = "database", "broker", "storage", "engine"


def unavailable(exc: BaseException) -> str | None:
    """The part that failed ("database", "broker", "storage", "engine") when `exc` is a
    failure that may pass by itself; None when retrying cannot help."""
    from kombu.exceptions import OperationalError as BrokerError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    if isinstance(exc, OperationalError | InterfaceError | PoolTimeout):
        return DATABASE
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return DATABASE
    if isinstance(exc, BrokerError | RedisConnectionError | RedisTimeoutError):
        return BROKER
    if isinstance(exc, SynthesisFailed):
        return ENGINE
    if isinstance(exc, OSError):  # PermissionError, a full disk, a folder that went away
        return STORAGE
    if _object_store_unavailable(exc):
        return STORAGE
    return None


def _object_store_unavailable(exc: BaseException) -> bool:
    """An S3 endpoint unreachable, timing out, throttling or failing on its side."""
    from botocore.exceptions import ClientError, HTTPClientError
    from botocore.exceptions import ConnectionError as EndpointUnreachable

    if isinstance(exc, EndpointUnreachable | HTTPClientError):
        return True
    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        code = exc.response.get("Error", {}).get("Code", "")
        return status >= 500 or code in {"SlowDown", "Throttling", "RequestTimeout"}
    return False


def is_transient(exc: BaseException) -> bool:
    return unavailable(exc) is not None


def backoff_s(retries: int, *, base_s: float = 1.0, cap_s: float = 30.0) -> float:
    """Doubling delay with "equal jitter": at least half the step, so retries of many
    tasks spread out without ever hammering a server that just came back."""
    step = min(cap_s, base_s * 2**retries)
    return step / 2 + random.uniform(0, step / 2)


def describe(exc: BaseException) -> str:
    """One line for a job's `error`: which part failed and why."""
    part = unavailable(exc)
    first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return f"{part} unavailable: {first_line}" if part and part != ENGINE else first_line
