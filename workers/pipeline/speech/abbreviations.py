"""Titles, street words and Latin abbreviations, from the abbreviations table."""

from __future__ import annotations

import re
from functools import cache

from workers.pipeline.speech.context import _sub
from workers.pipeline.speech.tables import _abbreviations_table, _alternation, _Sense, _word_set

_NAME_AFTER = re.compile(r"\s+[A-Z][A-Za-z'’-]*[a-z]")
_CAP_BEFORE = re.compile(r"[A-Z][A-Za-z'’.-]*\s+$")
_NEXT_WORD = re.compile(r"\s+([A-Za-z]+)")


@cache
def _abbreviation_pattern() -> re.Pattern[str]:
    forms = _alternation(_abbreviations_table())
    return re.compile(rf"(?<![\w.])(?P<w>{forms})(?P<dot>(?<!\.)\.)?(?![\w])")


def _sense_fits(sense: _Sense, before: str, after: str, dotted: bool) -> bool:
    if sense.where == "title":
        if not _NAME_AFTER.match(after):
            return False
        if dotted and _CAP_BEFORE.search(before):
            following = _NEXT_WORD.match(after)
            if following and following.group(1) in _word_set("sentence_starters"):
                return False  # "Baker St. The house ..." is a street, then a sentence
        return True
    if sense.where == "after":
        return bool(_CAP_BEFORE.search(before)) and not re.match(r"\s*\d", after)
    if sense.where == "number":
        return bool(re.match(r"\s*\d", after))
    if sense.where == "between":
        return bool(_CAP_BEFORE.search(before)) and bool(re.match(r"\s+[A-Z]", after))
    return sense.where == "any"


def expand_abbreviations(text: str) -> str:
    """Titles, street words, 'No. 10', 'vs', 'e.g.', 'etc.' from the abbreviations table."""
    table = _abbreviations_table()

    def say(match: re.Match[str]) -> str:
        written = match.group("w")
        dotted = bool(match.group("dot")) or written.endswith(".")
        before = text[max(0, match.start() - 60) : match.start()]
        after = text[match.end() : match.end() + 60]
        for sense in table[written]:
            if _sense_fits(sense, before, after, dotted):
                keep_stop = sense.ends and dotted and re.match(r"\s*$|\s+[A-Z\"']", after)
                return sense.spoken + ("." if keep_stop else "")
        return match.group(0)

    return _sub(_abbreviation_pattern(), say, text)


@cache
def abbreviation_forms() -> frozenset[str]:
    """The table's abbreviations, lower case, without their full stop."""
    return frozenset(form.rstrip(".").lower() for form in _abbreviations_table())
