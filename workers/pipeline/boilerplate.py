"""Publisher boilerplate: lines that many articles of one publisher share verbatim (a
newsletter prompt, an author bio, a standing disclaimer). Pure: fingerprints of lines and
their removal; counting them across articles is the catalog's job (catalog/boilerplate.py).
"""

from __future__ import annotations

import hashlib
import unicodedata

from workers.pipeline.article import Article
from workers.pipeline.revise import remove_lines

RULE = "publisher-boilerplate"
_EDGE = "\"'“”‘’«»()[]{}*•·-–—_.,;:!? "


def normalise(line: str) -> str:
    """The form two copies of one line share: case, spacing, the Unicode form and the
    punctuation around it do not count."""
    text = unicodedata.normalize("NFKC", line).casefold()
    return " ".join(text.split()).strip(_EDGE)


def fingerprint(line: str) -> str:
    return hashlib.sha256(normalise(line).encode()).hexdigest()


def fingerprints(article: Article) -> set[str]:
    """The fingerprints of the lines that count for learning: every paragraph but the
    headline, which is each article's own."""
    return {fingerprint(text) for text in article.paragraphs[1:] if normalise(text)}


def strip_boilerplate(article: Article, boilerplate: set[str]) -> Article:
    """The article without its paragraphs whose fingerprint is in `boilerplate`."""
    if not boilerplate:
        return article
    return remove_lines(article, RULE, lambda _, text: fingerprint(text) in boilerplate)
