"""How an article is said: a cleaned article, its voice, its house style (`style_for`)
and its collection give each paragraph's spoken text, with the lexicon's entries (the
deployment's and the collection's) and espeak-ng phonemes only for a voice that reads them.

`speak` is the one way to say a whole article: an editor's PATCH (service/web/edits.py)
and the command line (`narrate clean --spoken`, `narrate convert`) call it. The worker
says a submission in pieces with the same `Speaker` (workers/runtime/preparing.py: the
first paragraph at once; workers/runtime/saying.py: the rest in chunks as its lanes need
them), so an article is said alike whichever made its revision.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from workers.pipeline.article import Article, Continued
from workers.pipeline.errors import NoSpeakableText
from workers.pipeline.speech import to_spoken
from workers.pipeline.speech.fingerprint import rules_key
from workers.pipeline.speech.lexicon import Lexicon, load
from workers.pipeline.speech.style import AMERICAN, BRITISH, DEFAULT_STYLE, checked_style
from workers.pipeline.speech.utterances import split_paragraph

TEXT_ONLY_VOICES = ("piper:",)  # engines that read text: no espeak-ng phonemes for them
# A paragraph is the unit of a worker's task (and of read-along): a longer one (a page
# pasted as one line, say) is read as several, cut at sentence ends, so that no single
# task holds a worker while other articles wait. About two minutes of speech (17
# characters a second), a second or so of espeak-ng; the pieces average half of it.
MAX_PARAGRAPH_CHARS = 2000
NOTHING_TO_SAY = "the article has no words to read aloud"

# "piper:en_US-joe-medium", "espeak:en-us", "gmw/en-GB-x-rp": the locale in a voice's name
_VOICE_LOCALE = re.compile(r"(?<![a-z])en[-_](us|gb)(?![a-z])", re.IGNORECASE)


def voice_style(voice: str) -> str | None:
    """The house style of the voice's locale (an en_US voice reads American), or None
    for a voice that names none ("gmw/en")."""
    match = _VOICE_LOCALE.search(voice)
    if match is None:
        return None
    return AMERICAN if match.group(1).lower() == "us" else BRITISH


def style_for(
    voice: str,
    article: str | None = None,
    collection: str | None = None,
    deployment: str = DEFAULT_STYLE,
) -> str:
    """The house style an article is said in, the one rule for it: the article's own
    `style`, else its collection's, else its voice's locale, else the deployment's
    (NARRATE_STYLE, en-GB unless set)."""
    chosen = article or collection or voice_style(voice) or deployment
    return checked_style(chosen)


@dataclass(frozen=True)
class Spoken:
    paragraphs: list[tuple[str, str]]  # (written, spoken) for every paragraph to read
    lexicon: str  # the fingerprint of the lexicon the spoken text was made with


@dataclass(frozen=True)
class Speaker:
    """How one article's paragraphs are said: the newsreader's normalisation (numbers,
    money, dates) in house `style` for English, or none for an article known to be in
    another language (espeak-ng reads its numbers in that language); then the lexicon's
    entries, its phoneme entries only for an engine that reads espeak-ng phonemes."""

    lexicon: Lexicon = field(default_factory=Lexicon)
    phonemes: bool = True
    english: bool = True
    style: str = DEFAULT_STYLE

    def say(
        self, written: Iterable[str], known: Mapping[str, str] | None = None
    ) -> Iterator[tuple[str, str]]:
        """(written, spoken) for each written paragraph that has something to say (a
        letter or digit once said), in order; the others are left out. `known` is spoken
        text this speaker made before (an earlier revision's, said alike), kept as it is."""
        for text in written:
            if known and text in known:
                yield text, known[text]
                continue
            normalised = to_spoken(text, self.style) if self.english else text
            spoken = self.lexicon.apply(normalised, phonemes=self.phonemes)
            if any(c.isalnum() for c in spoken):
                yield text, spoken


def lexicon_for(path: Path, collection: str | None) -> Lexicon:
    """The lexicon in `path` as an article in `collection` uses it: the deployment-wide
    entries, with the collection's own in place of any for the same word."""
    return load(path).for_collection(collection)


def speaker_for(
    voice: str,
    lexicon_path: Path,
    collection: str | None,
    language: str | None,
    *,
    style: str,
) -> Speaker:
    """The speaker of an article in `language` (None: unknown, taken as English) read in
    `voice` and house `style` (see `style_for`), with its collection's lexicon from
    `lexicon_path`."""
    return Speaker(
        lexicon_for(lexicon_path, collection),
        phonemes=not voice.startswith(TEXT_ONLY_VOICES),
        english=_english(language),
        style=style,
    )


def saying_key(
    voice: str, style: str | None, language: str | None, lexicon: str | None, speech: str | None
) -> tuple:
    """What a written paragraph's spoken text depends on, the one rule for when spoken
    text made before can be kept: phonemes or not (the voice), the newsreader's
    normalisation or not (the language), the house style, the lexicon's fingerprint and
    the speech rules' (workers.pipeline.speech.fingerprint)."""
    return (not voice.startswith(TEXT_ONLY_VOICES), _english(language), style, lexicon, speech)


def _english(language: str | None) -> bool:
    """Whether the newsreader's (English) normalisation applies: None is unknown, taken
    as English."""
    return language in (None, "en")


def as_read(article: Article) -> Article:
    """The article with its paragraphs as they are read (`written_paragraphs`) and each
    removed line's `position` counted in them, so that a line removed after a paragraph
    read as several pieces comes back after its last piece, not inside it."""
    paragraphs: list[str] = []
    before = [0]  # pieces before each written paragraph, and in all
    for paragraph in article.paragraphs:
        paragraphs.extend(_pieces(paragraph))
        before.append(len(paragraphs))
    if len(paragraphs) == len(article.paragraphs):
        return article
    removed = [
        r if r.position is None else replace(r, position=before[min(r.position, len(before) - 1)])
        for r in article.removed
    ]
    return replace(article, paragraphs=paragraphs, removed=removed)


def written_paragraphs(article: Article) -> list[str]:
    """The article's paragraphs as they are read: one longer than MAX_PARAGRAPH_CHARS as
    several, cut at sentence ends (`split_paragraph`), each piece after its first
    `Continued` (read after a sentence's pause). A paragraph that is a piece already
    (an edit of a revision, service/web/edits.py) keeps its mark."""
    return [text for paragraph in article.paragraphs for text in _pieces(paragraph)]


def _pieces(paragraph: str) -> list[str]:
    return [
        Continued(text) if piece else text
        for piece, text in enumerate(split_paragraph(paragraph, MAX_PARAGRAPH_CHARS))
    ]


def speak(
    article: Article,
    voice: str,
    lexicon_path: Path,
    collection: str | None,
    *,
    style: str,
    before: tuple[tuple, Mapping[str, str]] | None = None,
) -> Spoken:
    """The article's spoken paragraphs in `voice` and house `style` (see `style_for`),
    with its collection's lexicon from `lexicon_path`. `before` is an earlier revision's
    `saying_key` and spoken text (written -> spoken): kept for the paragraphs it shares
    when this one is said alike. Raises NoSpeakableText when nothing is left to read."""
    speaker = speaker_for(voice, lexicon_path, collection, article.language, style=style)
    lexicon = speaker.lexicon.fingerprint()
    known: Mapping[str, str] = {}
    if before is not None:
        how = saying_key(voice, style, article.language, lexicon, rules_key())
        known = before[1] if before[0] == how else {}
    return Spoken(said(article, speaker, known), lexicon)


def spoken_paragraphs(
    article: Article,
    lexicon: Lexicon | None = None,
    *,
    phonemes: bool = True,
    style: str = DEFAULT_STYLE,
) -> list[tuple[str, str]]:
    """(written, spoken) for every paragraph that has something to say, with the
    lexicon's entries applied, in house `style` (see `Speaker`)."""
    english = _english(article.language)
    speaker = Speaker(lexicon or Lexicon(), phonemes=phonemes, english=english, style=style)
    return said(article, speaker)


def said(
    article: Article, speaker: Speaker, known: Mapping[str, str] | None = None
) -> list[tuple[str, str]]:
    """Every paragraph of the article that has something to say, said by `speaker` (or
    as `known`, see `Speaker.say`). Raises NoSpeakableText when none has."""
    pairs = list(speaker.say(written_paragraphs(article), known))
    if not pairs:
        raise NoSpeakableText(NOTHING_TO_SAY)
    return pairs


def first_said(written: list[str], speaker: Speaker) -> tuple[tuple[str, str], list[str]]:
    """The first written paragraph that has something to say, said, and the written
    paragraphs after it (still to say): what a worker says first, so that the first
    paragraph can be heard before the rest of a long article is said. Raises
    NoSpeakableText when none has."""
    for position, text in enumerate(written):
        for pair in speaker.say([text]):
            return pair, written[position + 1 :]
    raise NoSpeakableText(NOTHING_TO_SAY)
