"""Storage integrity: audio counters beyond 32 bits, no temporaries or stray segments left
behind, and a deleted article's synthesis stops."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from workers.catalog.db import session_scope
from workers.catalog.models import ArticleRow, SegmentRow

pytestmark = pytest.mark.integration

LONG = 2_631_800_113  # the speech samples of a 599 s paragraph that overflowed PostgreSQL


def test_audio_counters_beyond_32_bits_are_stored(client, settings):
    created = client.post("/api/v1/articles", json={"text": "Title\n\nOne paragraph."})
    article_id = created.get_json()["id"]
    with session_scope(settings.database_url) as session:
        session.add(SegmentRow(key="k" * 40, frames=LONG, speech_samples=LONG, size=3 << 31))
        session.get_one(ArticleRow, article_id).revisions[-1].duration_ms = 5 << 31
    with session_scope(settings.database_url) as session:
        row = session.get_one(SegmentRow, "k" * 40)
        assert (row.frames, row.speech_samples, row.size) == (LONG, LONG, 3 << 31)
        assert session.get_one(ArticleRow, article_id).revisions[-1].duration_ms == 5 << 31


SENTENCE = "The council met on a long evening to talk about every road in the ward at length. "
LONG_PARAGRAPH = SENTENCE * 150  # about ten utterances


class ToneSynthesizer:
    """An in-process synthesiser: a tone per utterance; `on_clip(n)` runs before the n-th."""

    def __init__(self, on_clip=lambda n: None) -> None:
        self.on_clip, self.clips = on_clip, 0

    def synthesize_many(self, texts):
        import numpy as np

        from workers.pipeline.engines.synth import Clip

        tone = (8000 * np.sin(np.arange(22050 * 2) * 440 * 2 * np.pi / 22050)).astype("<i2")
        for _ in texts:
            self.clips += 1
            self.on_clip(self.clips)
            yield Clip(tone.tobytes(), 22050)

    def start(self) -> None:
        pass

    def at_rate(self, rate: int):
        return self


def _started(client, settings, text: str) -> tuple[str, int, list[int]]:
    from tests.support.harness import clean_submitted
    from workers.runtime import jobs

    article_id = client.post("/api/v1/articles", json={"text": text}).get_json()["id"]
    clean_submitted(settings)
    with session_scope(settings.database_url) as session:
        job_id = session.get_one(ArticleRow, article_id).revisions[-1].job.id
    plan = jobs.start(settings, job_id)
    return article_id, job_id, [p for lane in plan.to_synthesise for p in lane]


def _segment_files(settings) -> list[Path]:
    folder = settings.audio_dir / "segments"
    return sorted(path for path in folder.rglob("*") if path.is_file())


def _segment_rows(settings) -> int:
    with session_scope(settings.database_url) as session:
        return session.query(SegmentRow).count()


def _unlisted_files(settings) -> list[Path]:
    """Files in the segment folder that are not a segment the catalog lists."""
    from workers.storage.segments import segment_storage_key

    with session_scope(settings.database_url) as session:
        keys = [segment_storage_key(key) for (key,) in session.query(SegmentRow.key)]
    listed = {settings.audio_dir / key for key in keys}
    return [path for path in _segment_files(settings) if path not in listed]


def test_a_write_that_fails_midway_leaves_no_file(client, settings):
    from workers.runtime import jobs
    from workers.storage.factory import storage_for

    writer = storage_for(settings).writer("segments/ab/abcdef.mp3")
    with pytest.raises(RuntimeError), writer as out:
        out.write(b"x" * 1000)
        raise RuntimeError("the disk filled up")

    def fail(n: int) -> None:
        if n == 3:
            raise RuntimeError("the engine died")

    _, job_id, paragraphs = _started(client, settings, f"Title\n\n{LONG_PARAGRAPH}")
    synth = ToneSynthesizer(fail)
    with pytest.raises(RuntimeError):
        for paragraph_id in paragraphs:
            jobs.synthesise_paragraph(settings, job_id, paragraph_id, lambda v, r: synth)
    assert _unlisted_files(settings) == [] and _segment_rows(settings) == 1  # the title's


def test_a_segment_the_catalog_cannot_list_is_not_left_on_disk(client, settings, monkeypatch):
    from workers.runtime import jobs

    def refuse(*args, **kwargs) -> None:
        raise RuntimeError("integer out of range")

    monkeypatch.setattr(jobs, "record_segment", refuse)
    _, job_id, paragraphs = _started(client, settings, "Title\n\nA short paragraph here.")
    with pytest.raises(RuntimeError):
        for paragraph_id in paragraphs:
            jobs.synthesise_paragraph(
                settings, job_id, paragraph_id, lambda v, r: ToneSynthesizer()
            )
    assert _segment_files(settings) == []


def test_the_sweep_removes_stray_segments_and_temporaries_past_the_grace(client, settings):
    from tests.support.harness import run_job
    from workers.runtime.recovery import tidy_store
    from workers.storage.segments import STRAY_GRACE_S

    _, job_id, _ = _started(client, settings, "Title\n\nA short paragraph here.")
    run_job(settings, job_id, ToneSynthesizer())
    listed = _segment_files(settings)
    assert len(listed) == 2 and _segment_rows(settings) == 2
    folder = settings.audio_dir / "segments" / "zz"
    folder.mkdir(parents=True)
    old = time.time() - STRAY_GRACE_S - 60
    names = ["zz-orphan.mp3", ".zz-orphan.mp3.a1b2c3", "zz-fresh.mp3", ".zz-fresh.mp3.d4e5"]
    for name in names:
        (folder / name).write_bytes(b"\xff" * 100)
    for name in names[:2]:
        os.utime(folder / name, (old, old))
    for path in listed:  # listed segments are kept however old
        os.utime(path, (old, old))
    joined = settings.audio_dir / "articles" / "an-article"
    joined.mkdir(parents=True)
    killed_join, fresh_join, audio = (joined / n for n in (".1.mp3.x1y2", ".2.mp3.z3", "1.mp3"))
    images = settings.audio_dir / "collections" / "news" / "images"
    images.mkdir(parents=True)
    killed_upload, image = (images / n for n in (".artwork.png.k9", "artwork.png"))
    probe = settings.audio_dir / "probes" / ".ready-0a1b"  # a web process killed mid-check
    probe.parent.mkdir()
    for path in (killed_join, fresh_join, audio, killed_upload, image, probe):
        path.write_bytes(b"\xff" * 100)
    for path in (killed_join, audio, killed_upload, image, probe):  # aged past the grace
        os.utime(path, (old, old))
    assert tidy_store(settings) == 5
    assert _segment_files(settings) == sorted([*listed, folder / names[2], folder / names[3]])
    assert _segment_rows(settings) == 2
    assert sorted(joined.iterdir()) == sorted([fresh_join, audio])
    assert list(images.iterdir()) == [image] and not probe.exists()


def test_deleting_an_article_stops_its_synthesis(client, settings, monkeypatch):
    from workers.runtime import jobs, wanted

    monkeypatch.setattr(wanted, "CHECK_S", 0.0)
    article_id, job_id, paragraphs = _started(client, settings, f"Title\n\n{LONG_PARAGRAPH}")

    def delete(n: int) -> None:
        if n == 3:
            assert client.delete(f"/api/v1/articles/{article_id}").status_code == 204

    synth = ToneSynthesizer(delete)
    for paragraph_id in paragraphs:
        assert not jobs.synthesise_paragraph(settings, job_id, paragraph_id, lambda v, r: synth)
    assert synth.clips <= 4  # of about ten
    assert _segment_files(settings) == [] and _segment_rows(settings) == 0


def test_the_recovery_timer_runs_the_sweep(settings):
    from tests.support.waits import wait_until
    from workers.runtime.recovery import RecoveryLoop
    from workers.storage.segments import STRAY_GRACE_S

    stray = settings.audio_dir / "segments" / "zz" / ".zz-orphan.mp3.a1b2c3"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"\xff" * 100)
    old = time.time() - STRAY_GRACE_S - 60
    os.utime(stray, (old, old))
    quick = settings.with_overrides(recovery_interval_s=0.1)
    loop = RecoveryLoop(quick, lambda queue: 0, lambda job, queue: None, lambda job, m: None)
    loop.start()
    try:
        wait_until(lambda: not stray.exists(), timeout=10, what="the stray was kept")
    finally:
        loop.stop()
