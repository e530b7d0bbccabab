"""Rate limits and quotas (Flask-Limiter, counted in the broker's Redis so that every
web process shares them).

- submissions (POST/PUT/PATCH/DELETE): per API key, or per client address without one,
  the key's own limit if it has one (`narrate keys create --limit`), else
  NARRATE_LIMIT_SUBMISSIONS;
- spoken characters submitted: per key or address, NARRATE_LIMIT_CHARACTERS, charged an
  estimate from the text as received (service.intake.store.charged_chars: its text
  without markup, counted at the default rate) before it is stored, since the worker
  cleans it; what an article costs a worker is its audio, and that lasts as long as its
  text is long at the rate it asks, however many lines;
- reads (every GET, the player's status and audio requests included): per client
  address, NARRATE_LIMIT_READS.

Over a limit the answer is a 429 problem document with Retry-After and RateLimit-Limit,
-Remaining and -Reset headers. If Redis is unreachable the limits lapse, not the service.
"""

from __future__ import annotations

import hashlib
import time

from flask import Flask, Response, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse_many
from limits.strategies import SlidingWindowCounterRateLimiter

from service.errors import ApiError
from workers.config import Settings

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
EXEMPT_ENDPOINTS = frozenset({"healthz", "readyz", "static"})


def storage_uri(broker_url: str) -> str:
    """limits' name for the broker's Redis (kombu writes a unix socket differently)."""
    if broker_url.startswith("redis+socket://"):
        return "redis+unix://" + broker_url.removeprefix("redis+socket://")
    return broker_url


def _submitter() -> str:
    """The API key (hashed: counters must not hold secrets), or the client's address."""
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and given.strip():
        return "key:" + hashlib.sha256(given.strip().encode()).hexdigest()[:32]
    return "address:" + get_remote_address()


def _counted_as() -> str:
    if request.method in READ_METHODS:
        return "reads/address:" + get_remote_address()
    return "submissions/" + _submitter()


def init_limits(app: Flask, settings: Settings) -> None:
    def limit_for_request() -> str:
        if request.method in READ_METHODS:
            return settings.limit_reads
        # service.security.auth has checked the key before the limiter runs (its before_request
        # comes first), so a key's own limit is known here without asking the catalog
        key = g.get("narrate_principal")
        return (key and key.submission_limit) or settings.limit_submissions

    limiter = Limiter(
        _counted_as,
        app=app,
        application_limits=[limit_for_request],
        application_limits_exempt_when=lambda: request.endpoint in EXEMPT_ENDPOINTS,
        storage_uri=storage_uri(settings.broker_url),
        # in Redis under the deployment's prefix, like every other key of ours
        storage_options={"key_prefix": f"{settings.broker_prefix}narrate-limits"},
        swallow_errors=True,
        strategy="moving-window",
    )
    app.extensions["narrate.limiter"] = limiter
    # The quota is charged thousands of characters at a time. A moving window keeps one
    # Redis list entry per unit charged (a 60,000-character article: 60,000 entries, and
    # a POST's time grows with them); a sliding-window counter keeps two counters.
    app.extensions["narrate.quota"] = SlidingWindowCounterRateLimiter(limiter.limiter.storage)

    # Flask-Limiter's own headers would also raise any Retry-After the service sets
    # (a 409's "try again in 5 s") to the limit's reset; these leave it alone.
    @app.after_request
    def _rate_limit_headers(response: Response) -> Response:
        current = limiter.current_limit
        if current is None:
            return response
        reset_in = max(0, int(current.reset_at - time.time()))
        response.headers["RateLimit-Limit"] = str(current.limit.amount)
        response.headers["RateLimit-Remaining"] = str(current.remaining)
        response.headers["RateLimit-Reset"] = str(reset_in)
        if response.status_code == 429:
            response.headers["Retry-After"] = str(max(1, reset_in))
        return response


def charge_chars(count: int) -> None:
    """Count `count` spoken characters (at the default rate: charged_chars) about to be
    stored against the quota; 429 once it is spent (a submission whose characters would
    pass it is refused whole)."""
    settings: Settings = current_app.extensions["narrate.settings"]
    counter: SlidingWindowCounterRateLimiter = current_app.extensions["narrate.quota"]
    who = _submitter()
    for quota in parse_many(settings.limit_characters):
        try:
            if counter.hit(quota, "characters", who, cost=count):
                continue
            reset_at, _ = counter.get_window_stats(quota, "characters", who)
        except Exception:  # Redis unreachable: the quota lapses with it (see module doc)
            return
        retry = max(1, int(reset_at - time.time()))
        raise ApiError(
            429,
            "Too many requests",
            f"this submission's {count:,} characters of text (counted at the default rate) "
            f"would pass the quota of "
            f"{settings.limit_characters} (NARRATE_LIMIT_CHARACTERS); try again in {retry} s",
            {"Retry-After": str(retry)},
        )
