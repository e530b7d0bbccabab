"""Durations and race times: '2:01:09' 'two hours, one minute and nine seconds' (or, as
a race time before a noun, 'a 2:01:09 finish' 'a two oh one oh nine finish'), '3:43.13'
'three forty-three point one three', '1:59.4' 'one fifty-nine point four'."""

from __future__ import annotations

import re

from workers.pipeline.speech.context import _attributive, _sub
from workers.pipeline.speech.numbers import cardinal, digits

_HOURS = re.compile(
    r"(?<![\w:.,])(?P<h>\d{1,2}):(?P<m>[0-5]\d):(?P<s>[0-5]\d)(?:\.(?P<f>\d{1,3}))?"
    r"(?![\d:]|[.,]\d)"
)
_MINUTES = re.compile(r"(?<![\w:.,])(?P<m>\d{1,2}):(?P<s>[0-5]\d)\.(?P<f>\d{1,3})(?![\d:]|[.,]\d)")


_CLOCK_BEFORE = re.compile(r"\b(?:at|by|until|till|since)\s+$", re.IGNORECASE)
_CLOCK_AFTER = re.compile(r"\s?(?:[ap]\.?m\b\.?|GMT\b|UTC\b|BST\b|[ECMP][SD]?T\b|local\b)", re.I)


def _clock(text: str, match: re.Match[str]) -> bool:
    """'10:30:15 a.m.', '14:32:10 GMT', 'at 14:32:10', 'at 10:00:00': a time of day with
    seconds, not a duration ('the record stands at 2:00:35')."""
    if _CLOCK_AFTER.match(text, match.end()):
        return True
    hour = match.group("h")
    clock_like = int(hour) >= 13 or hour.startswith("0") or match.group("s") == "00"
    return clock_like and bool(_CLOCK_BEFORE.search(text, max(0, match.start() - 8), match.start()))


def _count(n: int, unit: str) -> str:
    return f"{cardinal(n)} {unit}{'' if n == 1 else 's'}"


def _pair(n: int) -> str:
    """Minutes or seconds in a race time: 9 'oh nine', 43 'forty-three'."""
    return f"oh {cardinal(n)}" if n < 10 else cardinal(n)


def _fraction(written: str | None) -> str:
    return f" point {digits(written)}" if written else ""


def _hours(text: str, match: re.Match[str]) -> str:
    hours, minutes, seconds = (int(match.group(k)) for k in ("h", "m", "s"))
    fraction = match.group("f")
    if _clock(text, match):  # the clock for the times step; its seconds said after it
        clock = f"{match.group('h')}:{match.group('m')}"
        return clock + (f" and {_count(seconds, 'second')}" if seconds else "")
    if (seconds or fraction) and _attributive(text, match):
        spoken = f"{cardinal(hours)} " if hours else ""
        return f"{spoken}{_pair(minutes)} {_pair(seconds)}{_fraction(fraction)}"
    if _attributive(text, match):  # "a 10:00:00 limit" "a ten-hour limit"
        units = ((hours, "hour"), (minutes, "minute"), (seconds, "second"))
        return ", ".join(f"{cardinal(n)}-{unit}" for n, unit in units if n) or match.group(0)
    parts = []
    if hours:
        parts.append(_count(hours, "hour"))
    if minutes:
        parts.append(_count(minutes, "minute"))
    if seconds or fraction:
        unit = "second" if seconds == 1 and not fraction else "seconds"
        parts.append(f"{cardinal(seconds)}{_fraction(fraction)} {unit}")
    if not parts:
        return match.group(0)
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _minutes(match: re.Match[str]) -> str:
    minutes, seconds = int(match.group("m")), int(match.group("s"))
    head = f"{cardinal(minutes)} {_pair(seconds)}" if minutes else cardinal(seconds)
    return head + _fraction(match.group("f"))


def speak_durations(text: str) -> str:
    """Hours, minutes and seconds ('10:00:00' 'ten hours'); minutes, seconds and
    hundredths as a commentator reads a race time."""
    text = _sub(_HOURS, lambda m: _hours(text, m), text)
    return _sub(_MINUTES, _minutes, text)
