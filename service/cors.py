"""Cross-origin access for publishers' pages: embed.js, audio, timings and the API's GETs."""

from __future__ import annotations

from flask import Flask, Response, request

from workers.settings import Settings

EXPOSED = "Content-Length, Content-Range, Accept-Ranges, ETag, Last-Modified, Retry-After"


def allow_origin(settings: Settings, origin: str | None) -> str | None:
    if not origin:
        return None
    if "*" in settings.cors_origins:
        return "*"
    return origin if origin in settings.cors_origins else None


def init_cors(app: Flask, settings: Settings) -> None:
    @app.after_request
    def _cors(response: Response) -> Response:
        if request.method not in {"GET", "HEAD", "OPTIONS"}:
            return response
        allowed = allow_origin(settings, request.headers.get("Origin"))
        if allowed:
            response.headers["Access-Control-Allow-Origin"] = allowed
            response.headers["Access-Control-Expose-Headers"] = EXPOSED
            if allowed != "*":
                response.vary.add("Origin")
            if request.method == "OPTIONS":
                response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
                response.headers["Access-Control-Allow-Headers"] = "Range, If-None-Match"
                response.headers["Access-Control-Max-Age"] = "86400"
        return response
