"""Ages: 'a 23-year-old', 'Tom Smith (52)', 'under-18s', 'the U21 side'."""

from __future__ import annotations

import re

from workers.pipeline.speech.context import _sub, _word_before
from workers.pipeline.speech.numbers import _plural, cardinal

_YEAR_OLD = re.compile(
    r"(?<![\w.,-])(?:(?P<a>\d{1,3})(?:-|\s+to\s+))?(?P<n>\d{1,3})[-\s](?P<unit>year|month|week|day)s?"
    r"-old(?P<s>s)?(?![\w])"
)
_AGE_IN_BRACKETS = re.compile(r"(?<=[a-z])\s+\((?P<n>\d{1,3})\)(?P<after>[,.;:]?)")
_UNDER_OVER = re.compile(r"(?<![\w-])(?P<w>[Uu]nder|[Oo]ver)-(?P<n>\d{1,3})s(?![\w])")
_TEAM = re.compile(r"(?<![\w-])U-?(?P<n>1\d|2[0-3])(?P<s>s)?(?![\w])")


def speak_ages(text: str) -> str:
    """'a 23-year-old' 'a twenty-three-year-old', '18-24-year-olds' 'eighteen to
    twenty-four-year-olds', 'John Smith (52) said' 'John Smith, fifty-two, said',
    'under-18s' 'under-eighteens', 'England's U21 side' 'under-twenty-one side'."""

    def year_old(match: re.Match[str]) -> str:
        spoken = f"{cardinal(int(match.group('n')))}-{match.group('unit')}-old"
        if match.group("a"):
            spoken = f"{cardinal(int(match.group('a')))} to {spoken}"
        return spoken + (match.group("s") or "")

    def in_brackets(match: re.Match[str]) -> str:
        name = _word_before(text, match.start() + 1) or ""
        if not name[:1].isupper():
            return match.group(0)  # "the scheme (12)" is a note, not an age
        return f", {cardinal(int(match.group('n')))}{match.group('after') or ','}"

    text = _sub(_YEAR_OLD, year_old, text)
    text = _AGE_IN_BRACKETS.sub(in_brackets, text)
    text = _sub(
        _UNDER_OVER, lambda m: f"{m.group('w')}-{_plural(cardinal(int(m.group('n'))))}", text
    )
    return _TEAM.sub(
        lambda m: f"under-{cardinal(int(m.group('n')))}" + ("s" if m.group("s") else ""), text
    )
