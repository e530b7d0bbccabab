"""The clean stage of a job: a submission stored as received (its job "cleaning")
becomes the revision's paragraphs and spoken text, and its job "queued" for synthesis.

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
from workers.catalog.models import JobRow, JobStatus, ParagraphRow, RevisionRow
from workers.config import Settings
from workers.pipeline.article import Article
from workers.pipeline.clean.cleaner import Format, clean
from workers.pipeline.clean.controls import article_without_controls
from workers.pipeline.clean.language import voice_for
from workers.pipeline.speaking import speak, style_for

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
    spoken: list[tuple[str, str]]
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
    else by `style_for`) and make the spoken text. Raises NoSpeakableText when nothing
    is left to read."""
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
    spoken = speak(article, voice, settings.lexicon_path, source.collection, style=style)
    return Cleaned(article, spoken.paragraphs, voice, publisher, learned, spoken.lexicon, style)


def prepare_job(settings: Settings, job_id: int) -> bool:
    """Clean a "cleaning" job's submission into its paragraphs and queue it; False when
    it was not cleaning (done already, by this task's earlier delivery or another)."""
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
            .values(status=JobStatus.QUEUED, total=len(cleaned.spoken))
        ).rowcount  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult
        if not claimed:
            return False
        options = VoiceOptions(cleaned.voice, revision.rate, revision.bitrate_kbps)
        session.execute(
            insert(ParagraphRow),
            [
                {**values, "revision_id": revision.id}
                for values in paragraph_values(cleaned.spoken, options)
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
                raw_text=None,
                raw_format=None,
            )
        )
        if cleaned.learned is not None and cleaned.publisher is not None:
            remember(session, cleaned.publisher, article.id, cleaned.learned.fingerprints)
        session.expire_all()
    log.info("job %s: cleaned, %d paragraphs", job_id, len(cleaned.spoken))
    return True
