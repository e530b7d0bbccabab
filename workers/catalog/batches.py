"""Batch bookkeeping by aggregate queries: a batch's counts, a page of its items and the
batches a revision belongs to cost the same few statements whatever the batch's size."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session

from workers.catalog.models import JOB_UNFINISHED, BatchItemRow, BatchRow, JobRow, JobStatus


def item_status() -> ColumnElement[str]:
    """An item's status: its job's, or failed when it was refused or its article is gone
    (an item's revision always has a job, so no job means no revision)."""
    return case(
        (or_(BatchItemRow.error.is_not(None), JobRow.id.is_(None)), JobStatus.FAILED.value),
        else_=JobRow.status,
    )


def _with_jobs(*columns):
    return (
        select(*columns)
        .select_from(BatchItemRow)
        .outerjoin(JobRow, JobRow.revision_id == BatchItemRow.revision_id)
    )


def status_counts(session: Session, batch_id: str) -> Counter[str]:
    """How many items of the batch are in each status (one GROUP BY)."""
    statuses = (
        _with_jobs(item_status().label("status"))
        .where(BatchItemRow.batch_id == batch_id)
        .subquery()
    )
    rows = session.execute(
        select(statuses.c.status, func.count()).group_by(statuses.c.status)
    ).all()
    return Counter({str(status): count for status, count in rows})


def items_page(
    session: Session, batch_id: str, *, offset: int, limit: int | None
) -> list[tuple[BatchItemRow, str, str | None]]:
    """(item, status, error) for the batch's items in order, `limit` of them from
    `offset` (None: all): the item's own error, else its job's."""
    query = (
        _with_jobs(BatchItemRow, item_status(), func.coalesce(BatchItemRow.error, JobRow.error))
        .where(BatchItemRow.batch_id == batch_id)
        .order_by(BatchItemRow.position)
        .offset(offset)
        .limit(limit)
    )
    return [(item, status, error) for item, status, error in session.execute(query)]


def unannounced_batches_of(session: Session, revision_id: int) -> list[BatchRow]:
    """The batches not yet announced that hold this revision."""
    return list(
        session.scalars(
            select(BatchRow)
            .join(BatchItemRow)
            .where(BatchItemRow.revision_id == revision_id, BatchRow.notified.is_(False))
            .distinct()
        )
    )


def has_unfinished(session: Session, batch_id: str) -> bool:
    """Whether any item of the batch is queued or processing: found from the unfinished
    jobs (by their status index), so it stays quick while a large batch is converted."""
    query = (
        select(JobRow.id)
        .join(BatchItemRow, BatchItemRow.revision_id == JobRow.revision_id)
        .where(
            JobRow.status.in_(JOB_UNFINISHED),
            BatchItemRow.batch_id == batch_id,
            BatchItemRow.error.is_(None),
        )
        .limit(1)
    )
    return session.scalar(query) is not None
