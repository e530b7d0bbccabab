"""Every error leaves the API as one kind of JSON problem document (RFC 9457)."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from workers.pipeline.errors import NarrateError
from workers.runtime.resilience import BROKER, DATABASE, describe, unavailable

log = logging.getLogger("narrate.errors")
RETRY_AFTER_S = 5  # what a client is told to wait while the database or broker is away


class ApiError(NarrateError):
    """An HTTP-level problem raised by the service itself."""

    def __init__(
        self, status: int, title: str, detail: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status, self.title, self.headers = status, title, headers or {}


def bad_request(detail: str) -> ApiError:
    return ApiError(400, "Bad request", detail)


_HTTP_DETAILS = {
    404: "There is nothing at this URL; check the path (the API lives under /api/v1).",
    405: "This URL does not accept that method; see /api/v1/openapi.json.",
    413: "The upload is larger than the limit ({limit} bytes); send a smaller article "
    "or raise NARRATE_MAX_UPLOAD_BYTES.",
}


def problem(status: int, title: str, detail: str, headers: dict[str, str] | None = None):
    body = {
        "type": f"https://narrate.invalid/problems/{title.lower().replace(' ', '-')}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    response: Response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    response.headers.update(headers or {})
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(NarrateError)
    def _narrate_error(error: NarrateError):
        return problem(error.status, error.title, error.detail, getattr(error, "headers", None))

    @app.errorhandler(SQLAlchemyError)
    @app.errorhandler(BrokerError)
    @app.errorhandler(RedisConnectionError)
    def _backend_error(error: Exception):
        part = unavailable(error)
        if part in (DATABASE, BROKER):
            log.warning("%s", describe(error))
            return problem(
                503,
                "Service unavailable",
                f"The {part} is unreachable for the moment; nothing was changed. "
                f"Try again in {RETRY_AFTER_S} seconds.",
                {"Retry-After": str(RETRY_AFTER_S)},
            )
        log.exception("unexpected %s error", part or "database")
        return problem(
            500,
            "Internal server error",
            "Something went wrong on our side; try again, and report it if it keeps happening.",
        )

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        status = error.code or 500
        detail = _HTTP_DETAILS.get(status, error.description or error.name)
        detail = detail.format(limit=app.config.get("MAX_CONTENT_LENGTH"))
        return problem(status, error.name, detail)
