"""The clean stage of a job: a submission stored as received (its job "cleaning")
becomes the revision's cleaned text, its first paragraph said, and its job "queued" for
synthesis. Only the first paragraph is said here, so that it can be made and heard at
once whatever the article's length: the rest are stored written, and said in chunks
as the job's lanes reach them (workers/runtime/saying.py).

The web process only validates and stores what it was sent (a POST answers at once);
the cleaner, the boilerplate learned from the catalog and the speech normaliser run
here. What only they can find wrong (nothing left to read) fails the job with their
message, which the article's GET and the failure webhook show.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from workers.catalog.boilerplate import Learned, publisher_of, remember, strip_learned
from workers.catalog.collections import collection_setting
from workers.catalog.content import VoiceOptions, cleaned_columns, paragraph_values
from workers.catalog.db import session_scope
from workers.catalog.models import JobRow, JobStatus, ParagraphRow, RevisionRow, UnsaidRow
from workers.config import Settings
from workers.pipeline.article import Article, Continued
from workers.pipeline.clean.cleaner import Format, clean
from workers.pipeline.clean.controls import article_without_controls
from workers.pipeline.clean.language import voice_for
from workers.pipeline.speaking import as_read, first_said, speaker_for, style_for
from workers.pipeline.speech.fingerprint import rules_key

log = logging.getLogger("narrate.preparing")


@dataclass(frozen=True)
class Source:
    """What a submission is, apart from its options: where it came from and whose."""

    raw: str
    format: Format
    collection: str = "all"
    source_url: str | None = None
    external_id: str | None = None
    language: str | None = None  # as the web process detected it (intake)


@dataclass(frozen=True)
class Cleaned:
    article: Article
    first: tuple[str, str]  # the first paragraph with something to say: (written, spoken)
    unsaid: list[str]  # the written paragraphs after it, to be said later
    voice: str  # the voice asked for, or the one for the article's language
    publisher: str | None
    learned: Learned | None  # the publisher's boilerplate it lost, to remember once stored
    lexicon: str  # the fingerprint of the lexicon the spoken text was made with
    style: str  # the house style it is said in


def clean_submission(
    session: Session,
    source: Source,
    voice: str,
    settings: Settings,
    *,
    article_id: str | None = None,
    style: str | None = None,
) -> Cleaned:
    """Clean the text, strip the publisher's learned boilerplate, choose the voice for
    the language (unless one was asked for) and the house style (`style`, if asked for,
    else by `style_for`), and say the first paragraph that has something to say. Raises
    NoSpeakableText when none has."""
    article = article_without_controls(clean(source.raw, format=source.format))
    article = replace(article, language=source.language)  # decided as it was stored
    publisher = publisher_of(source.source_url, source.collection)
    learned = None
    if publisher and settings.learn_boilerplate:
        learned = strip_learned(
            session,
            publisher,
            article,
            min_articles=settings.boilerplate_min_articles,
            article_id=article_id,
            external_id=source.external_id,
            collection=source.collection,
        )
        article = learned.article
    if voice == settings.voice:  # nothing chose one: the deployment's, or one for the language
        voice = voice_for(article.language, settings.voice)
    wanted = collection_setting(session, source.collection, "style")
    style = style_for(voice, style, wanted, settings.style)
    speaker = speaker_for(
        voice, settings.lexicon_path, source.collection, article.language, style=style
    )
    article = as_read(article)  # stored as read: its removed lines' positions in pieces
    first, unsaid = first_said(article.paragraphs, speaker)
    lexicon = speaker.lexicon.fingerprint()
    return Cleaned(article, first, unsaid, voice, publisher, learned, lexicon, style)


def prepare_job(settings: Settings, job_id: int) -> bool:
    """Clean a "cleaning" job's submission, store its first paragraph said and the rest
    written, and queue it; False when it was not cleaning (done already, by this task's
    earlier delivery or another). The job's total counts the paragraphs stored either
    way: one of the rest found to have nothing to say is taken off it when it is said."""
    with session_scope(settings.database_url) as session:
        job = session.get(JobRow, job_id)
        if job is None or job.status != JobStatus.CLEANING:
            return False
        revision: RevisionRow = job.revision
        article = revision.article
        source = Source(
            revision.raw_text or "",
            "html" if revision.raw_format == "html" else "text",
            article.collection,
            revision.source_url,
            article.external_id,
            revision.language,
        )
        cleaned = clean_submission(
            session,
            source,
            revision.voice,
            settings,
            article_id=article.id,
            style=revision.style,
        )
        # Claimed by a conditional UPDATE, so two deliveries of the task store one set
        # of paragraphs: the second finds the job queued already.
        claimed = session.execute(
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.status == JobStatus.CLEANING)
            .values(status=JobStatus.QUEUED, total=1 + len(cleaned.unsaid))
        ).rowcount  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult
        if not claimed:
            return False
        options = VoiceOptions(cleaned.voice, revision.rate, revision.bitrate_kbps)
        session.execute(
            insert(ParagraphRow),
            [
                {**values, "revision_id": revision.id}
                for values in paragraph_values([cleaned.first], options)
            ],
        )
        if cleaned.unsaid:
            session.execute(
                insert(UnsaidRow),
                [
                    {
                        "revision_id": revision.id,
                        "position": position,
                        "text": text,
                        "continues": isinstance(text, Continued),
                    }
                    for position, text in enumerate(cleaned.unsaid)
                ],
            )
        session.execute(
            update(RevisionRow)
            .where(RevisionRow.id == revision.id)
            .values(
                **cleaned_columns(cleaned.article),
                voice=cleaned.voice,
                style=cleaned.style,
                lexicon_key=cleaned.lexicon,
                speech_key=rules_key(),
                raw_text=None,
                raw_format=None,
            )
        )
        if cleaned.learned is not None and cleaned.publisher is not None:
            remember(session, cleaned.publisher, article.id, cleaned.learned.fingerprints)
        session.expire_all()
    log.info("job %s: cleaned, %d paragraphs", job_id, 1 + len(cleaned.unsaid))
    return True
