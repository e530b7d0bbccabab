"""/api/v1/keys: API keys listed, made and revoked over the API (the admin scope), by
the same code as `narrate keys` (workers.catalog.keys)."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, jsonify, request

from service.errors import ApiError, bad_request
from service.intake.submissions import parse_json
from service.security import auth, exposure
from service.web.context import catalog, settings
from workers.catalog.keys import (
    KeyNotAllowed,
    KeyRequestError,
    create_key,
    is_last_admin,
    list_keys,
    revoke_key,
)
from workers.catalog.models import ApiKeyRow

keys_api = Blueprint("keys", __name__, url_prefix="/api/v1/keys")
FIELDS = frozenset({"name", "scope", "collections", "limit"})


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() + "Z" if moment else None


def described(row: ApiKeyRow) -> dict:
    """What anyone managing keys may see of one: never its secret or the secret's hash."""
    return {
        "id": row.id,
        "name": row.name,
        "scope": row.scope,
        "collections": row.collections,
        "limit": row.submission_limit,
        "created_at": _when(row.created_at),
        "last_used_at": _when(row.last_used_at),
        "revoked_at": _when(row.revoked_at),
    }


@keys_api.get("")
def list_api_keys():
    who = auth.require("admin")
    with catalog() as session:
        return jsonify({"keys": [described(row) for row in list_keys(session, who)]})


@keys_api.post("")
def create_api_key():
    who = auth.require("admin")
    body = parse_json(request.get_data(), "a JSON object: {name, scope, collections?, limit?}")
    if not isinstance(body, dict):
        raise bad_request("send a JSON object: {name, scope, collections?, limit?}")
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        raise bad_request(f"unknown field {unknown[0]!r}; a key takes {', '.join(sorted(FIELDS))}")
    with catalog() as session:
        try:
            row, key = create_key(
                session,
                body.get("name"),  # type: ignore[arg-type]  # checked there
                body.get("scope"),  # type: ignore[arg-type]
                body.get("collections"),
                body.get("limit"),
                granted_by=who,
                default_limit=settings().limit_submissions,
            )
        except KeyRequestError as error:
            raise bad_request(str(error)) from None
        except KeyNotAllowed as error:
            raise ApiError(403, "Forbidden", str(error)) from None
        made = {**described(row), "key": key}
    return jsonify(made), 201


@keys_api.delete("/<key_id>")
def revoke_api_key(key_id: str):
    who = auth.require("admin")
    exposed, tokens = exposure.exposed_hosts(settings()), settings().api_tokens
    with catalog() as session:
        if exposed and not tokens and is_last_admin(session, key_id, who):
            raise ApiError(
                409,
                "Conflict",
                f"{key_id!r} is the last admin key, and this Narrate listens on "
                f"{', '.join(exposed)}: without it no one could manage keys over the API, "
                "and with no key left it would answer nothing. Make another admin key "
                "first, or revoke it on the server: narrate keys revoke ID",
            )
        if not revoke_key(session, key_id, who):
            raise ApiError(
                404, "Not found", f"there is no active key {key_id!r}; GET /api/v1/keys lists them"
            )
    return "", 204
