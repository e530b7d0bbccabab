"""Plain-text input: a pasted article, or a whole page's copied text, cleaned."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from workers.pipeline.article import Article, Removed
from workers.pipeline.clean.lines import clean_lines
from workers.pipeline.clean.page_span import article_end, article_span
from workers.pipeline.clean.rules import OUTSIDE_RULE, SENTENCE_END, Rule, is_closing


def clean_text(text: str, *, extra_rules: Sequence[Rule] = ()) -> Article:
    """Pasted text, or a whole page's copied text: what lies outside the article's run of
    prose (menus above it, footers below) goes first, reported as `page-outside`."""
    lines = [line for line in _unwrap(text.splitlines()) if line]
    start, end = article_span(lines)
    end = start + article_end(lines[start:end], is_closing)
    article = clean_lines(lines[start:end], extra_rules=extra_rules)
    before = [Removed(line, OUTSIDE_RULE) for line in lines[:start]]
    after = [Removed(line, OUTSIDE_RULE) for line in lines[end:]]
    if not before and not after:
        return article
    return replace(article, removed=[*before, *article.removed, *after])


def _unwrap(raw_lines: list[str]) -> list[str]:
    """Join lines hard-wrapped inside a paragraph; keep every other line break."""
    lines: list[str] = []
    joinable = False
    for raw in raw_lines:
        line = " ".join(raw.split())
        if lines and joinable and line and (line[0].islower() or line[0].isdigit()):
            lines[-1] = f"{lines[-1]} {line}"
        else:
            lines.append(line)
        joinable = bool(line) and not SENTENCE_END.search(lines[-1])
    return lines
