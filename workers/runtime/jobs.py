"""The units of work behind the Celery tasks: start a job, make one paragraph's segment,
join the segments into the article's MP3. Each is idempotent: running it twice (a
redelivered task) changes nothing the first run did not."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.orm import Session

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
from workers.catalog.progress import count_synthesised, done_if_stored, mark_done
from workers.config import Settings
from workers.pipeline.article import marked
from workers.pipeline.audio.segments import (
    Segment,
    WriteSegment,
    copy_segment,
    encode_segment,
    join_segments,
)
from workers.pipeline.audio.shape import article_tags, timings_json, webvtt
from workers.pipeline.convert import paragraph_audio
from workers.pipeline.engines.synth import Synthesizer
from workers.pipeline.engines.voices import parse_voice
from workers.runtime import metrics, preparing, saying
from workers.runtime.wanted import JobGone, while_wanted
from workers.storage.base import Storage, read_in_chunks
from workers.storage.factory import storage_for
from workers.storage.segments import (
    evict,
    forget_segment,
    known_segments,
    record_segment,
    release_segments,
    segment_key,
    segment_storage_key,
    touch,
)

log = logging.getLogger("narrate.jobs")

SynthesizerFor = Callable[[str, int], Synthesizer]  # (voice, rate) -> a synthesiser
Recorded = TypeVar("Recorded")


def audio_key(article_id: str, revision: int, suffix: str) -> str:
    return f"articles/{article_id}/{revision}{suffix}"


@dataclass(frozen=True)
class Plan:
    to_synthesise: list[list[int]]  # chunks of paragraph ids to queue now, one per lane
    ready_to_stitch: bool
    queue: str = "narrate"


@dataclass(frozen=True)
class Take:
    paragraphs: list[int]  # the ids of the chunk taken (empty: none left to take)
    stitch: bool = False  # saying the last paragraphs left every one done: join them


def start(settings: Settings, job_id: int) -> Plan:
    """Mark the job processing; count paragraphs whose segment is stored as done already;
    hand out the first chunk of each of up to `article_in_flight` lanes.

    A task makes one chunk: paragraphs in order, about `chunk_chars` of spoken text (at
    least one paragraph), so a long article of one-line paragraphs is not thousands of
    tasks. The first paragraph is a chunk of its own, so that it can be played
    (service.web.progressive) as soon as possible whatever the article's length. An article
    never has more tasks queued or running than its lanes: each task, when done, queues
    its job's next chunk (`next_chunk`), so a long article's tasks join the back of the
    queue one at a time and a short article posted after it waits behind a few chunks,
    not all of them. Starting again (the recovery sweep, a worker's resume)
    restarts the lanes from the top; done paragraphs are skipped and a paragraph taken
    twice is made once (its segment is found the second time).

    A job stored as submitted ("cleaning") is cleaned first: its first paragraph said,
    the rest stored written (workers/runtime/preparing.py). A lane that finds no
    paragraph to take says the next chunk of the rest (workers/runtime/saying.py), so
    the first paragraph's task is queued before the rest of a long article is said.
    """
    preparing.prepare_job(settings, job_id)
    with session_scope(settings.database_url) as session:
        job = session.get(JobRow, job_id)
        if job is None or job.status in JOB_FINISHED:
            return Plan([], False)
        if job.status == "queued":
            job.status, job.started_at = "processing", now()
        job.progressed_at = now()  # a sign of work for the recovery sweep
        job.next_paragraph = 0
        revision = job.revision
        undone = {
            paragraph.id: segment_key(paragraph.clip_key, revision.voice, revision.bitrate_kbps)
            for paragraph in revision.paragraphs
            if not paragraph.done
        }
        pending = len(undone) - done_if_stored(session, job_id, undone)[0]
        queue = job.queue
    # each lane taken in a transaction of its own, which says its chunk before it writes:
    # no other worker waits for the catalog while this one says text
    lanes: list[list[int]] = []
    stitch = False
    while len(lanes) < settings.article_in_flight:
        take = next_chunk(settings, job_id)
        stitch |= take.stitch
        if not take.paragraphs:
            break
        lanes.append(take.paragraphs)
    with session_scope(settings.database_url) as session:
        job = session.get(JobRow, job_id)
        if job is None:  # deleted meanwhile
            return Plan([], False)
        log.info("job %s: %d of %d paragraphs to synthesise", job_id, pending, job.total)
        return Plan(lanes, stitch or job.done >= job.total, queue)


def next_chunk(settings: Settings, job_id: int) -> Take:
    """The job's next paragraphs still to make, taken for the caller (said first, if
    need be); none when none is left (or the job has finished)."""
    with session_scope(settings.database_url) as session:
        job = session.get(JobRow, job_id)
        if job is None or job.status in JOB_FINISHED:
            return Take([])
        return _take(session, settings, job)


def _take(session, settings: Settings, job: JobRow) -> Take:
    """Move the job's cursor past its next chunk of undone paragraphs and return their
    ids, saying the next of the rest first when none is stored. The move is conditional
    on the cursor not having moved meanwhile, so two lanes never take the same
    paragraph; the loser looks again."""
    from sqlalchemy import func, select, update

    stitch = False
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
            .limit(saying.MAX_CHUNK_PARAGRAPHS)
        ).all()
        chunk, chars = [], 0
        for paragraph_id, index, length in following:
            chunk.append((paragraph_id, index))
            chars += length
            if chars >= settings.chunk_chars or index == 0:  # the first alone: heard soonest
                break
        if not chunk:
            said = saying.say_next(session, settings, job)
            if said is None:
                return Take([], stitch)
            stitch |= said.finished
            continue
        moved = session.execute(
            update(JobRow)
            .where(JobRow.id == job.id, JobRow.next_paragraph == cursor)
            .values(next_paragraph=chunk[-1][1] + 1)
        ).rowcount
        if moved:
            return Take([paragraph_id for paragraph_id, _ in chunk], stitch)


def synthesise_paragraph(
    settings: Settings, job_id: int, paragraph_id: int, synthesizer_for: SynthesizerFor
) -> bool:
    """Make one paragraph's segment, unless the store has it; True when it was the last.
    A job deleted (with its article) or finished meanwhile stops it between utterances,
    leaving no file; a segment finished just as its job went is released again."""
    with session_scope(settings.database_url) as session:
        paragraph = session.get(ParagraphRow, paragraph_id)
        job = session.get(JobRow, job_id)
        if paragraph is None or job is None or job.status in JOB_FINISHED:
            return False
        revision = job.revision
        spoken, voice, rate = paragraph.spoken, revision.voice, revision.rate
        key = segment_key(paragraph.clip_key, voice, revision.bitrate_kbps)
        bitrate = revision.bitrate_kbps
        made = key not in known_segments(session, [key])

    def record(session: Session) -> bool:
        if session.get(JobRow, job_id) is None:  # deleted while the segment was made
            release_segments(session, storage_for(settings), [key] if made else [])
            return False
        if made:
            count_synthesised(session, job_id)
        progress = mark_done(session, job_id, {paragraph_id: key})
        return progress is not None and progress[0] >= progress[1]

    if not made:
        with session_scope(settings.database_url) as session:
            return record(session)
    try:
        _, last = _make_segment(
            settings, synthesizer_for, (voice, rate, bitrate), spoken, key, job_id, then=record
        )
    except JobGone:
        log.info("job %s: deleted or finished; paragraph %s abandoned", job_id, paragraph_id)
        return False
    log.info("job %s: paragraph %s synthesised (segment %s)", job_id, paragraph_id, key[:12])
    return last


def _make_segment(
    settings: Settings,
    synthesizer_for: SynthesizerFor,
    sound: tuple[str, int, int],
    spoken: str,
    key: str,
    job_id: int,
    *,
    then: Callable[[Session], Recorded],
) -> tuple[Segment, Recorded]:
    """Synthesise, shape and encode one paragraph straight into the store, utterance by
    utterance (as `narrate convert` does), so no more than one bounded utterance's PCM
    is held at once; list it in the catalog and run `then` in the same transaction (one
    commit a paragraph). JobGone, and no file, when the job is deleted or finished
    meanwhile; a file the catalog failed to list is deleted."""
    voice, rate, bitrate = sound
    started = time.perf_counter()
    pcm = next(paragraph_audio(synthesizer_for(voice, rate), [spoken]))
    storage, stored_as = storage_for(settings), segment_storage_key(key)
    with storage.writer(stored_as) as out:
        segment = encode_segment(while_wanted(settings, job_id, pcm), out, bitrate_kbps=bitrate)
    try:
        with session_scope(settings.database_url) as session:
            record_segment(session, key, segment)
            recorded = then(session)
    except BaseException:
        storage.delete_tree(stored_as)  # never a file the catalog does not list
        raise
    metrics.synthesised(parse_voice(voice)[0], time.perf_counter() - started)
    return segment, recorded


def stitch(settings: Settings, job_id: int, synthesizer_for: SynthesizerFor) -> int | None:
    """Join the paragraphs' stored segments into the revision's MP3 (copied, not encoded
    again), with its timings and captions; a segment missing from the store (evicted,
    or lost with a disk) is made again here. Then keep the store within its bound."""
    started = time.perf_counter()
    storage = storage_for(settings)
    with session_scope(settings.database_url) as session:
        job = session.get(JobRow, job_id)
        if job is None or job.status in JOB_FINISHED:
            return None
        revision: RevisionRow = job.revision
        if saying.unsaid(session, revision.id):  # never a join of part of the article
            log.warning("job %s: asked to join before every paragraph is said", job_id)
            return None
        article: ArticleRow = revision.article
        sound = (revision.voice, revision.rate, revision.bitrate_kbps)
        paragraphs = [
            (
                marked(p.text, p.continues),
                p.spoken,
                p.segment_key or segment_key(p.clip_key, sound[0], sound[2]),
            )
            for p in revision.paragraphs
        ]
        stored = known_segments(session, [key for _, _, key in paragraphs])
        tags = article_tags(revision.title, revision.byline, revision.published)
        keys = {s: audio_key(article.id, revision.number, s) for s in (".mp3", ".json", ".vtt")}

    def piece(spoken: str, key: str) -> WriteSegment:
        segment = stored.get(key)
        if segment is not None:
            try:  # opened now, copied as the join asks: a segment is never held whole
                return copy_segment(_opened(storage, key), segment)
            except FileNotFoundError:
                with session_scope(settings.database_url) as session:
                    forget_segment(session, key)
        log.info("job %s: segment %s is gone; synthesising it again", job_id, key[:12])
        segment, _ = _make_segment(
            settings,
            synthesizer_for,
            sound,
            spoken,
            key,
            job_id,
            then=lambda session: count_synthesised(session, job_id),
        )
        return copy_segment(_opened(storage, key), segment)

    try:
        with storage.writer(keys[".mp3"]) as mp3:
            encoded = join_segments(
                ((text, piece(spoken, key)) for text, spoken, key in paragraphs),
                mp3,
                tags=tags,
                bitrate_kbps=sound[2],
            )
    except JobGone:
        return None
    storage.write_bytes(keys[".json"], timings_json(encoded.timings, encoded.duration_ms).encode())
    storage.write_bytes(keys[".vtt"], webvtt(encoded.timings).encode())
    with session_scope(settings.database_url) as session:
        if not _finish(session, job_id, "done"):
            if session.get(JobRow, job_id) is None:  # its article was deleted meanwhile
                for key in keys.values():
                    storage.delete_tree(key)
            return None  # else a concurrent stitch got there first
        session.get_one(JobRow, job_id).revision.duration_ms = encoded.duration_ms
        touch(session, [key for _, _, key in paragraphs])
    metrics.stitched(time.perf_counter() - started)
    with session_scope(settings.database_url) as session:
        evicted = evict(session, storage, settings.segment_store_mb << 20)
    log.info("job %s: done, %d ms of audio", job_id, encoded.duration_ms)
    if evicted:
        log.info("segment store: %d least recently used segments evicted", evicted)
    return encoded.duration_ms


def _opened(storage: Storage, key: str) -> Iterator[bytes]:
    return read_in_chunks(storage, segment_storage_key(key))


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
    """Fail the job with a message for the user; False if it had finished already. The
    segments it made stay: the same text submitted again joins them."""
    with session_scope(settings.database_url) as session:
        failed = _finish(session, job_id, "failed", message)
    if failed:
        log.warning("job %s: failed: %s", job_id, message)
    return failed
