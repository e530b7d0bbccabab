"""The segment store: shared across articles, bounded by least-recent use, never taking
what an unfinished job needs."""

from __future__ import annotations

import pytest

from tests.support.engines import FakeEngineSynthesizer
from tests.support.harness import run_job
from workers.catalog.db import session_scope
from workers.catalog.models import ArticleRow, JobRow, SegmentRow
from workers.runtime import jobs
from workers.storage.factory import storage_for
from workers.storage.segments import evict, segment_storage_key

pytestmark = pytest.mark.integration

SIGN_OFF = "This story was produced by the newsroom and checked by two editors before it ran."


def article(n: int) -> str:
    return (
        f"Headline number {n}\n\n"
        f"The council met on day {n} to talk about the roads in ward {n}.\n\n{SIGN_OFF}"
    )


def latest_job(settings, article_id: str) -> int:
    with session_scope(settings.database_url) as session:
        return session.get_one(ArticleRow, article_id).revisions[-1].job.id


def submit(client, settings, text: str) -> tuple[str, int]:
    created = client.post("/api/v1/articles", json={"text": text}).get_json()
    return created["id"], latest_job(settings, created["id"])


def segment_keys(settings, article_id: str) -> set[str]:
    with session_scope(settings.database_url) as session:
        revision = session.get_one(ArticleRow, article_id).revisions[-1]
        return {paragraph.segment_key for paragraph in revision.paragraphs}


def stored_sizes(settings) -> dict[str, int]:
    with session_scope(settings.database_url) as session:
        return dict(session.query(SegmentRow.key, SegmentRow.size))


def test_a_paragraph_two_articles_share_is_made_once(client, settings, tmp_path):
    count = tmp_path / "count"
    with FakeEngineSynthesizer("ok", count) as synth:
        first, first_job = submit(client, settings, article(1))
        run_job(settings, first_job, synth)
        second, second_job = submit(client, settings, article(2))
        run_job(settings, second_job, synth)
    with session_scope(settings.database_url) as session:
        assert session.get_one(JobRow, second_job).synthesised == 2  # not the sign-off
    shared = segment_keys(settings, first) & segment_keys(settings, second)
    assert len(shared) == 1 and len(stored_sizes(settings)) == 5
    assert int(count.read_text()) == 5


def test_the_least_recently_used_segments_go_first_and_unfinished_jobs_keep_theirs(
    client, settings, tmp_path
):
    storage = storage_for(settings)
    with FakeEngineSynthesizer("ok", tmp_path / "count") as synth:
        oldest, oldest_job = submit(client, settings, article(1))
        run_job(settings, oldest_job, synth)
        newer, newer_job = submit(client, settings, article(2))
        run_job(settings, newer_job, synth)
        pending, pending_job = submit(
            client, settings, "Third headline\n\nA paragraph of its own here."
        )
        run_job(settings, pending_job, synth, stitch=False)  # made, not yet joined
    sizes = stored_sizes(settings)
    kept_for_job = segment_keys(settings, pending)
    newest = segment_keys(settings, newer)
    limit = sum(sizes[key] for key in newest | kept_for_job)
    with session_scope(settings.database_url) as session:
        deleted = evict(session, storage, limit)
    gone = segment_keys(settings, oldest) - newest  # the sign-off was used again since
    assert deleted == len(gone) == 2
    assert set(stored_sizes(settings)) == newest | kept_for_job
    assert not any(storage.exists(segment_storage_key(key)) for key in gone)
    with session_scope(settings.database_url) as session:
        assert evict(session, storage, 1) == len(newest)  # the unfinished job's stay
    assert set(stored_sizes(settings)) == kept_for_job
    with FakeEngineSynthesizer("ok", tmp_path / "count") as synth:
        assert jobs.stitch(settings, pending_job, lambda v, r: synth) is not None


def test_an_article_whose_segments_were_evicted_is_edited_by_making_them_again(
    client, settings, tmp_path
):
    count = tmp_path / "count"
    with FakeEngineSynthesizer("ok", count) as synth:
        article_id, job_id = submit(client, settings, article(1))
        run_job(settings, job_id, synth)
        with session_scope(settings.database_url) as session:
            assert evict(session, storage_for(settings), 0) == 3
        edited = article(1).replace("the roads", "the bridges")
        client.put(
            f"/api/v1/articles/{article_id}", data=edited.encode(), content_type="text/plain"
        )
        run_job(settings, latest_job(settings, article_id), synth)
    timings = client.get(f"/api/v1/articles/{article_id}/timings.json").get_json()
    assert [p["text"] for p in timings["paragraphs"]][1].endswith("the bridges in ward 1.")
    assert int(count.read_text()) == 3 + 3
