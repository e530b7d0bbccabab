"""The junk rules run over an article's lines: what stays, what goes and why.

Both kinds of input end here (`plain.clean_text`, `html.clean_html`). Every dropped line
is kept in `Article.removed` with the name of the rule that dropped it; the byline and
date that metadata rules capture become the article's.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence

from workers.pipeline.article import Article, Removed
from workers.pipeline.clean.gallery import GALLERY_RULE, gallery_lines
from workers.pipeline.clean.metadata import captured, iso_date
from workers.pipeline.clean.rules import (
    Line,
    Rule,
    fallback_note,
    has_prose,
    is_long_prose,
    load_rules,
)
from workers.pipeline.errors import NoSpeakableText

EDGE_LINES = 3
EDGE_MAX_WORDS = 60  # no prompt or bio runs this long, even at the edges
LIST_ITEM_MAX_WORDS = 15
_LIST_ITEM_END = re.compile(r"[.!…:;。！：；][\"'”’»)\]]*$")  # a question can be a link's title
MAX_PASSES = 4
# An embedded post's picture or short link at the end of its text ("… pic.twitter.com/x1").
_POST_LINK = re.compile(r"\s+(?:https?://)?(?:pic\.twitter\.com|t\.co)/\w+$")


def clean_lines(
    raw_lines: Sequence[str],
    *,
    byline: str | None = None,
    published: str | None = None,
    link_only: frozenset[str] = frozenset(),
    footnotes: frozenset[str] = frozenset(),
    extra_rules: Sequence[Rule] = (),
) -> Article:
    """The junk rules over the lines, repeated until nothing more goes (a line can stand at
    the article's edge only once the junk around it has gone), so that cleaning the output
    again changes nothing. `extra_rules` are tried after the table's own."""
    lines = [_without_post_link(" ".join(line.split())) for line in raw_lines]
    lines = [line for line in lines if line]
    lines, slides = _without_gallery(lines)
    rules = (*load_rules(), *extra_rules)
    metadata = {"byline": byline, "published": iso_date(published) if published else None}
    kept, removed = _apply_rules(lines, rules, link_only, footnotes, metadata)
    removed = [*slides, *removed]
    for _ in range(MAX_PASSES):
        again, more = _apply_rules(kept, rules, link_only, footnotes, metadata)
        if again == kept:
            break
        kept, removed = again, [*removed, *more]
    if not kept:
        prose = [line for line in lines if has_prose(line)]
        if not prose:
            raise NoSpeakableText(
                "nothing left to read after cleaning: every line looked like page furniture "
                "(bylines, captions, links, prompts); send the article's own paragraphs"
            )
        # Sentences of prose are never all junk: read them rather than nothing.
        kept = prose
        removed = [r for r in removed if r.text not in prose]
        removed.insert(0, fallback_note("every line matched a rule", "the prose is read"))
    byline = metadata["byline"]
    if byline and byline.isupper():  # "MARTIN HALE" -> "Martin Hale"
        byline = string.capwords(byline.lower())
    return Article(
        title=kept[0],
        paragraphs=kept,
        byline=byline,
        published=metadata["published"],
        removed=removed,
    )


def _without_gallery(lines: list[str]) -> tuple[list[str], list[Removed]]:
    """The lines without a photo gallery's slides, and the slides as removed lines."""
    slides = gallery_lines(lines)
    if not slides:
        return lines, []
    kept: list[str] = []
    removed: list[Removed] = []
    for index, line in enumerate(lines):
        if index in slides:
            removed.append(Removed(line, GALLERY_RULE, len(kept)))
        else:
            kept.append(line)
    if not kept:  # nothing but slides: a gallery page, read as it is
        return lines, []
    return kept, removed


def _without_post_link(line: str) -> str:
    """A quoted social post without the short link it ends in, which says nothing aloud.
    A line that is only the link is left for the `embedded-post` rule to report."""
    return _POST_LINK.sub("", line)


def _apply_rules(
    lines: list[str],
    rules: Sequence[Rule],
    link_only: frozenset[str],
    footnotes: frozenset[str],
    metadata: dict[str, str | None],
) -> tuple[list[str], list[Removed]]:
    kept: list[str] = []
    removed: list[Removed] = []
    list_rule: str | None = None
    for index, text in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else None
        previous = lines[index - 1] if index else None
        line = Line(text, following, kept, link_only, footnotes, previous)
        if (
            list_rule
            and not _LIST_ITEM_END.search(text)
            and len(text.split()) <= LIST_ITEM_MAX_WORDS
        ):
            removed.append(Removed(text, list_rule, len(kept)))
            continue
        list_rule = None
        at_edge = index < EDGE_LINES or index >= len(lines) - EDGE_LINES
        protected = is_long_prose(text) and (not at_edge or len(text.split()) >= EDGE_MAX_WORDS)
        rule = next(
            (
                r
                for r in rules
                if not (r.before_body and len(kept) > 1)
                and not (protected and r.pattern is not None)
                and r.matches(line)
            ),
            None,
        )
        if rule is None:
            kept.append(text)
            continue
        removed.append(Removed(text, rule.name, len(kept)))
        if rule.drops_list:
            list_rule = rule.name
        for key, value in captured(rule, text).items():
            metadata[key] = metadata.get(key) or value
    return kept, removed
