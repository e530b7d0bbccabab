"""The rest of an article said in chunks, as its lanes reach them.

The clean stage (workers/runtime/preparing.py) says only an article's first paragraph
and stores the rest written (`UnsaidRow`), so the first paragraph is made whatever the
article's length. A lane that finds no paragraph left to take says the next chunk here:
about `chunk_chars` of written text, in order, with the same `Speaker` as `speak` (the
article's voice, collection lexicon and language), stored as the paragraphs after the
last. Saying is spread over the lanes, a chunk at a time, as synthesis is. A paragraph
the article's last finished revision said alike (`said_before`) keeps its spoken text and
costs the chunk nothing, so an edit says only what it changed.

Two lanes may say the same chunk at once: each deletes the chunk's unsaid rows before
storing its paragraphs, and only the one whose delete removed them stores them (a
redelivered task is such a second lane). A paragraph found to have nothing to say is
taken off the job's total, which therefore counts the paragraphs stored and still to say.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from workers.catalog.content import VoiceOptions, paragraph_values
from workers.catalog.models import JobRow, JobStatus, ParagraphRow, RevisionRow, UnsaidRow
from workers.catalog.progress import done_if_stored
from workers.config import Settings
from workers.pipeline.article import marked
from workers.pipeline.speaking import saying_key, speaker_for
from workers.storage.segments import segment_key

log = logging.getLogger("narrate.saying")

MAX_CHUNK_PARAGRAPHS = 50  # a chunk of one-line paragraphs stops here, however short
# A revision's columns that make its `saying_key`.
SAID_WITH = ("voice", "style", "language", "lexicon_key", "speech_key")


@dataclass(frozen=True)
class Said:
    stored: int  # paragraphs stored (0 when another lane said the chunk first, or none of
    # it had anything to say)
    finished: bool  # that left every paragraph of the job done: the caller queues the join


def say_next(session: Session, settings: Settings, job: JobRow) -> Said | None:
    """Say the job's next chunk of unsaid paragraphs (about `chunk_chars` of written text,
    at most MAX_CHUNK_PARAGRAPHS) and store them after its last paragraph; None when
    nothing is left to say. Every lane cuts its chunk alike from the same first row, which
    is what lets two lanes that say at once take all of a chunk or none of it."""
    revision: RevisionRow = job.revision
    following = session.execute(
        select(UnsaidRow.position, UnsaidRow.text, UnsaidRow.continues)
        .where(UnsaidRow.revision_id == revision.id)
        .order_by(UnsaidRow.position)
        .limit(MAX_CHUNK_PARAGRAPHS)
    ).all()
    if not following:
        return None
    known = said_before(session, revision, [text for _, text, _ in following])
    chunk, said_chars = [], 0
    for position, text, continues in following:
        chunk.append((position, marked(text, continues)))
        if text not in known:
            said_chars += len(text)
        if said_chars >= settings.chunk_chars:
            break
    style = revision.style  # chosen by style_for and stored with the unsaid rows
    if style is None:
        raise RuntimeError(f"job {job.id}: paragraphs to say, but no house style stored")
    speaker = speaker_for(
        revision.voice,
        settings.lexicon_path,
        revision.article.collection,
        revision.language,
        style=style,
    )
    pairs = list(speaker.say((text for _, text in chunk), known))
    taken = session.execute(
        delete(UnsaidRow).where(
            UnsaidRow.revision_id == revision.id,
            UnsaidRow.position.in_([position for position, _ in chunk]),
        )
    ).rowcount  # type: ignore[attr-defined]  # a DELETE's result is a CursorResult
    if taken != len(chunk):
        if taken:  # chunks are cut alike from the same first row: all or none is taken
            raise RuntimeError(f"job {job.id}: {taken} of a chunk of {len(chunk)} taken")
        return Said(0, False)  # another lane said it first
    after = session.execute(
        select(func.max(ParagraphRow.index)).where(ParagraphRow.revision_id == revision.id)
    ).scalar_one()
    start = 0 if after is None else after + 1
    options = VoiceOptions(revision.voice, revision.rate, revision.bitrate_kbps)
    finished = False
    if dropped := len(chunk) - len(pairs):
        done, total = session.execute(
            update(JobRow)
            .where(JobRow.id == job.id)
            .values(total=JobRow.total - dropped)
            .returning(JobRow.done, JobRow.total)
        ).one()
        finished = done >= total
        log.info("job %s: %d paragraphs with nothing to say left out", job.id, dropped)
    if pairs:
        rows = [
            {**values, "index": start + values["index"], "revision_id": revision.id}
            for values in paragraph_values(pairs, options)
        ]
        stored = session.execute(
            insert(ParagraphRow).returning(ParagraphRow.id, ParagraphRow.clip_key), rows
        )
        keys = {
            paragraph_id: segment_key(clip, revision.voice, revision.bitrate_kbps)
            for paragraph_id, clip in stored
        }
        finished = done_if_stored(session, job.id, keys)[1]
    return Said(len(pairs), finished)


def said_before(session: Session, revision: RevisionRow, texts: list[str]) -> dict[str, str]:
    """The spoken text of those of `texts` that the article's latest finished revision
    before `revision` said, when it was said alike (the same `saying_key`, speech rules
    known): an edit says anew only the paragraphs it changed. A finished revision's
    paragraphs no longer change, so every lane that asks finds the same and cuts the
    same chunk."""
    # a first revision has nothing before it (no query on every chunk of a new article);
    # one said before the speech rules had a key keeps nothing
    if revision.number == 1 or revision.speech_key is None:
        return {}
    earlier = session.scalars(
        select(RevisionRow)
        .join(JobRow, JobRow.revision_id == RevisionRow.id)
        .where(
            RevisionRow.article_id == revision.article_id,
            RevisionRow.number < revision.number,
            JobRow.status == JobStatus.DONE,
        )
        .order_by(RevisionRow.number.desc())
        .limit(1)
    ).first()
    if earlier is None or revision_saying_key(earlier) != revision_saying_key(revision):
        return {}
    rows = session.execute(
        select(ParagraphRow.text, ParagraphRow.spoken).where(
            ParagraphRow.revision_id == earlier.id, ParagraphRow.text.in_(set(texts))
        )
    )
    return {text: spoken for text, spoken in rows}


def revision_saying_key(revision: RevisionRow) -> tuple:
    """The `saying_key` of the revision's spoken text."""
    return saying_key(*(getattr(revision, column) for column in SAID_WITH))


def unsaid(session: Session, revision_id: int) -> bool:
    """Whether the revision has paragraphs still to say."""
    return (
        session.execute(
            select(UnsaidRow.id).where(UnsaidRow.revision_id == revision_id).limit(1)
        ).first()
        is not None
    )
