"""API keys: made, listed, revoked and checked against the catalog.

A key reads `nk_<id>_<secret>`. The id finds the row; only SHA-256 of the secret is
stored (the secret is 192 random bits, so a slow hash would add nothing), compared in
constant time. The whole key is shown once, when it is made.

The command line (`narrate keys`) and the API (/api/v1/keys) both come here: the same
checks of what is asked for, and of what the key asking may grant.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from limits import parse_many
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workers.catalog.models import COLLECTION_NAME, COLLECTION_RULE, ApiKeyRow, now
from workers.catalog.scopes import SCOPES
from workers.config import limits_problem

PREFIX = "nk"
MAX_NAME = 100


class KeyRequestError(ValueError):
    """Something asked of a key that cannot be: names the field."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(detail)
        self.field = field


class KeyNotAllowed(PermissionError):
    """The key asking may not grant (or revoke) this."""


@dataclass(frozen=True)
class Principal:
    """Who a request acts for: a key's name, scope and collections (None: all)."""

    name: str
    scope: str
    collections: tuple[str, ...] | None = None
    key_id: str | None = None
    submission_limit: str | None = None  # None: NARRATE_LIMIT_SUBMISSIONS

    def allows(self, scope: str) -> bool:
        return SCOPES.index(self.scope) >= SCOPES.index(scope)

    def reaches(self, collection: str) -> bool:
        return self.collections is None or collection in self.collections


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(
    session: Session,
    name: str,
    scope: str,
    collections: list[str] | None = None,
    submission_limit: str | None = None,
    *,
    granted_by: Principal | None = None,
    default_limit: str | None = None,
) -> tuple[ApiKeyRow, str]:
    """A new key row and the key itself (never stored). `granted_by` (the key asking,
    over the API) may grant no more than it has, its submission limit included (its
    own, else `default_limit`, NARRATE_LIMIT_SUBMISSIONS); None is the operator's
    command line, held only to the limits' bounds."""
    name, collections, submission_limit = _checked(name, scope, collections, submission_limit)
    if granted_by is not None:
        _may_grant(granted_by, scope, collections)
        _may_limit(granted_by, submission_limit, default_limit)
    key_id, secret = secrets.token_hex(4), secrets.token_urlsafe(24)
    row = ApiKeyRow(
        id=key_id,
        name=name,
        scope=scope,
        collections=collections,
        secret_hash=_hash(secret),
        submission_limit=submission_limit,
    )
    session.add(row)
    session.flush()
    return row, f"{PREFIX}_{key_id}_{secret}"


def _checked(
    name: object, scope: object, collections: object, submission_limit: object
) -> tuple[str, list[str] | None, str | None]:
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_NAME:
        raise KeyRequestError("name", f"name must be some text, at most {MAX_NAME} characters")
    if not name.isprintable():
        raise KeyRequestError("name", "name must not hold control characters")
    if scope not in SCOPES:
        raise KeyRequestError("scope", f"scope must be one of {', '.join(SCOPES)}, not {scope!r}")
    if collections is not None:
        if not isinstance(collections, list) or not collections:
            raise KeyRequestError(
                "collections", "collections must be a non-empty list of names (or left out)"
            )
        for collection in collections:
            if not isinstance(collection, str) or not COLLECTION_NAME.match(collection):
                raise KeyRequestError(
                    "collections", f"each collection must be {COLLECTION_RULE}, got {collection!r}"
                )
        collections = sorted(set(collections))
    if submission_limit is None:
        return name.strip(), collections, None
    if not isinstance(submission_limit, str):
        raise KeyRequestError("limit", f"limit must be a string, got {submission_limit!r}")
    problem = limits_problem(submission_limit.strip())
    if problem:
        raise KeyRequestError("limit", f"limit {problem}, got {submission_limit!r}")
    return name.strip(), collections, submission_limit.strip()


def _most_in(limits: str, seconds: int) -> int:
    """The most submissions `limits` lets through in any `seconds` (each limit of
    `amount` per `period` lets amount × ⌈seconds / period⌉ through; the least counts)."""
    return min(item.amount * -(-seconds // item.get_expiry()) for item in parse_many(limits))


def _may_limit(granter: Principal, limit: str | None, default_limit: str | None) -> None:
    """A key made over the API submits no faster than the key making it: over each of
    the granter's periods, the new limit lets through no more than the granter's."""
    own = granter.submission_limit or default_limit
    given = limit or default_limit  # a key given no limit is held to the default
    if own is None or given is None:
        return
    for item in parse_many(own):
        most = _most_in(given, item.get_expiry())
        if most > item.amount:
            held = "" if limit else " (the default, for a key given no limit)"
            raise KeyRequestError(
                "limit",
                f"limit {given!r}{held} lets {most} submissions through in {item.multiples} "
                f"{item.GRANULARITY.name}(s), more than the key {granter.name!r} may make "
                f"(its own limit is {own!r}); give a limit within it",
            )


def _may_grant(granter: Principal, scope: str, collections: list[str] | None) -> None:
    if not granter.allows(scope):
        raise KeyNotAllowed(
            f"the key {granter.name!r} has the {granter.scope} scope and cannot make a key "
            f"with the higher scope {scope}"
        )
    if granter.collections is None:
        return
    beyond = sorted(set(collections or ["every collection"]) - set(granter.collections))
    if beyond:
        raise KeyNotAllowed(
            f"the key {granter.name!r} is limited to the collections "
            f"{', '.join(granter.collections)} and cannot make a key for {', '.join(beyond)}"
        )


def _within(row: ApiKeyRow, principal: Principal | None) -> bool:
    """Whether `principal` (None: the operator) manages the key: a key limited to
    collections manages only keys limited to some of them."""
    if principal is None or principal.collections is None:
        return True
    return bool(row.collections) and set(row.collections or ()) <= set(principal.collections)


def list_keys(session: Session, seen_by: Principal | None = None) -> list[ApiKeyRow]:
    rows = session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.created_at))
    return [row for row in rows if _within(row, seen_by)]


def revoke_key(session: Session, key_id: str, revoked_by: Principal | None = None) -> bool:
    """False when there is no such active key within `revoked_by`'s reach (a key beyond
    it is as unknown to it as in its list)."""
    row = session.get(ApiKeyRow, key_id)
    if row is None or row.revoked_at is not None or not _within(row, revoked_by):
        return False
    row.revoked_at = now()
    return True


def any_active_key(session: Session) -> bool:
    active = select(func.count()).select_from(ApiKeyRow).where(ApiKeyRow.revoked_at.is_(None))
    return bool(session.scalar(active))


def is_last_admin(session: Session, key_id: str, seen_by: Principal | None = None) -> bool:
    """Whether `key_id` is the only active admin key (revoking it leaves none to manage
    keys over the API, and perhaps no key at all); False for a key beyond `seen_by`."""
    row = session.get(ApiKeyRow, key_id)
    if row is None or not _within(row, seen_by):
        return False
    admins = session.scalars(
        select(ApiKeyRow.id).where(ApiKeyRow.revoked_at.is_(None), ApiKeyRow.scope == "admin")
    ).all()
    return list(admins) == [key_id]


def authenticate(session: Session, presented: str) -> Principal | None:
    """The key's principal, recording its use; None for anything else."""
    prefix, _, rest = presented.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != PREFIX or not key_id or not secret:
        return None
    row = session.get(ApiKeyRow, key_id)
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(_hash(secret), row.secret_hash):
        return None
    row.last_used_at = now()
    collections = tuple(row.collections) if row.collections else None
    return Principal(row.name, row.scope, collections, row.id, row.submission_limit)
