"""Clock times, 12- and 24-hour."""

from __future__ import annotations

import re

from workers.pipeline.speech.context import _sentence_ends_at, _sub
from workers.pipeline.speech.numbers import cardinal

_AM_PM = re.compile(
    r"(?<![\w:.,/])(?:(?P<h0>1[0-2]|0?[1-9])(?:[:.](?P<m0>[0-5]\d))?(?:-|\s-\s|\s+to\s+))?"
    r"(?P<h>1[0-2]|0?[1-9])(?:[:.](?P<m>[0-5]\d))?\s?(?P<ap>[aApP])(?:\.[mM]\.?|[mM])(?![\w])"
)
_CLOCK_24 = re.compile(
    r"(?<![\w:.,/])(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)(?![\d:])(?:\s?(?:hrs|h)(?![\w]))?"
)
_CLOCK_ZONE = re.compile(  # wire copy: "by 1042 GMT"
    r"(?<![\w:.,/£$€-])(?P<h>[01]\d|2[0-3])(?P<m>[0-5]\d)(?=\s?(?:GMT|BST|UTC)\b)"
)
_TIME_RANGE = re.compile(r"(?<=\b[AP]M)(?:-|\s-\s)(?=\w)")


def _clock(hour: int, minute: int) -> str:
    if minute == 0:
        return cardinal(hour)
    if minute < 10:
        return f"{cardinal(hour)} oh {cardinal(minute)}"
    return f"{cardinal(hour)} {cardinal(minute)}"


def speak_times(text: str) -> str:
    """9am 'nine AM', 9.30pm 'nine thirty PM', 09:39 'nine thirty-nine', 14:00 'two PM',
    10:05 'ten oh five', 1042 GMT 'ten forty-two GMT'. AM/PM, not 'a.m.': espeak-ng ends
    the sentence after 'a.m.' when a capital follows ('9am BST'), and says 'a m' as
    'uh em'."""

    def am_pm(match: re.Match[str]) -> str:
        spoken = _clock(int(match.group("h")), int(match.group("m") or 0))
        if match.group("h0"):
            start = _clock(int(match.group("h0")), int(match.group("m0") or 0))
            spoken = f"{start} to {spoken}"
        ends = match.group(0).endswith(".") and _sentence_ends_at(text, match.end())
        return f"{spoken} {match.group('ap').upper()}M" + ("." if ends else "")

    def clock_24(match: re.Match[str]) -> str:
        hour, minute = int(match.group("h")), int(match.group("m"))
        if (hour, minute) == (0, 0):
            return "midnight"
        if (hour, minute) == (12, 0):
            return "midday"
        if hour == 0:
            return f"{_clock(12, minute)} AM"
        if hour < 12:
            return f"{cardinal(hour)} o'clock" if minute == 0 else _clock(hour, minute)
        return f"{_clock(hour - 12 if hour > 12 else 12, minute)} PM"

    text = _sub(_AM_PM, am_pm, text)
    text = _sub(_CLOCK_24, clock_24, text)
    text = _sub(_CLOCK_ZONE, clock_24, text)
    return _TIME_RANGE.sub(" to ", text)
