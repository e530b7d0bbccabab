"""Changing which lines of a cleaned article are read: an editor's overrides, and lines
removed after cleaning (publisher boilerplate). Pure: an `Article` in, an `Article` out.

Each removed line remembers how many kept paragraphs came before it (`position`), so the
article can be laid out again in its original order, any line flipped between kept and
removed, and the positions counted afresh.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace

from workers.pipeline.article import Article, Continued, Removed
from workers.pipeline.errors import NarrateError

EDITOR_RULE = "editor"


class InvalidEdit(NarrateError):
    title = "Invalid edit"
    status = 400


@dataclass(frozen=True)
class _Entry:
    text: str
    rule: str | None  # None: read aloud
    index: int  # in the article's paragraphs (rule None) or removed lines (else)


def _in_order(article: Article) -> list[_Entry]:
    """Every line, kept or removed, in the order the article had them. A line removed
    before the headline is placed just after it: the headline stays the first line."""
    later = len(article.paragraphs)
    by_position: dict[int, list[_Entry]] = {}
    for number, removed in enumerate(article.removed):
        position = later if removed.position is None else max(1, removed.position)
        entry = _Entry(removed.text, removed.rule, number)
        by_position.setdefault(min(position, later), []).append(entry)
    entries: list[_Entry] = []
    for index in range(later + 1):
        entries.extend(by_position.get(index, []))
        if index < later:
            entries.append(_Entry(article.paragraphs[index], None, index))
    return entries


def _laid_out(article: Article, entries: list[_Entry]) -> Article:
    """The article read as `entries` say. A piece of a long paragraph (`Continued`) whose
    line before it is no longer read starts a paragraph of its own: it no longer goes on
    from what is read before it."""
    kept: list[str] = []
    removed: list[Removed] = []
    read_before = False
    for entry in entries:
        if entry.rule is None:
            text = entry.text
            kept.append(text if read_before or not isinstance(text, Continued) else str(text))
        else:
            removed.append(Removed(entry.text, entry.rule, len(kept)))
        read_before = entry.rule is None
    return replace(article, title=kept[0], paragraphs=kept, removed=removed)


def apply_edits(article: Article, keep: Collection[int], drop: Collection[int]) -> Article:
    """Read the removed lines at indexes `keep` too; skip the paragraphs at indexes
    `drop` (recorded as removed by the rule 'editor'). Indexes are into the article's
    `removed` and `paragraphs` lists as they are now."""
    removed, paragraphs = len(article.removed), len(article.paragraphs)
    bad_keep = sorted(i for i in keep if not 0 <= i < removed)
    if bad_keep:
        raise InvalidEdit(
            f"keep {bad_keep}: this revision has {removed} removed lines, indexes 0 to "
            f"{removed - 1}"
            if removed
            else f"keep {bad_keep}: this revision removed no lines"
        )
    bad_drop = sorted(i for i in drop if not 1 <= i < paragraphs)
    if bad_drop:
        raise InvalidEdit(
            f"drop {bad_drop}: paragraphs 1 to {paragraphs - 1} can be skipped (0 is the "
            "headline; send a new text with PUT to change it)"
            if paragraphs > 1
            else f"drop {bad_drop}: the article has only its headline, which cannot be skipped"
        )
    entries = []
    for entry in _in_order(article):
        if entry.rule is not None and entry.index in keep:
            entry = replace(entry, rule=None)
        elif entry.rule is None and entry.index in drop:
            entry = replace(entry, rule=EDITOR_RULE)
        entries.append(entry)
    return _laid_out(article, entries)


def remove_lines(article: Article, rule: str, removable: Callable[[int, str], bool]) -> Article:
    """Remove the paragraphs (never the headline) for which `removable(index, text)` holds,
    recorded under `rule`. If that would leave only the headline, nothing is removed."""
    flagged = {i for i, text in enumerate(article.paragraphs) if i > 0 and removable(i, text)}
    if not flagged or len(flagged) >= len(article.paragraphs) - 1:
        return article
    entries = [
        replace(entry, rule=rule) if entry.rule is None and entry.index in flagged else entry
        for entry in _in_order(article)
    ]
    return _laid_out(article, entries)
