"""The segment store: each paragraph's encoded audio (workers.pipeline.audio.segments), kept in
storage under a key of everything that shapes its sound, and listed in the catalog.

A segment is named by the paragraph's clip key (voice, rate and spoken text, so a
lexicon change that alters the words alters it) with the engine's version, the encoder
and the bitrate, so identical paragraphs (a sign-off, a disclaimer, the paragraphs an
edit left alone) are made once and joined into every article that has them. Segments
stay after their job, for the next edit, until the store outgrows
`NARRATE_SEGMENT_STORE_MB`: then the least recently used are evicted, never one an
unfinished job has made or will join. Deleting an article deletes the segments no other
article's audio is made of. A file in the segment folder the catalog does not list (a
segment whose listing failed), and a write's temporary left by a killed process under
any folder the service writes (a join killed midway under articles/, a segment's under
segments/), is deleted by `remove_strays` once it is older than STRAY_GRACE_S.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath
from typing import TypeVar

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workers.catalog.models import (
    JOB_UNFINISHED,
    JobRow,
    ParagraphRow,
    RevisionRow,
    SegmentRow,
    now,
)
from workers.pipeline.audio.segments import SEGMENT_ENCODER, Segment
from workers.pipeline.audio.shape import SAMPLE_RATE
from workers.pipeline.engines.voices import engine_version, parse_voice
from workers.storage.base import WRITTEN_FOLDERS, Storage, is_temporary

Key = TypeVar("Key", str, int)
_QUERY_CHUNK = 500  # keys per IN (...) clause, well inside every database's limit
# A stray file younger than this may be a write in progress (a temporary's time moves
# with every write; a segment is listed the moment it is renamed into place): kept.
STRAY_GRACE_S = 3600


def segment_key(clip_key: str, voice: str, bitrate_kbps: int) -> str:
    engine = parse_voice(voice)[0]
    material = json.dumps([SEGMENT_ENCODER, engine_version(engine), SAMPLE_RATE, bitrate_kbps])
    return f"{clip_key}-{hashlib.sha256(material.encode()).hexdigest()[:12]}"


def segment_storage_key(key: str) -> str:
    return f"segments/{key[:2]}/{key}.mp3"


def query_chunks(keys: Iterable[Key]) -> Iterator[list[Key]]:
    """`keys` without repeats, in order, a few hundred at a time: one IN (...) clause each."""
    ordered = sorted(set(keys))
    for start in range(0, len(ordered), _QUERY_CHUNK):
        yield ordered[start : start + _QUERY_CHUNK]


def known_segments(session: Session, keys: Iterable[str]) -> dict[str, Segment]:
    """The segments among `keys` the store has, in one query per 500 keys."""
    found: dict[str, Segment] = {}
    for chunk in query_chunks(keys):
        rows = session.execute(
            select(
                SegmentRow.key, SegmentRow.frames, SegmentRow.speech_samples, SegmentRow.size
            ).where(SegmentRow.key.in_(chunk))
        )
        found.update({key: Segment(*row) for key, *row in rows})
    return found


def record_segment(session: Session, key: str, segment: Segment) -> None:
    """List a segment just written (a worker that wrote the same one first wins: the
    bytes are the same)."""
    try:
        with session.begin_nested():
            session.add(
                SegmentRow(
                    key=key,
                    frames=segment.frames,
                    speech_samples=segment.speech_samples,
                    size=segment.size,
                )
            )
    except IntegrityError:
        pass


def forget_segment(session: Session, key: str) -> None:
    """Unlist a segment whose bytes were found missing, so it is made again."""
    session.execute(delete(SegmentRow).where(SegmentRow.key == key))


def touch(session: Session, keys: Iterable[str]) -> None:
    for chunk in query_chunks(keys):
        session.execute(update(SegmentRow).where(SegmentRow.key.in_(chunk)).values(used_at=now()))


def segment_keys_of(session: Session, revision_ids: Collection[int]) -> set[str]:
    if not revision_ids:
        return set()
    query = select(ParagraphRow.segment_key).where(
        ParagraphRow.revision_id.in_(revision_ids), ParagraphRow.segment_key.is_not(None)
    )
    return {key for key in session.scalars(query) if key}


def _unfinished(chunk: list[str]):
    return (
        select(ParagraphRow.segment_key)
        .join(JobRow, JobRow.revision_id == ParagraphRow.revision_id)
        .where(JobRow.status.in_(JOB_UNFINISHED), ParagraphRow.segment_key.in_(chunk))
    )


def still_needed(session: Session, keys: Iterable[str]) -> set[str]:
    """The segments among `keys` that an unfinished job will join, or that an article's
    latest finished (done) revision is made of (its next edit joins them)."""
    latest_done = (
        select(func.max(RevisionRow.id))
        .join(JobRow, JobRow.revision_id == RevisionRow.id)
        .where(JobRow.status == "done")
        .group_by(RevisionRow.article_id)
    )
    needed: set[str] = set()
    for chunk in query_chunks(keys):
        kept = select(ParagraphRow.segment_key).where(
            ParagraphRow.revision_id.in_(latest_done), ParagraphRow.segment_key.in_(chunk)
        )
        needed.update(session.scalars(_unfinished(chunk)))
        needed.update(session.scalars(kept))
    return needed


def _delete(session: Session, storage: Storage, keys: Iterable[str]) -> int:
    deleted = 0
    for chunk in query_chunks(keys):
        for key in chunk:
            storage.delete_tree(segment_storage_key(key))
            deleted += 1
        session.execute(delete(SegmentRow).where(SegmentRow.key.in_(chunk)))
    return deleted


def release_segments(session: Session, storage: Storage, keys: Iterable[str]) -> int:
    """Delete the segments among `keys` that are not `still_needed`; how many."""
    keys = set(keys)
    return _delete(session, storage, keys - still_needed(session, keys))


def evict(session: Session, storage: Storage, limit_bytes: int) -> int:
    """Delete the least recently used segments until the store is within `limit_bytes`,
    sparing those an unfinished job needs; how many were deleted."""
    total = session.execute(select(func.coalesce(func.sum(SegmentRow.size), 0))).scalar_one()
    if total <= limit_bytes:
        return 0
    doomed: list[str] = []
    rows = session.execute(select(SegmentRow.key, SegmentRow.size).order_by(SegmentRow.used_at))
    oldest_first = rows.all()
    for start in range(0, len(oldest_first), _QUERY_CHUNK):
        batch = oldest_first[start : start + _QUERY_CHUNK]
        keys = [key for key, _ in batch]
        spared = set(session.scalars(_unfinished(keys)))
        for key, size in batch:
            if total <= limit_bytes:
                break
            if key not in spared:
                doomed.append(key)
                total -= size
        if total <= limit_bytes:
            break
    return _delete(session, storage, doomed)


def remove_strays(session: Session, storage: Storage, grace_s: float = STRAY_GRACE_S) -> int:
    """Delete what a killed process left, older than `grace_s`: under segments/, the
    files that are not a segment the catalog lists (unlisted segments); under every
    folder the service writes (WRITTEN_FOLDERS), a write's temporaries (a join killed
    midway under articles/, a segment's, an image upload's, a readiness probe's; on S3
    an unfinished multipart upload). How many."""
    cutoff = datetime.now(UTC) - timedelta(seconds=grace_s)
    removed = sum(storage.remove_temporaries(folder, cutoff) for folder in WRITTEN_FOLDERS)
    named: dict[str, str] = {}  # segment key -> its file
    doomed: list[str] = []
    for stored_as, modified in storage.listing("segments"):
        name = PurePosixPath(stored_as).name
        if modified >= cutoff or is_temporary(stored_as):
            continue
        if name.endswith(".mp3"):
            named[name.removesuffix(".mp3")] = stored_as
        else:
            doomed.append(stored_as)
    listed = known_segments(session, named)
    doomed.extend(stored_as for key, stored_as in named.items() if key not in listed)
    for stored_as in doomed:
        storage.delete_tree(stored_as)
    return removed + len(doomed)
