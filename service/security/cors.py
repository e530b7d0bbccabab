"""Cross-origin access for publishers' pages: embed.js, audio, timings and the API's GETs.

A response a browser may cache must not depend on the request's `Origin` unless it says
so: with any origin allowed, every response carries the constant `*` (cached copies are
the same for everyone); with an allowlist, every response says `Vary: Origin`, so a copy
fetched without `Origin` (the article page, the iframe) is never reused for a
publisher's page. Listening beacons (POST …/listens) are also open to any allowed origin.
"""

from __future__ import annotations

from flask import Flask, Response, request

from workers.config import Settings

EXPOSED = (
    "Content-Length, Content-Range, Accept-Ranges, ETag, Last-Modified, Retry-After, "
    "Narrate-Revision"
)


def allow_origin(settings: Settings, origin: str | None) -> str | None:
    if "*" in settings.cors_origins:
        return "*"
    if not origin:
        return None
    return origin if origin in settings.cors_origins else None


def _is_beacon() -> bool:
    return request.method == "POST" and request.path.endswith("/listens")


def init_cors(app: Flask, settings: Settings) -> None:
    @app.after_request
    def _cors(response: Response) -> Response:
        if request.method not in {"GET", "HEAD", "OPTIONS"} and not _is_beacon():
            return response
        if "*" not in settings.cors_origins:
            response.vary.add("Origin")
        allowed = allow_origin(settings, request.headers.get("Origin"))
        if allowed:
            response.headers["Access-Control-Allow-Origin"] = allowed
            response.headers["Access-Control-Expose-Headers"] = EXPOSED
            if request.method == "OPTIONS":
                response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, POST, OPTIONS"
                response.headers["Access-Control-Allow-Headers"] = (
                    "Range, If-None-Match, Content-Type"
                )
                response.headers["Access-Control-Max-Age"] = "86400"
        return response
