"""Control characters, which PostgreSQL refuses and XML forbids, out of article text."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from workers.pipeline.article import Article

# C0 and C1 controls and DEL, except tab, line feed and carriage return; U+FFFE/U+FFFF
# are no characters at all (XML forbids them too).
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
_LINE_BREAKS = re.compile("[\x0b\x0c\x1c-\x1e\x85]")  # str.splitlines() breaks at these
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def without_controls(text: str) -> str:
    """Article text without control characters: page and record separators become line
    breaks, the rest (NUL and the like) are dropped; tabs and line breaks stay."""
    return _CONTROLS.sub("", _LINE_BREAKS.sub("\n", text))


def speakable_characters(raw: str) -> str:
    """The input without lone surrogates and control characters, which no parser or
    engine accepts and no reader sees, in Unicode's composed form (NFC): a page may
    spell "ü" as "u" and a combining mark, which reads the same but matches nothing."""
    return unicodedata.normalize("NFC", without_controls(_LONE_SURROGATE.sub("", raw)))


def article_without_controls(article: Article) -> Article:
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
