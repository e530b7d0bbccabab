"""API tokens: with NARRATE_API_TOKENS set, every request that changes something (POST,
PUT, DELETE) must carry one as `Authorization: Bearer TOKEN`.

Reading stays open, because readers' browsers fetch the player, the audio, the timings
and the feeds from publishers' pages. Several tokens may be set at once (comma-separated)
so a token can be replaced without downtime. Without any, Narrate accepts writes from
anyone who can reach it, which suits the embedded default on 127.0.0.1.
"""

from __future__ import annotations

import hmac

from flask import Flask, request

from service.errors import ApiError
from workers.settings import Settings

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
OPEN_ENDPOINTS = frozenset({"listens.record_listen"})  # readers' listening beacons
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="narrate"'}


def init_auth(app: Flask, settings: Settings) -> None:
    if not settings.api_tokens:
        return
    tokens = [token.encode() for token in settings.api_tokens]

    @app.before_request
    def _require_token() -> None:
        if request.method in READ_ONLY_METHODS or request.endpoint in OPEN_ENDPOINTS:
            return
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            raise ApiError(
                401,
                "Unauthorized",
                "this Narrate needs an API token to accept changes: send the header "
                "'Authorization: Bearer TOKEN' with one of the server's NARRATE_API_TOKENS",
                CHALLENGE,
            )
        # compare with every token, so the time taken says nothing about which was close
        matches = [hmac.compare_digest(given.strip().encode(), token) for token in tokens]
        if not any(matches):
            raise ApiError(
                401,
                "Unauthorized",
                "the API token is not one this server accepts: check NARRATE_API_TOKENS",
                CHALLENGE,
            )
