"""How an article is said: a cleaned article, its voice, its house style (`style_for`)
and its collection give each paragraph's spoken text, with the lexicon's entries (the
deployment's and the collection's) and espeak-ng phonemes only for a voice that reads them.

`speak` is the one way to do it: the worker cleaning a submission
(workers/runtime/preparing.py), an editor's PATCH (service/web/edits.py) and the command
line (`narrate clean --spoken`, `narrate convert`) all call it, so an article is said
alike whichever made its revision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from workers.pipeline.article import Article
from workers.pipeline.errors import NoSpeakableText
from workers.pipeline.speech import to_spoken
from workers.pipeline.speech.lexicon import Lexicon, load
from workers.pipeline.speech.style import AMERICAN, BRITISH, DEFAULT_STYLE, checked_style
from workers.pipeline.speech.utterances import split_utterances

TEXT_ONLY_VOICES = ("piper:",)  # engines that read text: no espeak-ng phonemes for them
# A paragraph is the unit of a worker's task (and of read-along): a longer one (a page
# pasted as one line, say) is read as several, cut at sentence ends, so that no single
# task holds a worker for minutes while other articles wait. About four minutes of speech.
MAX_PARAGRAPH_CHARS = 4000


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


def lexicon_for(path: Path, collection: str | None) -> Lexicon:
    """The lexicon in `path` as an article in `collection` uses it: the deployment-wide
    entries, with the collection's own in place of any for the same word."""
    return load(path).for_collection(collection)


def speak(
    article: Article,
    voice: str,
    lexicon_path: Path,
    collection: str | None,
    *,
    style: str,
) -> Spoken:
    """The article's spoken paragraphs in `voice` and house `style` (see `style_for`),
    with its collection's lexicon from `lexicon_path`. Raises NoSpeakableText when
    nothing is left to read."""
    lexicon = lexicon_for(lexicon_path, collection)
    phonemes = not voice.startswith(TEXT_ONLY_VOICES)
    paragraphs = spoken_paragraphs(article, lexicon, phonemes=phonemes, style=style)
    return Spoken(paragraphs, lexicon.fingerprint())


def spoken_paragraphs(
    article: Article,
    lexicon: Lexicon | None = None,
    *,
    phonemes: bool = True,
    style: str = DEFAULT_STYLE,
) -> list[tuple[str, str]]:
    """(written, spoken) for every paragraph that has something to say (one longer than
    MAX_PARAGRAPH_CHARS as several), with the lexicon's entries applied to the spoken
    text (its phoneme entries only if the engine reads espeak-ng phonemes), said in house
    `style`. The newsreader's normalisation (numbers, money, dates) is English; an
    article known to be in another language goes to its voice as written, and espeak-ng
    reads numbers in that language."""
    lexicon = lexicon or Lexicon()
    english = article.language in (None, "en")
    pairs = [
        (text, lexicon.apply(to_spoken(text, style) if english else text, phonemes=phonemes))
        for paragraph in article.paragraphs
        for text in split_utterances(paragraph, MAX_PARAGRAPH_CHARS)
    ]
    pairs = [(text, spoken) for text, spoken in pairs if any(c.isalnum() for c in spoken)]
    if not pairs:
        raise NoSpeakableText("the article has no words to read aloud")
    return pairs
