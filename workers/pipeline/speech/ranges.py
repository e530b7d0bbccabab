"""Ranges of plain numbers."""

from __future__ import annotations

import re

from workers.pipeline.speech.tables import (
    NUM,
)

_RANGE = re.compile(rf"(?<![\w.,/-])(?P<a>{NUM})(?:-|\s-\s)(?P<b>{NUM})(?![\d-]|\.\d)")


def speak_ranges(text: str) -> str:
    """'5-10' to '5 to 10' (the numbers themselves are spoken later)."""
    return _RANGE.sub(r"\g<a> to \g<b>", text)
