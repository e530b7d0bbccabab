"""Publisher boilerplate: lines that many articles of one publisher share verbatim (a
newsletter prompt, an author bio, a standing disclaimer). Pure: fingerprints of lines and
their removal; counting them across articles is the catalog's job (catalog/boilerplate.py).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from workers.pipeline.article import Article
from workers.pipeline.clean.revise import remove_lines

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


def strip_boilerplate(
    article: Article, boilerplate: set[str], publisher: str | None = None
) -> Article:
    """The article without its paragraphs whose fingerprint is in `boilerplate` and that
    look like boilerplate where they stand (see `is_boilerplate_like`): a sentence of real
    text that the publisher's articles repeat ("the town has 12,000 residents") stays."""
    if not boilerplate:
        return article
    names = publication_names(publisher)
    last = len(article.paragraphs) - FOOT_LINES

    def learned(index: int, text: str) -> bool:
        return fingerprint(text) in boilerplate and (
            index >= last or is_boilerplate_like(text, names)
        )

    return remove_lines(article, RULE, learned)


FOOT_LINES = 2  # an article's last paragraphs: where bios and disclaimers stand
# Words that speak to the reader or for the publisher, a page's reference to itself, an
# address to write to: what a standing notice has and a sentence of reporting lacks.
_ADDRESS = re.compile(
    r"\b(?:you|your|yours|we|our|(?-i:us)|wir|unser\w*|dein\w*|euch|vous|votre|vos|nous|notre)\b"
    r"|\bthis (?:article|story|report|page|post|newsletter|site|website|email)\b"
    r"|@|https?://|\bwww\.",
    re.IGNORECASE,
)
_NAME_WORD = re.compile(r"\w{3,}")
_NOT_NAMES = frozenset({"www", "com", "org", "net", "info", "news", "co", "uk"})


def publication_names(publisher: str | None) -> frozenset[str]:
    """The words of the publisher's host or collection ('host:harbour-gazette.example'
    -> harbour, gazette, example), by which a line names the publication."""
    if not publisher:
        return frozenset()
    name = publisher.split(":", 1)[-1].casefold()
    return frozenset(w for w in re.split(r"[^\w]+|_", name) if len(w) >= 3) - _NOT_NAMES


def is_boilerplate_like(line: str, names: frozenset[str] = frozenset()) -> bool:
    """A line that speaks to the reader ("your inbox"), for the publisher ("our
    journalism"), of the page itself ("this article"), gives an address to write to, or
    names the publication ("the Gazette", in any word of its host): a notice, a prompt or
    a bio, not reporting."""
    if _ADDRESS.search(line):
        return True
    words = {word.casefold() for word in _NAME_WORD.findall(line)}
    # "Guardian" names theguardian.com; a short word must be the whole name ("BBC")
    return any(
        word == name or (len(word) >= 5 and word in name) for word in words for name in names
    )
