"""The clip cache: each paragraph's shaped PCM, kept while an unfinished job needs it
and, for each article, for its latest finished revision.

A clip is named by what it sounds like (a hash of voice, rate and spoken text), so two
articles being made at once that share a paragraph share its clip, and a new revision of
an article (an edit) synthesises only the paragraphs its last finished revision did not
have. Raw PCM is about five times the size of the MP3 made from it (an hour of speech is
about 160 MB), so when a job finishes, the clips only older revisions of its article used
are released (and a failed job's own), and deleting an article releases all of its clips.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workers.catalog.models import JOB_UNFINISHED, JobRow, ParagraphRow, RevisionRow
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
    """The clips among `keys` that some unfinished job's paragraphs will read, or that
    an article's latest finished (done) revision is made of."""
    keys = sorted(set(keys))
    latest_done = (
        select(func.max(RevisionRow.id))
        .join(JobRow, JobRow.revision_id == RevisionRow.id)
        .where(JobRow.status == "done")
        .group_by(RevisionRow.article_id)
    )
    needed: set[str] = set()
    for start in range(0, len(keys), _QUERY_CHUNK):
        chunk = ParagraphRow.clip_key.in_(keys[start : start + _QUERY_CHUNK])
        unfinished = (
            select(ParagraphRow.clip_key)
            .join(JobRow, JobRow.revision_id == ParagraphRow.revision_id)
            .where(JobRow.status.in_(JOB_UNFINISHED), chunk)
        )
        kept = select(ParagraphRow.clip_key).where(ParagraphRow.revision_id.in_(latest_done), chunk)
        needed.update(session.scalars(unfinished))
        needed.update(session.scalars(kept))
    return needed


def release_clips(session: Session, storage: Storage, keys: Iterable[str]) -> int:
    """Delete the clips among `keys` that are not `still_needed`; how many were deleted.

    A job that starts just after this may have counted a released clip as made already;
    its stitch makes such a clip again, so releasing early costs time, never audio."""
    keys = set(keys)
    released = 0
    for key in keys - still_needed(session, keys):
        if storage.exists(clip_storage_key(key)):
            storage.delete_tree(clip_storage_key(key))
            released += 1
    return released
