"""Batch bookkeeping costs the same number of SQL statements whatever the batch's size:
reading a batch, a page of its items, the article list, and what a finished job does to
its batch (finishing, the clips, the batch-finished check and its webhook)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from tests.support.articles import article
from tests.support.engines import FakeEngineSynthesizer
from tests.support.harness import run_job
from workers.catalog.db import engine_for, session_scope
from workers.catalog.models import BatchItemRow, JobRow, WebhookDeliveryRow
from workers.delivery import webhooks

pytestmark = pytest.mark.integration
SMALL, LARGE = 5, 60


@contextmanager
def statements(url: str) -> Iterator[list[str]]:
    """Every SQL statement sent to the catalog's engine while the block runs."""
    seen: list[str] = []

    def record(_connection, _cursor, statement, _parameters, _context, _many) -> None:
        seen.append(statement)

    engine = engine_for(url)
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _batch_jobs(settings, batch_id: str) -> list[int]:
    with session_scope(settings.database_url) as session:
        return list(
            session.scalars(
                select(JobRow.id)
                .join(BatchItemRow, BatchItemRow.revision_id == JobRow.revision_id)
                .where(BatchItemRow.batch_id == batch_id)
                .order_by(BatchItemRow.position)
            )
        )


def _finish(settings, job_id: int, synth) -> int:
    """Statements for one job, start to stitch, and the webhooks it calls for."""
    with statements(settings.database_url) as seen:
        run_job(settings, job_id, synth)
        webhooks.events_for_job(settings, job_id, {})
    return len(seen)


def _costs(client, settings, tmp_path, size: int, offset: int) -> dict[str, int]:
    """Statements per request and per finished job for a batch of `size` articles (the
    middle job and the last one, which announces the batch)."""
    items = [article(offset + n) for n in range(size - 1)] + [{"title": 5}]  # refused at once
    created = client.post(
        "/api/v1/batches", json={"articles": items, "callback_url": "http://127.0.0.1:9/hook"}
    ).get_json()
    url = settings.database_url
    costs = {}
    with statements(url) as seen:
        assert client.get(created["links"]["self"]).status_code == 200
    costs["GET batch"] = len(seen)
    with statements(url) as seen:
        listing = client.get(created["links"]["self"] + "?per_page=1000").get_json()
    assert len(listing["items"]) == size
    costs["GET batch, every item"] = len(seen)
    job_ids = _batch_jobs(settings, created["id"])
    assert len(job_ids) == size - 1
    with FakeEngineSynthesizer("ok", tmp_path / f"count-{size}") as synth:
        for job_id in job_ids[:-2]:
            run_job(settings, job_id, synth)
        costs["a finished job"] = _finish(settings, job_ids[-2], synth)
        costs["the batch's last job"] = _finish(settings, job_ids[-1], synth)
    done = client.get(created["links"]["self"]).get_json()
    assert (done["status"], done["counts"]["done"], done["counts"]["failed"]) == (
        "done",
        size - 1,
        1,
    )
    with session_scope(url) as session:
        announced = session.scalars(
            select(WebhookDeliveryRow.event).where(WebhookDeliveryRow.batch_id == created["id"])
        ).all()
    assert announced == ["batch.failed"]  # one item had nothing to read
    with statements(url) as seen:
        listed = client.get("/api/v1/articles?per_page=100").get_json()
    assert len(listed["items"]) == min(100, listed["total"])
    costs["GET articles"] = len(seen)
    return costs


def test_statements_do_not_grow_with_the_batch(client, settings, tmp_path):
    small = _costs(client, settings, tmp_path, SMALL, 0)
    large = _costs(client, settings, tmp_path, LARGE, 1000)
    print(f"\nstatements for {SMALL} items: {small}\nstatements for {LARGE} items: {large}")
    assert small == large
