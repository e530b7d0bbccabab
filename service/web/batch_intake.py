"""A batch's items stored: in order, in chunks, in bulk, each checked and charged as a
single submission is, so that one bad item fails alone with its reason."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.errors import ApiError
from service.intake.store import as_received, check
from service.security.limits import charge_chars
from service.web.batch_items import Item
from service.web.context import settings
from workers.catalog.bulk import submit_many
from workers.catalog.content import Pending
from workers.catalog.submit import submit_raw
from workers.pipeline.errors import NarrateError
from workers.runtime.celery_app import BATCH_QUEUE

TAKE_IN_CHUNK = 500  # items stored together, in one savepoint


@dataclass(frozen=True)
class Outcome:
    """What became of one item: its article, revision and job (None when identical
    content exists), or the reason it was refused."""

    article_id: str | None = None
    revision_id: int | None = None
    job_id: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class _Taken:
    position: int
    pending: Pending  # as received: the worker cleans it
    chars: int  # what it costs the quota (charged_chars)


def take_in(session: Session, items: list[Item]) -> list[Outcome]:
    """Store every item as received, in order, in chunks, in bulk. Each is checked as a
    single submission is (a voice or callback it may not have fails the item alone) and
    charged as one (charged_chars); workers clean them."""
    config = settings()
    outcomes: list[Outcome | None] = [None] * len(items)
    chunk: list[_Taken] = []

    def store_chunk() -> None:
        if not chunk:
            return
        charged = _charged(chunk, outcomes)
        try:
            with session.begin_nested():
                stored = submit_many(session, [t.pending for t in charged], queue=BATCH_QUEUE)
        except IntegrityError:  # a concurrent request stored one of them first
            for taken in charged:
                outcomes[taken.position] = _store_one(session, taken.pending)
        else:
            for taken, outcome in zip(charged, stored, strict=True):
                outcomes[taken.position] = Outcome(
                    outcome.article_id, outcome.revision_id, outcome.job_id
                )
        chunk.clear()

    for position, item in enumerate(items):
        if item.submission is None:
            outcomes[position] = Outcome(error=item.error)
            continue
        try:
            cost = check(item.submission, config)
        except NarrateError as error:
            outcomes[position] = Outcome(error=error.detail)
            continue
        chunk.append(_Taken(position, as_received(item.submission, config), cost))
        if len(chunk) >= TAKE_IN_CHUNK:
            store_chunk()
    store_chunk()
    return [outcome for outcome in outcomes if outcome is not None]


def _charged(chunk: list[_Taken], outcomes: list[Outcome | None]) -> list[_Taken]:
    """The items the character quota lets through: charged together when they all fit,
    else one by one, so that an item over the quota fails alone with the reason."""
    try:
        charge_chars(sum(taken.chars for taken in chunk))
        return chunk
    except ApiError as error:
        if len(chunk) == 1:
            outcomes[chunk[0].position] = Outcome(error=error.detail)
            return []
    kept = []
    for taken in chunk:
        try:
            charge_chars(taken.chars)
        except ApiError as error:
            outcomes[taken.position] = Outcome(error=error.detail)
            continue
        kept.append(taken)
    return kept


def _store_one(session: Session, pending: Pending) -> Outcome:
    try:
        with session.begin_nested():
            result = submit_raw(session, pending, queue=BATCH_QUEUE)
    except NarrateError as error:
        return Outcome(error=error.detail)
    return Outcome(result.article.id, result.article.current.id, result.job_id)
