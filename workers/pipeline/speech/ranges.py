"""Ranges of plain numbers, and ranges with a unit on both ends."""

from __future__ import annotations

import re
from functools import cache

from workers.pipeline.speech.context import _sub, _word_before
from workers.pipeline.speech.money import speak_money
from workers.pipeline.speech.tables import NUM, _alternation, _units

_RANGE = re.compile(rf"(?<![\w.,/-])(?P<a>{NUM})(?:-|\s-\s)(?P<b>{NUM})(?![\d-]|\.\d)")
_PRICES = re.compile(
    r"(?<![\w.])(?P<a>(?P<c>[$£€])\d[\d,]*(?:\.\d\d)?)\s?-\s?(?P<b>(?P=c)\d[\d,]*(?:\.\d\d)?)"
    r"(?![\w]|\.\d)"
)  # "$150.25-$250.67"
_DECADES = re.compile(r"(?<![\w'])(?P<a>'?\d{1,3}0s)\s?-\s?(?P<b>'?\d{1,3}0s)(?![\w])")


@cache
def _unit_span() -> re.Pattern[str]:
    units = _alternation(_units())
    return re.compile(
        rf"(?<![\w./])(?P<a>{NUM})(?P<gap>\s?)(?P<u>{units})\s?-\s?(?P<b>{NUM})(?P=gap)(?P=u)"
        r"(?![\w/²])"
    )


def _amount(written: str) -> str:
    spoken = speak_money(written)  # the money step's own rule, on the amount alone
    return spoken[:1].lower() + spoken[1:]


def _prices(match: re.Match[str]) -> str:
    if "." not in match["a"] + match["b"]:
        return match.group(0)  # "$5-$10": the money step says "five to ten dollars"
    return f"{_amount(match['a'])} to {_amount(match['b'])}"


def speak_spans(text: str) -> str:
    """A unit written on both ends is said once: '20°C-25°C' as '20-25°C', '5km-10km' as
    '5-10km'; '1960s-80s' '1960s to 80s' (money and percentages already say theirs once)."""
    text = _unit_span().sub(lambda m: f"{m['a']}-{m['b']}{m['gap']}{m['u']}", text)
    text = _sub(_PRICES, _prices, text)
    return _DECADES.sub(lambda m: f"{m['a']} to {m['b']}", text)


def speak_ranges(text: str) -> str:
    """'5-10' to '5 to 10', 'between 3,000-4,000' to 'between 3,000 and 4,000' (the
    numbers themselves are spoken later)."""

    def say(match: re.Match[str]) -> str:
        between = (_word_before(text, match.start()) or "").lower() == "between"
        return f"{match.group('a')} {'and' if between else 'to'} {match.group('b')}"

    return _RANGE.sub(say, text)
