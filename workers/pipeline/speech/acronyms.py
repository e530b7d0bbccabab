"""Acronyms: spelled, said as words, or letter-and-number codes."""

from __future__ import annotations

import re
from functools import cache

from workers.pipeline.speech.tables import (
    _acronyms,
    _alternation,
)


@cache
def _acronym_pattern() -> re.Pattern[str]:
    return re.compile(rf"(?<![\w])({_alternation(_acronyms())})(?![A-Za-z])")


def fix_acronyms(text: str) -> str:
    """The few acronyms espeak-ng mis-reads, from the acronyms table."""
    table = _acronyms()

    def say(match: re.Match[str]) -> str:
        spoken = table[match.group(1)]
        following = text[match.end() : match.end() + 1]
        return spoken + (" " if following.isdigit() and not spoken[-1].isdigit() else "")

    return _acronym_pattern().sub(say, text)
