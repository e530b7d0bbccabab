"""Ranges of plain numbers."""

from __future__ import annotations

import re

from workers.pipeline.speech.context import _word_before
from workers.pipeline.speech.tables import NUM

_RANGE = re.compile(rf"(?<![\w.,/-])(?P<a>{NUM})(?:-|\s-\s)(?P<b>{NUM})(?![\d-]|\.\d)")


def speak_ranges(text: str) -> str:
    """'5-10' to '5 to 10', 'between 3,000-4,000' to 'between 3,000 and 4,000' (the
    numbers themselves are spoken later)."""

    def say(match: re.Match[str]) -> str:
        between = (_word_before(text, match.start()) or "").lower() == "between"
        return f"{match.group('a')} {'and' if between else 'to'} {match.group('b')}"

    return _RANGE.sub(say, text)
