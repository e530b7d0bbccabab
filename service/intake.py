"""From a parsed submission to a stored article with a queued job."""

from __future__ import annotations

from sqlalchemy.orm import Session

from service.submissions import Submission
from workers.callback_urls import check_callback_url
from workers.catalog.repository import Metadata, Submitted, VoiceOptions, submit
from workers.celery_app import INTERACTIVE_QUEUE
from workers.pipeline.convert import spoken_paragraphs
from workers.pipeline.text import clean
from workers.settings import Settings


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
    article = clean(submission.raw, format=submission.format)
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
        submission.visibility,
    )
    return submit(
        session,
        article,
        spoken_paragraphs(article),
        options,
        metadata,
        article_id=article_id,
        queue=queue,
    )
