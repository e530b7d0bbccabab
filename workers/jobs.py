"""The units of work behind the Celery tasks: start a job, synthesise one paragraph,
stitch the paragraphs into the article's MP3. Each is idempotent: running it twice
(a redelivered task) changes nothing the first run did not."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from workers import metrics, preparing
from workers.catalog.db import session_scope
from workers.catalog.models import (
    JOB_FINISHED,
    JOB_UNFINISHED,
    ArticleRow,
    JobRow,
    ParagraphRow,
    RevisionRow,
    now,
)
from workers.catalog.repository import count_synthesised, mark_paragraph_done
from workers.clips import clip_keys_of, clip_storage_key, release_clips
from workers.pipeline.audio import Tags, encode_mp3, timings_json, webvtt
from workers.pipeline.convert import paragraph_audio
from workers.pipeline.synth import Synthesizer
from workers.pipeline.voices import parse_voice
from workers.settings import Settings
from workers.storage import storage_for

log = logging.getLogger("narrate.jobs")
CLIP_READ_BYTES = 1 << 16  # a clip is read for the encoder in pieces of this size

SynthesizerFor = Callable[[str, int], Synthesizer]  # (voice, rate) -> a synthesiser


def audio_key(article_id: str, revision: int, suffix: str) -> str:
    return f"articles/{article_id}/{revision}{suffix}"


MAX_CHUNK_PARAGRAPHS = 50  # a chunk of one-line paragraphs stops here, however short


@dataclass(frozen=True)
class Plan:
    to_synthesise: list[list[int]]  # chunks of paragraph ids to queue now, one per lane
    ready_to_stitch: bool
    queue: str = "narrate"


def start(settings: Settings, job_id: int) -> Plan:
    """Mark the job processing; count paragraphs whose audio is cached as done already;
    hand out the first chunk of each of up to `article_in_flight` lanes.

    A task makes one chunk: paragraphs in order, about `chunk_chars` of spoken text (at
    least one paragraph), so a long article of one-line paragraphs is not thousands of
    tasks. An article never has more tasks queued or running than its lanes: each task,
    when done, queues its job's next chunk (`next_chunk`), so a long article's tasks join
    the back of the queue one at a time and a short article posted after it waits behind
    a few chunks, not all of them. Starting again (the recovery sweep, a worker's resume)
    restarts the lanes from the top; done paragraphs are skipped and a paragraph taken
    twice is made once (its clip is found the second time).

    A job stored as submitted ("cleaning") is cleaned into its paragraphs first.
    """
    preparing.prepare_job(settings, job_id)
    storage = storage_for(settings)
    with session_scope(settings.database_url) as session:
        job = session.get(JobRow, job_id)
        if job is None or job.status in JOB_FINISHED:
            return Plan([], False)
        if job.status == "queued":
            job.status, job.started_at = "processing", now()
        job.progressed_at = now()  # a sign of work for the recovery sweep
        job.next_paragraph = 0
        pending = 0
        for paragraph in job.revision.paragraphs:
            if paragraph.done:
                continue
            if storage.exists(clip_storage_key(paragraph.clip_key)):
                mark_paragraph_done(session, job_id, paragraph.id)
            else:
                pending += 1
        session.flush()
        session.refresh(job)
        lanes: list[list[int]] = []
        while len(lanes) < settings.article_in_flight and (
            chunk := _take(session, job, settings.chunk_chars)
        ):
            lanes.append(chunk)
        log.info("job %s: %d of %d paragraphs to synthesise", job_id, pending, job.total)
        return Plan(lanes, job.done >= job.total, job.queue)


def next_chunk(settings: Settings, job_id: int) -> list[int]:
    """The job's next paragraphs still to make, taken for the caller; empty when none is
    left (or the job has finished)."""
    with session_scope(settings.database_url) as session:
        job = session.get(JobRow, job_id)
        if job is None or job.status in JOB_FINISHED:
            return []
        return _take(session, job, settings.chunk_chars)


def _take(session, job: JobRow, chunk_chars: int) -> list[int]:
    """Move the job's cursor past its next chunk of undone paragraphs and return their
    ids. The move is conditional on the cursor not having moved meanwhile, so two lanes
    never take the same paragraph; the loser looks again."""
    from sqlalchemy import func, select, update

    while True:
        cursor = session.execute(
            select(JobRow.next_paragraph).where(JobRow.id == job.id)
        ).scalar_one()
        following = session.execute(
            select(ParagraphRow.id, ParagraphRow.index, func.length(ParagraphRow.spoken))
            .where(
                ParagraphRow.revision_id == job.revision_id,
                ParagraphRow.done.is_(False),
                ParagraphRow.index >= cursor,
            )
            .order_by(ParagraphRow.index)
            .limit(MAX_CHUNK_PARAGRAPHS)
        ).all()
        chunk, chars = [], 0
        for paragraph_id, index, length in following:
            chunk.append((paragraph_id, index))
            chars += length
            if chars >= chunk_chars:
                break
        if not chunk:
            return []
        moved = session.execute(
            update(JobRow)
            .where(JobRow.id == job.id, JobRow.next_paragraph == cursor)
            .values(next_paragraph=chunk[-1][1] + 1)
        ).rowcount
        if moved:
            return [paragraph_id for paragraph_id, _ in chunk]


def synthesise_paragraph(
    settings: Settings, job_id: int, paragraph_id: int, synthesizer_for: SynthesizerFor
) -> bool:
    """Synthesise and shape one paragraph into the clip cache; True when it was the last."""
    storage = storage_for(settings)
    with session_scope(settings.database_url) as session:
        paragraph = session.get(ParagraphRow, paragraph_id)
        job = session.get(JobRow, job_id)
        if paragraph is None or job is None or job.status in JOB_FINISHED:
            return False
        spoken, key = paragraph.spoken, paragraph.clip_key
        voice, rate = job.revision.voice, job.revision.rate
    storage_key = clip_storage_key(key)
    made = not storage.exists(storage_key)
    if made:
        started = time.perf_counter()
        with storage.writer(storage_key) as clip_file:
            for chunk in _shaped_speech(synthesizer_for, voice, rate, spoken):
                clip_file.write(chunk)
        metrics.synthesised(parse_voice(voice)[0], time.perf_counter() - started)
        log.info("job %s: paragraph %s synthesised (clip %s)", job_id, paragraph_id, key[:12])
    with session_scope(settings.database_url) as session:
        if made:
            count_synthesised(session, job_id)
        done = mark_paragraph_done(session, job_id, paragraph_id)
        total = session.get_one(JobRow, job_id).total
    return done is not None and done >= total


def _shaped_speech(
    synthesizer_for: SynthesizerFor, voice: str, rate: int, spoken: str
) -> Iterator[bytes]:
    """The paragraph's shaped PCM in chunks, made utterance by utterance (as `narrate
    convert` makes it), so no more than one bounded utterance's audio is held at once."""
    return next(paragraph_audio(synthesizer_for(voice, rate), [spoken]))


def _read_in_chunks(handle: BinaryIO) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(CLIP_READ_BYTES):
            yield chunk


def stitch(settings: Settings, job_id: int, synthesizer_for: SynthesizerFor) -> int | None:
    """Encode the cached clips into the revision's MP3, timings and captions, then
    release the clips. A clip missing from the cache is synthesised again here."""
    started = time.perf_counter()
    storage = storage_for(settings)
    with session_scope(settings.database_url) as session:
        job = session.get(JobRow, job_id)
        if job is None or job.status in JOB_FINISHED:
            return None
        revision: RevisionRow = job.revision
        article: ArticleRow = revision.article
        paragraphs = [(p.text, p.spoken, p.clip_key) for p in revision.paragraphs]
        voice, rate = revision.voice, revision.rate
        tags = Tags(
            title=revision.title,
            artist=revision.byline or "Narrate",
            date=revision.published[:10] if revision.published else None,
        )
        keys = {s: audio_key(article.id, revision.number, s) for s in (".mp3", ".json", ".vtt")}
        bitrate = revision.bitrate_kbps

    def clip(spoken: str, key: str) -> Iterator[bytes]:
        try:  # opened now, read as the encoder asks: one clip is never held whole
            return _read_in_chunks(storage.open_reader(clip_storage_key(key)))
        except FileNotFoundError:  # released by a job that shared it, or lost with the disk
            log.info("job %s: clip %s is gone; synthesising it again", job_id, key)
            with session_scope(settings.database_url) as session:
                count_synthesised(session, job_id)
            return _shaped_speech(synthesizer_for, voice, rate, spoken)

    with storage.writer(keys[".mp3"]) as mp3:
        encoded = encode_mp3(
            ((text, clip(spoken, key)) for text, spoken, key in paragraphs),
            mp3,
            tags=tags,
            bitrate_kbps=bitrate,
        )
    storage.write_bytes(keys[".json"], timings_json(encoded.timings, encoded.duration_ms).encode())
    storage.write_bytes(keys[".vtt"], webvtt(encoded.timings).encode())
    with session_scope(settings.database_url) as session:
        if not _finish(session, job_id, "done"):
            return None  # a concurrent stitch got there first
        session.get_one(JobRow, job_id).revision.duration_ms = encoded.duration_ms
    metrics.stitched(time.perf_counter() - started)
    _release_clips_of(settings, job_id)
    log.info("job %s: done, %d ms of audio", job_id, encoded.duration_ms)
    return encoded.duration_ms


def _finish(session, job_id: int, status: str, error: str | None = None) -> bool:
    """Move an unfinished job to a final state; False if it had one already."""
    from sqlalchemy import update

    changed = session.execute(
        update(JobRow)
        .where(JobRow.id == job_id, JobRow.status.not_in(JOB_FINISHED))
        .values(status=status, error=error, finished_at=now())
    ).rowcount
    return changed == 1


def unfinished(settings: Settings) -> list[tuple[int, str]]:
    """(job id, queue) of every job not yet finished."""
    from sqlalchemy import select

    with session_scope(settings.database_url) as session:
        rows = session.execute(
            select(JobRow.id, JobRow.queue).where(JobRow.status.in_(JOB_UNFINISHED))
        )
        return [(job_id, queue) for job_id, queue in rows]


def article_of(settings: Settings, job_id: int) -> str | None:
    with session_scope(settings.database_url) as session:
        job = session.get(JobRow, job_id)
        return job.revision.article_id if job else None


def queue_of(settings: Settings, job_id: int) -> str:
    with session_scope(settings.database_url) as session:
        job = session.get(JobRow, job_id)
        return job.queue if job else "narrate"


def fail(settings: Settings, job_id: int, message: str) -> bool:
    """Fail the job with a message for the user; False if it had finished already."""
    with session_scope(settings.database_url) as session:
        failed = _finish(session, job_id, "failed", message)
    if failed:
        _release_clips_of(settings, job_id)
        log.warning("job %s: failed: %s", job_id, message)
    return failed


def _release_clips_of(settings: Settings, job_id: int) -> None:
    """Release what the job's article no longer needs: its older revisions' clips once a
    newer one is done, a failed revision's own."""
    with session_scope(settings.database_url) as session:
        job = session.get(JobRow, job_id)
        if job is not None:
            revisions = [revision.id for revision in job.revision.article.revisions]
            keys = clip_keys_of(session, revisions)
            release_clips(session, storage_for(settings), keys)
