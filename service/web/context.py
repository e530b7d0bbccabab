"""What every blueprint shares: the settings, the storage, a catalog session, request
arguments, and the article a reader asks for (if service.security.access lets them)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app, request
from sqlalchemy.orm import Session, joinedload

from service.errors import ApiError, bad_request
from service.intake.sanitize import is_id, whole_number
from service.security import access
from workers.catalog.db import session_scope
from workers.catalog.models import ArticleRow, RevisionRow
from workers.config import Settings
from workers.storage.base import Storage
from workers.storage.factory import storage_for

RETRY_AFTER_S = 5  # how long a client is asked to wait for what is still being made


def settings() -> Settings:
    return current_app.extensions["narrate.settings"]


def storage() -> Storage:
    return storage_for(settings())


@contextmanager
def catalog() -> Iterator[Session]:
    """A catalog session for this request (committed on success)."""
    with session_scope(settings().database_url) as session:
        yield session


def not_found(article_id: str) -> ApiError:
    return ApiError(
        404, "Not found", f"there is no article {article_id!r}; list them at /api/v1/articles"
    )


def find_article(session: Session, article_id: str, grant: str | None = None) -> ArticleRow:
    """The article, if this reader may read it (`grant`: the file the route serves, which
    a signed grant may open); else a 404, as if it did not exist."""
    # Revisions and their jobs in the same statement as the article: read one by one, a
    # job finishing in between (PostgreSQL reads each statement afresh) could show as
    # done beside its revision's duration from before.
    consistent = joinedload(ArticleRow.revisions).joinedload(RevisionRow.job)
    row = session.get(ArticleRow, article_id, options=[consistent]) if is_id(article_id) else None
    if row is None or not access.may_read(row, grant):
        raise not_found(article_id)
    return row


def positive_arg(name: str, default: int, maximum: int) -> int:
    """A whole-number query argument from 1 to `maximum` (a 400 saying so otherwise)."""
    raw = request.args.get(name)
    if raw is None:
        return default
    number = whole_number(raw, 1, maximum)
    if number is None:
        raise bad_request(f"{name} must be a whole number from 1 to {maximum}, got {raw!r}")
    return number
