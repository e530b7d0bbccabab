"""The junk rules run over an article's lines: what stays, what goes and why.

Both kinds of input end here (`plain.clean_text`, `html.clean_html`). Every dropped line
is kept in `Article.removed` with the name of the rule that dropped it; the byline and
date that metadata rules capture become the article's.

The first rule of the table that applies to a line removes it, and the rules go over the
lines again until nothing more goes. The passes share what cannot change between them: a
pattern's answer hangs on the line's text alone and is found once per text (`_Judge`);
and while a pass has kept every line so far, a line whose neighbours and protection are
those of the pass before is kept again without asking the rules (`_apply_rules`).
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from dataclasses import dataclass, field

from workers.pipeline.article import Article, Removed
from workers.pipeline.clean.gallery import GALLERY_RULE, gallery_lines
from workers.pipeline.clean.metadata import captured, iso_date
from workers.pipeline.clean.prefilter import folded
from workers.pipeline.clean.rules import (
    FullMatch,
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
    judge = _Judge((*load_rules(), *extra_rules), link_only, footnotes)
    metadata = {"byline": byline, "published": iso_date(published) if published else None}
    done = _apply_rules(lines, judge, metadata)
    removed = [*slides, *done.removed]
    for _ in range(MAX_PASSES):
        again = _apply_rules(done.kept, judge, metadata, earlier=done)
        if again.kept == done.kept:
            break
        done, removed = again, [*removed, *again.removed]
    kept = done.kept
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
    if "t.co/" not in line and "twitter.com/" not in line:  # no link: spare the regex
        return line
    return _POST_LINK.sub("", line)


# What a line's decision reads that can differ from one pass to the next: the lines
# before and after it, and whether it is protected (which hangs on its place at an edge).
_Context = tuple[str | None, str | None, bool]


@dataclass
class _Pass:
    """One pass of the rules over the lines: the lines kept, each with the context it was
    decided in, and the lines removed."""

    kept: list[str] = field(default_factory=list)
    contexts: list[_Context] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)

    def keep(self, text: str, context: _Context) -> None:
        self.kept.append(text)
        self.contexts.append(context)


def _apply_rules(
    lines: list[str],
    judge: _Judge,
    metadata: dict[str, str | None],
    earlier: _Pass | None = None,
) -> _Pass:
    """One pass over the lines: the kept of the `earlier` pass, if there was one."""
    done = _Pass()
    list_rule: str | None = None
    for index, text in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else None
        previous = lines[index - 1] if index else None
        if (
            list_rule
            and not _LIST_ITEM_END.search(text)
            and judge.words(text) <= LIST_ITEM_MAX_WORDS
        ):
            done.removed.append(Removed(text, list_rule, len(done.kept)))
            continue
        list_rule = None
        at_edge = index < EDGE_LINES or index >= len(lines) - EDGE_LINES
        context = (previous, following, judge.protected(text, at_edge))
        # While this pass has kept every line so far, the lines kept before this one are
        # the earlier pass's too, and no list is being dropped. If its neighbours and its
        # protection are also as they were, the rules see what they saw then: kept again.
        if earlier is not None and len(done.kept) == index and earlier.contexts[index] == context:
            done.keep(text, context)
            continue
        line = Line(text, following, done.kept, judge.link_only, judge.footnotes, previous)
        rule = judge.first_rule(line, protected=context[2])
        if rule is None:
            done.keep(text, context)
            continue
        done.removed.append(Removed(text, rule.name, len(done.kept)))
        if rule.drops_list:
            list_rule = rule.name
        for key, value in captured(rule, text).items():
            metadata[key] = metadata.get(key) or value
    return done


class _Judge:
    """The first rule, in the table's order, that removes a line, if any.

    A rule made before_body applies only while at most the headline is kept; a protected
    line (long prose, see `protected`) is spared the rules with a pattern. A pattern
    rule's answer (`FullMatch`) depends on the line's text alone, so for each text the
    first pattern rule that matches is found once and serves every pass; the other rules,
    which read the line's neighbours and what is kept, are asked each time, those that
    come before it in order."""

    def __init__(
        self, rules: Sequence[Rule], link_only: frozenset[str], footnotes: frozenset[str]
    ) -> None:
        self.rules = tuple(rules)
        self.link_only = link_only
        self.footnotes = footnotes
        # The rules that apply, by (body begun, line protected): patterns, then the rest.
        self._patterns: dict[tuple[bool, bool], list[tuple[int, FullMatch]]] = {}
        self._tests: dict[tuple[bool, bool], list[tuple[int, Rule]]] = {}
        for state in ((False, False), (False, True), (True, False), (True, True)):
            applying = [(i, r) for i, r in enumerate(self.rules) if _applies(r, *state)]
            self._patterns[state] = [
                (i, r.matches) for i, r in applying if isinstance(r.matches, FullMatch)
            ]
            self._tests[state] = [
                (i, r) for i, r in applying if not isinstance(r.matches, FullMatch)
            ]
        self._first_pattern: dict[tuple[str, bool, bool], int | None] = {}
        self._words: dict[str, int] = {}
        self._long_prose: dict[str, bool] = {}

    def words(self, text: str) -> int:
        if text not in self._words:
            self._words[text] = len(text.split())
        return self._words[text]

    def protected(self, text: str, at_edge: bool) -> bool:
        """Long prose keeps its place against the patterns: anywhere but at the article's
        edges, and there too once it runs to EDGE_MAX_WORDS."""
        if text not in self._long_prose:
            self._long_prose[text] = is_long_prose(text)
        return self._long_prose[text] and (not at_edge or self.words(text) >= EDGE_MAX_WORDS)

    def first_rule(self, line: Line, *, protected: bool) -> Rule | None:
        state = (len(line.kept) > 1, protected)
        first = self._first_pattern_rule(line.text, state)
        for index, rule in self._tests[state]:
            if first is not None and index > first:
                break
            if rule.matches(line):
                return rule
        return None if first is None else self.rules[first]

    def _first_pattern_rule(self, text: str, state: tuple[bool, bool]) -> int | None:
        key = (text, *state)
        if key not in self._first_pattern:
            self._first_pattern[key] = _first_match(text, self._patterns[state])
        return self._first_pattern[key]


def _first_match(text: str, patterns: Sequence[tuple[int, FullMatch]]) -> int | None:
    if not patterns:
        return None
    folded_text = folded(text)
    return next((index for index, test in patterns if test.matches_text(text, folded_text)), None)


def _applies(rule: Rule, body: bool, protected: bool) -> bool:
    """Whether the rule is tried once the body has begun (more than the headline kept)
    or on a protected line."""
    return not (rule.before_body and body) and not (protected and rule.pattern is not None)
