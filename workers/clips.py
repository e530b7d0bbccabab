"""The clip cache: each paragraph's shaped PCM, kept only while an unfinished job needs it.

A clip is named by what it sounds like (a hash of voice, rate and spoken text), so two
articles being made at once that share a paragraph share its clip. Raw PCM is about five
times the size of the MP3 made from it (an hour of speech is about 160 MB), so a job
releases its clips when it finishes, done or failed, and deleting an article releases
whatever its unfinished jobs had made.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from workers.catalog.models import JOB_UNFINISHED, JobRow, ParagraphRow
from workers.storage import Storage

_QUERY_CHUNK = 500  # keys per IN (...) clause, well inside every database's limit


def clip_storage_key(clip_key: str) -> str:
    return f"clips/{clip_key[:2]}/{clip_key}.pcm"


def clip_keys_of(session: Session, revision_ids: Collection[int]) -> set[str]:
    if not revision_ids:
        return set()
    query = select(ParagraphRow.clip_key).where(ParagraphRow.revision_id.in_(revision_ids))
    return set(session.scalars(query))


def still_needed(session: Session, keys: Iterable[str]) -> set[str]:
    """The clips among `keys` that some unfinished job's paragraphs will read."""
    keys = sorted(set(keys))
    needed: set[str] = set()
    for start in range(0, len(keys), _QUERY_CHUNK):
        query = (
            select(ParagraphRow.clip_key)
            .join(JobRow, JobRow.revision_id == ParagraphRow.revision_id)
            .where(JobRow.status.in_(JOB_UNFINISHED))
            .where(ParagraphRow.clip_key.in_(keys[start : start + _QUERY_CHUNK]))
        )
        needed.update(session.scalars(query))
    return needed


def release_clips(session: Session, storage: Storage, keys: Iterable[str]) -> int:
    """Delete the clips among `keys` that no unfinished job needs; how many were deleted.

    A job that starts just after this may have counted a released clip as made already;
    its stitch makes such a clip again, so releasing early costs time, never audio."""
    keys = set(keys)
    released = 0
    for key in keys - still_needed(session, keys):
        if storage.exists(clip_storage_key(key)):
            storage.delete_tree(clip_storage_key(key))
            released += 1
    return released
