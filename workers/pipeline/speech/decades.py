"""Decades and years."""

from __future__ import annotations

import re

from workers.pipeline.speech.context import (
    _counted,
    _next_character,
    _sub,
    _word_after,
    _word_before,
)
from workers.pipeline.speech.numbers import _plural, cardinal, year_words
from workers.pipeline.speech.style import american
from workers.pipeline.speech.tables import _months, _word_set

_DECADE = re.compile(
    r"(?<![\w'])(?:(?P<full>(?:1[0-9]|20)\d0)|'(?P<short>\d)0|(?P<bare>[2-9])0)'?s(?![\w])"
)
_SHORT_DECADES = {0: "noughties", 1: "tens"}
_MANY = re.compile(r"(?<![\w,.])(100|1,000|1000)s(?= of\b)")


def speak_decades(text: str) -> str:
    """1990s 'nineteen nineties', '90s 'nineties', 2000s 'two thousands', 40s 'forties';
    '00s 'noughties' (en-US 'two thousands'); '1,000s of' 'thousands of'."""

    def say(match: re.Match[str]) -> str:
        if match.group("full"):
            head, _, last = year_words(int(match.group("full"))).rpartition(" ")
            return f"{head} {_plural(last)}".strip()
        tens = int(match.group("short") or match.group("bare"))
        if tens == 0 and american():
            return "two thousands"
        return _SHORT_DECADES.get(tens) or _plural(cardinal(tens * 10))

    text = _sub(_DECADE, say, text)
    return _sub(_MANY, lambda m: "hundreds" if m.group(1) == "100" else "thousands", text)


_YEAR = re.compile(
    r"(?<![\w.,£$€'/])(?<!\d-)(?P<y>1\d\d\d|20\d\d)"
    r"(?:\s?[-/]\s?(?P<y2>\d{4}|\d{2}))?(?![\w]|[.,:]\d|-\d)"
)
_YEAR_PAIR_BEFORE = re.compile(
    r"\b(?:from|between|in|since|of)\s+(?:1[1-9]\d\d|20\d\d)\s+(?:to|and|or|until|till)\s+$",
    re.IGNORECASE,
)


def _looks_like_year(text: str, match: re.Match[str]) -> bool:
    """Year context: after in/since/by/of/until/a month, or standing alone; not counting."""
    after = _word_after(text, match.end())
    if _counted(after):
        return False
    before = _word_before(text, match.start())
    lower = (before or "").lower()
    if lower in _word_set("year_before") or lower in _months():
        return True
    if _YEAR_PAIR_BEFORE.search(text[max(0, match.start() - 40) : match.start()]):
        return True
    if lower in _word_set("quantity_before"):
        return False
    following = _next_character(text, match.end())
    if not following.isalnum():
        return True  # standing alone: "(1990)", "in 1990.", "2023: a review"
    return bool(after and (after[0].isupper() or after.lower() in _word_set("year_after")))


def speak_years(text: str) -> str:
    """Four-digit years 1100-2099 in year context; '2010-2015' 'twenty ten to twenty fifteen',
    '2022/23' 'twenty twenty-two to twenty-three'."""

    def say(match: re.Match[str]) -> str:
        year = int(match.group("y"))
        second = match.group("y2")
        if second:
            end = int(second) if len(second) == 4 else year // 100 * 100 + int(second)
            if not (year < end <= 2099) or _counted(_word_after(text, match.end())):
                return match.group(0)
            short = len(second) == 2 and end % 100 >= 10  # "1939-45": "... to forty-five"
            return f"{year_words(year)} to {cardinal(end % 100) if short else year_words(end)}"
        before = (_word_before(text, match.start()) or "").lower()
        if year < 1100 and before not in _word_set("early_year_before"):
            return match.group(0)  # 1000-1099 only where nothing but a year fits: "in 1066"
        return year_words(year) if _looks_like_year(text, match) else match.group(0)

    return _sub(_YEAR, say, text)
