"""From a parsed submission to a stored article with a queued job.

A submission (POST, PUT, or an item of a batch) is stored as received, its job
"cleaning": the worker cleans it (workers/runtime/preparing.py), so the request only
validates what it can without the cleaner."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Collection

from sqlalchemy.orm import Session

from service.intake.sanitize import without_controls
from service.intake.submissions import Submission
from workers.catalog.content import Metadata, Pending, Raw, VoiceOptions, clipped
from workers.catalog.submit import Submitted, submit_raw
from workers.config import MAX_RATE, MIN_RATE, Settings
from workers.delivery.callback_urls import check_callback_url
from workers.pipeline.clean.language import submission_language
from workers.pipeline.clean.markup import text_without_markup
from workers.pipeline.engines.voices import check_requested_voice
from workers.pipeline.errors import ArticleTooLong, NoSpeakableText
from workers.pipeline.speaking import lexicon_for
from workers.runtime.celery_app import INTERACTIVE_QUEUE

_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")
_SPACES = re.compile(r"\s+")


def check(submission: Submission, settings: Settings) -> int:
    """What the request can refuse without the cleaner: NoSpeakableText for nothing to
    read at all (`check_words`), ArticleTooLong for more spoken characters than
    NARRATE_MAX_ARTICLE_CHARS at the default rate (`check_length`), CallbackNotAllowed
    for a callback_url to a private address (unless allowed), an unknown voice. Returns
    what the submission costs (`charged_chars`), measured once for both."""
    check_words(submission.raw, submission.format)
    cost = check_length(submission, settings)
    if submission.callback_url:
        check_callback_url(submission.callback_url, allow_private=settings.webhook_allow_private)
    if submission.voice:
        check_requested_voice(submission.voice, settings.piper_voice_dirs)
    return cost


def accept(
    session: Session,
    submission: Submission,
    settings: Settings,
    *,
    article_id: str | None = None,
    queue: str = INTERACTIVE_QUEUE,
    charge: Callable[[int], None] | None = None,
    reach: Collection[str] | None = None,
) -> Submitted:
    """Store the submission as received, its job "cleaning" (see `check` for what it
    raises). `charge` is told what it costs (`charged_chars`) before anything is
    stored, and may refuse. `reach`: the collections the submitting
    key may write (None: all); articles outside it are never matched."""
    cost = check(submission, settings)
    if charge is not None:
        charge(cost)
    pending = as_received(submission, settings)
    return submit_raw(session, pending, article_id=article_id, queue=queue, reach=reach)


def as_received(submission: Submission, settings: Settings) -> Pending:
    """The submission to be stored as it is, with the options it asks for."""
    options = VoiceOptions(
        settings.voice_for(submission.collection, submission.voice),
        rate_of(submission, settings),
        settings.bitrate_kbps,
        submission.style,
    )
    metadata = Metadata(
        submission.external_id,
        submission.source_url,
        submission.callback_url,
        submission.collection,
        submission.visibility,
    )
    lexicon = lexicon_for(settings.lexicon_path, submission.collection)
    raw = Raw(
        submission.raw,
        submission.format,
        provisional_title(submission),
        lexicon.fingerprint(),
        submission_language(submission.raw, html=submission.format == "html"),
    )
    return Pending.of_raw(raw, options, metadata)


def check_words(raw: str, format: str) -> None:
    """NoSpeakableText (422) for a submission with no letter or digit at all (empty,
    only whitespace, only punctuation; for HTML, none outside its tags). Only this cheap
    look: whether anything is left once cleaned is the worker's to find."""
    if format == "html":
        if not _LETTER_OR_DIGIT.search(html.unescape(_TAG.sub(" ", raw))):
            raise NoSpeakableText(
                "the HTML has no letter or digit outside its tags (it is empty, or only "
                "markup, spaces and punctuation): send the page's full HTML, or the article "
                "as plain text"
            )
    elif not _LETTER_OR_DIGIT.search(raw):
        raise NoSpeakableText(
            "the text has no letter or digit (it is empty, or only spaces, punctuation or "
            "symbols): send the article's headline and paragraphs"
        )


def estimated_chars(raw: str, format: str) -> int:
    """The spoken characters the cleaner will keep, at most: the text's characters with
    every run of whitespace counted as one, for HTML `text_without_markup` (no tags, nor
    scripts, styles, noscript or templates; entities decoded); at least one. Audio lasts
    about as long as the text is long, at a given rate: see `charged_chars`."""
    if format == "html":
        raw = text_without_markup(raw)
    return max(1, len(_SPACES.sub(" ", raw).strip()))


def rate_of(submission: Submission, settings: Settings) -> int:
    """The words a minute the submission will be read at: its own, else NARRATE_RATE."""
    return submission.rate or settings.rate


def charged_chars(submission: Submission, settings: Settings) -> int:
    """What the submission costs, in characters at the default rate (NARRATE_RATE): its
    spoken characters (`estimated_chars`) times the default rate over its own, rounded
    up, since a slower rate makes more audio of the same text (80 words a minute, over
    twice as much as 175). What the character quota is charged and the per-article
    ceiling measures, so both bound the audio. Rates are MIN_RATE to MAX_RATE (never 0)."""
    chars = estimated_chars(submission.raw, submission.format)
    return -(-chars * settings.rate // rate_of(submission, settings))


def check_length(submission: Submission, settings: Settings) -> int:
    """ArticleTooLong (413) for an article that costs more characters at the default rate
    (`charged_chars`) than NARRATE_MAX_ARTICLE_CHARS, whatever its lines: one worker
    would read it for hours. Returns the cost otherwise."""
    charged = charged_chars(submission, settings)
    ceiling = settings.max_article_chars
    if charged <= ceiling:
        return charged
    chars = estimated_chars(submission.raw, submission.format)
    rate = rate_of(submission, settings)
    size = f"the article has about {chars:,} characters of text"
    if rate != settings.rate:
        size += (
            f", which at {rate} words a minute make as much audio as {charged:,} at the "
            f"default {settings.rate}"
        )
    remedies = "send a shorter text or split it into several articles"
    fits_from = -(-chars * settings.rate // ceiling)  # the slowest rate it fits at
    if fits_from <= MAX_RATE:
        remedies += f", or ask a faster rate (at least {max(fits_from, MIN_RATE)} words a minute)"
    raise ArticleTooLong(
        f"{size}: more than the {ceiling:,} one article may have (about "
        f"{audio_hours(ceiling, settings.rate):.1f} h of audio); {remedies}; or raise "
        "NARRATE_MAX_ARTICLE_CHARS"
    )


def audio_hours(chars: int, rate: int) -> float:
    """About how long `chars` characters take to read at `rate` words a minute (six
    characters a word, the space included)."""
    return chars / 6 / rate / 60


def provisional_title(submission: Submission) -> str:
    """The first line of text, or the page's <title>: what an article list shows while
    the cleaner has not yet found the headline."""
    if submission.format == "html":
        found = _HTML_TITLE.search(submission.raw[:100_000])
        text = html.unescape(_TAG.sub("", found.group(1))) if found else ""
    else:
        text = next((line for line in submission.raw.splitlines() if line.strip()), "")
    return clipped(without_controls(" ".join(text.split())))
