"""API keys: made, listed, revoked and checked against the catalog.

A key reads `nk_<id>_<secret>`. The id finds the row; only SHA-256 of the secret is
stored (the secret is 192 random bits, so a slow hash would add nothing), compared in
constant time. The whole key is shown once, when it is made.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workers.catalog.models import SCOPES, ApiKeyRow, now

PREFIX = "nk"


@dataclass(frozen=True)
class Principal:
    """Who a request acts for: a key's name, scope and collections (None: all)."""

    name: str
    scope: str
    collections: tuple[str, ...] | None = None
    key_id: str | None = None

    def allows(self, scope: str) -> bool:
        return SCOPES.index(self.scope) >= SCOPES.index(scope)

    def reaches(self, collection: str) -> bool:
        return self.collections is None or collection in self.collections


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(
    session: Session, name: str, scope: str, collections: list[str] | None = None
) -> tuple[ApiKeyRow, str]:
    """A new key row and the key itself (never stored)."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}, not {scope!r}")
    key_id, secret = secrets.token_hex(4), secrets.token_urlsafe(24)
    row = ApiKeyRow(
        id=key_id,
        name=name,
        scope=scope,
        collections=sorted(set(collections)) if collections else None,
        secret_hash=_hash(secret),
    )
    session.add(row)
    session.flush()
    return row, f"{PREFIX}_{key_id}_{secret}"


def list_keys(session: Session) -> list[ApiKeyRow]:
    return list(session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.created_at)))


def revoke_key(session: Session, key_id: str) -> bool:
    row = session.get(ApiKeyRow, key_id)
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = now()
    return True


def any_active_key(session: Session) -> bool:
    active = select(func.count()).select_from(ApiKeyRow).where(ApiKeyRow.revoked_at.is_(None))
    return bool(session.scalar(active))


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
    return Principal(row.name, row.scope, collections, row.id)
