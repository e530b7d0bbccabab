"""Article text in (pasted plain text or an HTML page), a structured `Article` out.

`clean` is the cleaner's one entry: HTML goes to `html.clean_html` (trafilatura's
main-content extraction first), plain text to `plain.clean_text`; both then meet the same
table of junk rules (`rules`, data/junk_rules.toml) in `lines.clean_lines`. Every dropped
line is kept in `Article.removed` with the name of the rule that dropped it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from workers.pipeline.article import Article
from workers.pipeline.clean.controls import speakable_characters
from workers.pipeline.clean.html import HTML_SNIFF, clean_html, extractor_text
from workers.pipeline.clean.plain import clean_text
from workers.pipeline.clean.rules import Rule, fallback_note
from workers.pipeline.errors import NarrateError, NoSpeakableText

Format = Literal["text", "html"]


def detect_format(raw: str, filename: str | None = None) -> Format:
    """The file's suffix says, else the text: two or more HTML tags in its start make HTML."""
    suffix = Path(filename).suffix.lower() if filename else ""
    if suffix in {".html", ".htm", ".xhtml"}:
        return "html"
    if suffix in {".txt", ".text", ".md"}:
        return "text"
    return "html" if len(HTML_SNIFF.findall(raw[:20000])) >= 2 else "text"


def clean(
    raw: str,
    *,
    filename: str | None = None,
    format: Format | None = None,
    extra_rules: Sequence[Rule] = (),
) -> Article:
    """Clean an article given as plain text or HTML (detected unless `format` says).
    `extra_rules` (a publisher's own boilerplate, say) are tried after the table's rules.

    Never raises anything but `NoSpeakableText` (or another `NarrateError`): a step that
    fails on an input nobody foresaw falls back to the extractor's own text, and the
    removed-lines report says so with the rule `fallback`."""
    raw = speakable_characters(raw)
    kind = format or detect_format(raw, filename)
    try:
        if kind == "html":
            return clean_html(raw, extra_rules=extra_rules)
        return clean_text(raw, extra_rules=extra_rules)
    except NarrateError:
        raise
    except Exception as exc:  # a bug must cost the listener polish, not the article
        return _fallback_article(raw, kind, f"cleaning failed ({type(exc).__name__})")


def _fallback_article(raw: str, kind: Format, why: str) -> Article:
    """The extractor's own text (or the text as given), untouched by the junk rules."""
    text, source = raw, "the text is read as given"
    if kind == "html":
        text, source = extractor_text(raw)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise NoSpeakableText(
            "no article text found: send the page's full HTML, or the article as plain text"
        )
    return Article(lines[0], lines, removed=[fallback_note(why, source)])
