"""From a parsed submission to a stored article with a queued job."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from service.sanitize import without_controls
from service.submissions import Submission
from workers.callback_urls import check_callback_url
from workers.catalog.boilerplate import Learned, publisher_of, remember, strip_learned
from workers.catalog.repository import Metadata, Pending, Submitted, VoiceOptions, submit
from workers.celery_app import INTERACTIVE_QUEUE
from workers.pipeline.article import Article
from workers.pipeline.convert import spoken_paragraphs
from workers.pipeline.language import voice_for, with_language
from workers.pipeline.lexicon import load as load_lexicon
from workers.pipeline.text import clean
from workers.pipeline.voices import check_requested_voice
from workers.settings import Settings

TEXT_ONLY_VOICES = ("piper:",)  # engines that read text: no espeak-ng phonemes for them


@dataclass(frozen=True)
class Prepared:
    """A submission cleaned and made speakable, ready to be stored."""

    pending: Pending
    article_id: str | None  # the article it revises (asked for, or found by its lines)
    publisher: str | None
    learned: Learned | None  # the publisher's boilerplate it lost, to remember once stored


def prepare(
    session: Session,
    submission: Submission,
    settings: Settings,
    *,
    article_id: str | None = None,
    charge: Callable[[int], None] | None = None,
) -> Prepared:
    """Clean the text; raises NoSpeakableText when nothing is left to read,
    CallbackNotAllowed for a callback_url to a private address (unless allowed).
    `charge` is told the paragraph count before anything is stored, and may refuse."""
    if submission.callback_url:
        check_callback_url(submission.callback_url, allow_private=settings.webhook_allow_private)
    if submission.voice:
        check_requested_voice(submission.voice, settings.piper_voice_dirs)
    article = _without_controls(clean(submission.raw, format=submission.format))
    article = with_language(article, submission.raw, html=submission.format == "html")
    publisher = publisher_of(submission.source_url, submission.collection)
    learned = None
    if publisher and settings.learn_boilerplate:
        learned = strip_learned(
            session,
            publisher,
            article,
            min_articles=settings.boilerplate_min_articles,
            article_id=article_id,
            external_id=submission.external_id,
        )
        article = learned.article
        if not submission.external_id:
            article_id = article_id or learned.same_article
    voice = settings.voice_for(submission.collection, submission.voice)
    if voice == settings.voice:  # nothing chose one: the deployment's, or one for the language
        voice = voice_for(article.language, settings.voice)
    options = VoiceOptions(
        voice=voice,
        rate=submission.rate or settings.rate,
        bitrate_kbps=settings.bitrate_kbps,
    )
    metadata = Metadata(
        submission.external_id,
        submission.source_url,
        submission.callback_url,
        submission.collection,
        submission.visibility,
    )
    lexicon = load_lexicon(settings.lexicon_path).for_collection(submission.collection)
    phonemes = not options.voice.startswith(TEXT_ONLY_VOICES)
    spoken = spoken_paragraphs(article, lexicon, phonemes=phonemes)
    if charge is not None:
        charge(len(spoken))
    return Prepared(Pending(article, spoken, options, metadata), article_id, publisher, learned)


def store(session: Session, prepared: Prepared, *, queue: str = INTERACTIVE_QUEUE) -> Submitted:
    """Store one prepared submission (see repository.submit) and what it taught."""
    pending = prepared.pending
    result = submit(
        session,
        pending.article,
        pending.spoken,
        pending.options,
        pending.metadata,
        article_id=prepared.article_id,
        queue=queue,
    )
    if prepared.learned is not None and prepared.publisher is not None:
        remember(session, prepared.publisher, result.article.id, prepared.learned.fingerprints)
    return result


def accept(
    session: Session,
    submission: Submission,
    settings: Settings,
    *,
    article_id: str | None = None,
    queue: str = INTERACTIVE_QUEUE,
    charge: Callable[[int], None] | None = None,
) -> Submitted:
    """Clean the text and store it (see `prepare` for what it raises)."""
    prepared = prepare(session, submission, settings, article_id=article_id, charge=charge)
    return store(session, prepared, queue=queue)


def _without_controls(article: Article) -> Article:
    """The raw text was stripped already; HTML character references (&#1;) can bring
    control characters back, so the cleaned article is stripped too."""
    return replace(
        article,
        title=without_controls(article.title),
        byline=article.byline and without_controls(article.byline),
        published=article.published and without_controls(article.published),
        paragraphs=[without_controls(p) for p in article.paragraphs],
        removed=[replace(r, text=without_controls(r.text)) for r in article.removed],
    )
