"""Which language an article is written in, and the espeak-ng voice that speaks it.

The text decides (py3langid, a maintained fork of langid.py whose model ships in the
wheel); the page's own `<html lang>` decides only when the text is too short or too mixed
for the detector to be sure, since many sites keep the `lang` of their template whatever
the article's language.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from pathlib import Path

from workers.pipeline.article import Article
from workers.pipeline.clean.markup import text_without_markup

VOICES_FILE = Path(__file__).with_name("data") / "language_voices.tsv"
MIN_LETTERS = 20  # fewer letters than this and the detector guesses
MIN_CONFIDENCE = 0.8  # normalised probability of the detector's best language
SAMPLE_CHARS = 20_000  # enough to tell; detection cost grows with the text
SUBMISSION_SAMPLE_CHARS = 5_000  # of a submission's text: about a millisecond to classify
_HTML_LANG = re.compile(r"<html\b[^>]*?\slang\s*=\s*[\"']?\s*([A-Za-z]{2,3})\b", re.IGNORECASE)


_loading = threading.Lock()


def load_model() -> None:
    """Load the detector's model now (the web's gunicorn master does, so the processes it
    forks share it instead of each loading it at its first submission)."""
    _identifier()


def _identifier():
    # One thread loads the model (about 75 MB, a second or more of CPU) while the others
    # wait for it: 25 request threads meeting a process's first submissions each loaded
    # it at once, and under load answered only after a minute.
    with _loading:
        return _load_identifier()


@cache
def _load_identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def declared_language(html: str) -> str | None:
    """The primary language subtag of the page's `<html lang="…">`, lower case."""
    match = _HTML_LANG.search(html[:50_000])
    return match.group(1).lower() if match else None


def detect_language(paragraphs: Sequence[str], declared: str | None = None) -> str | None:
    """The ISO 639 code of the text's language; `declared` (the page's) when the text
    cannot tell; None when neither can."""
    text = " ".join(paragraphs)[:SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in text) >= MIN_LETTERS:
        language, confidence = _identifier().classify(text)
        if confidence >= MIN_CONFIDENCE:
            return language
    return declared


def with_language(article: Article, raw: str, html: bool) -> Article:
    """The article with its `language` detected from its text (and page, for HTML)."""
    declared = declared_language(raw) if html else None
    return replace(article, language=detect_language(article.paragraphs, declared))


def submission_language(raw: str, html: bool) -> str | None:
    """The language of a submission as received: its text (a page without its markup and
    scripts), before it is cleaned. The web process decides it when it stores the
    submission, so the detector's model (about 75 MB) lives there and not in every
    worker process, which cleans the submission later (workers/runtime/preparing.py)."""
    declared = declared_language(raw) if html else None
    text = raw[: 40 * SUBMISSION_SAMPLE_CHARS]
    if html:
        text = text_without_markup(text)
    return detect_language([" ".join(text.split())[:SUBMISSION_SAMPLE_CHARS]], declared)


@cache
def language_voices(path: Path = VOICES_FILE) -> dict[str, str]:
    table = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            language, voice = line.split("\t")
            table[language] = voice
    return table


def voice_language(voice: str) -> str:
    """The language a voice name speaks: 'gmw/en' -> 'en', 'en-gb' -> 'en', 'roa/fr' -> 'fr',
    'espeak:en-gb' -> 'en', 'piper:en_US-joe-medium' -> 'en'."""
    name = voice.split(":", 1)[-1].rsplit("/", 1)[-1]
    return re.split(r"[-_]", name, maxsplit=1)[0].lower()


def voice_for(language: str | None, default: str) -> str:
    """The voice for an article that names none: the deployment's default when it speaks
    the article's language (or the language is unknown), else espeak-ng's voice for it."""
    if language is None or voice_language(default) == language:
        return default
    return language_voices().get(language, default)
