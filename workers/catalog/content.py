"""What a submission is, before the catalog stores it: its text (cleaned, or as received),
how it is to be said, its metadata, and the hashes and column values made from them."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from workers.pipeline.article import Article, Continued
from workers.pipeline.speech.fingerprint import rules_key

PIPELINE_VERSION = "1"  # bump to invalidate cached clips when shaping changes
TITLE_CHARS = 300  # of a stored title or byline: the first paragraph can be a megabyte


def clipped(text: str, limit: int = TITLE_CHARS) -> str:
    """`text` if it has at most `limit` characters, else its start and an ellipsis
    (`limit` characters in all): how titles are stored and shown."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class VoiceOptions:
    voice: str
    rate: int
    bitrate_kbps: int
    style: str | None = None  # the house style asked for (None: by voice and deployment)

    def identity(self) -> list:
        """What of the options tells one revision from another. No style asked for adds
        nothing, so articles stored before styles existed keep their hashes."""
        said = [self.voice, self.rate, self.bitrate_kbps]
        return [*said, self.style] if self.style else said


@dataclass(frozen=True)
class Metadata:
    external_id: str | None = None
    source_url: str | None = None
    callback_url: str | None = None
    collection: str = "all"
    visibility: str | None = None  # None: "unlisted" for a new article, else unchanged


@dataclass(frozen=True)
class Raw:
    """A submission as received: the text or HTML, a provisional title to show until a
    worker has cleaned it, and the fingerprint of the lexicon it would be said with."""

    text: str
    format: str  # "text" or "html"
    title: str
    lexicon: str
    language: str | None = None  # as detected from the text as received


@dataclass(frozen=True)
class Pending:
    """One submission to be stored: cleaned (an editor's PATCH), or (`raw`) as received,
    for a worker to clean (its article then only holds the provisional title)."""

    article: Article
    spoken: list[tuple[str, str]]
    options: VoiceOptions
    metadata: Metadata
    raw: Raw | None = None
    lexicon: str | None = None  # cleaned: the fingerprint of the lexicon `spoken` was made with

    @classmethod
    def of_raw(cls, raw: Raw, options: VoiceOptions, metadata: Metadata) -> Pending:
        article = Article(title=raw.title, paragraphs=[], language=raw.language)
        return cls(article, [], options, metadata, raw)

    def digest(self) -> str:
        """Its content hash: of the text as received, or of the cleaned paragraphs."""
        if self.raw is not None:
            return raw_hash(self.raw, self.options)
        return content_hash(self.article, self.options)


def clip_key(spoken: str, options: VoiceOptions) -> str:
    """Content hash of one paragraph's audio: the same words in the same voice are reused."""
    material = json.dumps([PIPELINE_VERSION, options.voice, options.rate, spoken])
    return hashlib.sha256(material.encode()).hexdigest()


def content_hash(article: Article, options: VoiceOptions) -> str:
    """The identity of cleaned content: its paragraphs and how to say them."""
    material = json.dumps([PIPELINE_VERSION, *options.identity(), article.paragraphs])
    return hashlib.sha256(material.encode()).hexdigest()


def raw_hash(raw: Raw, options: VoiceOptions) -> str:
    """The identity of a submission before it is cleaned: its text and how to say it."""
    material = json.dumps(["raw", PIPELINE_VERSION, *options.identity(), raw.format, raw.text])
    return hashlib.sha256(material.encode()).hexdigest()


def paragraph_values(spoken: list[tuple[str, str]], options: VoiceOptions) -> list[dict]:
    """The paragraph rows of a revision, from its (written, spoken) pairs (a `Continued`
    written piece is stored as one that `continues`)."""
    return [
        {
            "index": i,
            "text": text,
            "spoken": said,
            "clip_key": clip_key(said, options),
            "continues": isinstance(text, Continued),
        }
        for i, (text, said) in enumerate(spoken)
    ]


def revision_values(pending: Pending, number: int, digest: str) -> dict:
    """The columns of the revision `number` that stores `pending` (without its article)."""
    options, metadata, raw = pending.options, pending.metadata, pending.raw
    return {
        "number": number,
        "content_hash": digest,
        "source_url": metadata.source_url,
        "callback_url": metadata.callback_url,
        "voice": options.voice,
        "rate": options.rate,
        "bitrate_kbps": options.bitrate_kbps,
        "style": options.style,
        **cleaned_columns(pending.article),
        "raw_text": raw.text if raw else None,
        "raw_format": raw.format if raw else None,
        "lexicon_key": raw.lexicon if raw else pending.lexicon,
        "speech_key": None if raw else rules_key(),  # said in this process
    }


def cleaned_columns(article: Article) -> dict:
    """A revision's columns that come from its cleaned text."""
    return {
        "title": clipped(article.title),
        "byline": clipped(article.byline) if article.byline else article.byline,
        "published": article.published,
        "removed": [
            {"text": r.text, "rule": r.rule, "position": r.position} for r in article.removed
        ],
        "language": article.language,
    }
