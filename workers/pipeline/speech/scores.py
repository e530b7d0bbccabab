"""Scores, ratios, ratings and fractions."""

from __future__ import annotations

import re

from workers.pipeline.speech.context import (
    _counted,
    _sub,
    _word_after,
    _word_before,
)
from workers.pipeline.speech.numbers import (
    cardinal,
    ordinal,
)
from workers.pipeline.speech.tables import (
    _alternation,
    _months,
    _word_set,
    _words,
)

_SCORE = re.compile(r"(?<![\w.,/-])(?P<a>\d{1,2})-(?P<b>\d{1,2})(?![\w-]|[.,]\d|\s?%)")


def _score_word(n: int) -> str:
    return "nil" if n == 0 else cardinal(n)


def speak_scores(text: str) -> str:
    """'won 2-1' 'won two-one', 'a 3-0 defeat' 'a three-nil defeat', '1-1' 'one-all'.

    A hyphenated pair is a score after a result word, before one, between two names
    ('Arsenal 2-1 Spurs'), or when it does not go up (ranges go up: 5-10)."""
    before_words = _word_set("score_before")
    after_words = _word_set("score_after")

    def say(match: re.Match[str]) -> str:
        a, b = int(match.group("a")), int(match.group("b"))
        before = _word_before(text, match.start())
        after = _word_after(text, match.end())
        by_context = (before or "").lower() in before_words or (after or "") in after_words
        by_names = (
            bool(before and before[0].isupper() and after and after[0].isupper())
            and before.lower() not in _months()
        )
        descending = a >= b and a <= 20 and not _counted(after)
        if not (by_context or by_names or descending):
            return match.group(0)
        if a == b:
            return f"{_score_word(a)}-all" if a else "nil-nil"
        return f"{_score_word(a)}-{_score_word(b)}"

    return _sub(_SCORE, say, text)


_DIGIT_FRACTION = re.compile(
    r"(?<![\w/.])(?:(?P<w>\d+)\s)?(?P<n>\d{1,3})/(?P<d>\d{1,3})(?![\w/]|\.\d)"
)
_FRACTION_NAMES = {2: ("half", "halves"), 4: ("quarter", "quarters")}


def _fraction(numerator: int, denominator: int) -> str:
    one, many = _FRACTION_NAMES.get(denominator) or (
        ordinal(denominator),
        ordinal(denominator) + "s",
    )
    if numerator == 1:
        return f"{'an' if one[0] in 'aeio' else 'a'} {one}"
    return f"{cardinal(numerator)} {many}"


def speak_fractions(text: str) -> str:
    """½ 'a half', 2½ or 2 1/2 'two and a half', 3/4 'three quarters', 8/10 'eight out of ten'."""
    words = _words()
    phrases = {k: v for k, v in words["slash_phrases"].items() if not k.startswith("_")}
    vulgar = {k: v for k, v in words["fractions"].items() if not k.startswith("_")}
    text = re.sub(
        rf"(?<![\w/])({_alternation(phrases)})(?![\w/])", lambda m: phrases[m.group(1)], text
    )
    text = re.sub(
        rf"(?<![\w./])(?:(\d+)\s?)?([{''.join(vulgar)}])",
        lambda m: (f"{cardinal(int(m.group(1)))} and " if m.group(1) else "") + vulgar[m.group(2)],
        text,
    )

    def say(match: re.Match[str]) -> str:
        numerator, denominator = int(match.group("n")), int(match.group("d"))
        whole = match.group("w")
        if denominator in (10, 100) and not whole and numerator <= denominator:
            return f"{cardinal(numerator)} out of {cardinal(denominator)}"
        if not (2 <= denominator <= 10 and 1 <= numerator < denominator):
            return match.group(0)
        spoken = _fraction(numerator, denominator)
        return f"{cardinal(int(whole))} and {spoken}" if whole else spoken

    return _sub(_DIGIT_FRACTION, say, text)
