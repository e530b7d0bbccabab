"""From a parsed submission to a stored article with a queued job."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from service.sanitize import without_controls
from service.submissions import Submission
from workers.callback_urls import check_callback_url
from workers.catalog.repository import Metadata, Submitted, VoiceOptions, submit
from workers.celery_app import INTERACTIVE_QUEUE
from workers.pipeline.article import Article
from workers.pipeline.convert import spoken_paragraphs
from workers.pipeline.lexicon import load as load_lexicon
from workers.pipeline.text import clean
from workers.settings import Settings

TEXT_ONLY_VOICES = ("piper:",)  # engines that read text: no espeak-ng phonemes for them


def accept(
    session: Session,
    submission: Submission,
    settings: Settings,
    *,
    article_id: str | None = None,
    queue: str = INTERACTIVE_QUEUE,
) -> Submitted:
    """Clean the text and store it; raises NoSpeakableText when nothing is left to read,
    CallbackNotAllowed for a callback_url to a private address (unless allowed)."""
    if submission.callback_url:
        check_callback_url(submission.callback_url, allow_private=settings.webhook_allow_private)
    article = _without_controls(clean(submission.raw, format=submission.format))
    options = VoiceOptions(
        voice=submission.voice or settings.voice,
        rate=submission.rate or settings.rate,
        bitrate_kbps=settings.bitrate_kbps,
    )
    metadata = Metadata(
        submission.external_id,
        submission.source_url,
        submission.callback_url,
        submission.collection,
    )
    lexicon = load_lexicon(settings.lexicon_path).for_collection(submission.collection)
    phonemes = not options.voice.startswith(TEXT_ONLY_VOICES)
    return submit(
        session,
        article,
        spoken_paragraphs(article, lexicon, phonemes=phonemes),
        options,
        metadata,
        article_id=article_id,
        queue=queue,
    )


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
