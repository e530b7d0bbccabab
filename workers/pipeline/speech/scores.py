"""Scores, ratios, ratings and fractions."""

from __future__ import annotations

import re

from workers.pipeline.speech.context import _counted, _sub, _word_after, _word_before
from workers.pipeline.speech.numbers import cardinal, ordinal
from workers.pipeline.speech.style import american
from workers.pipeline.speech.tables import _alternation, _months, _word_set, _words

_SCORE = re.compile(r"(?<![\w.,/-])(?P<a>\d{1,2})-(?P<b>\d{1,2})(?![\w-]|[.,]\d|\s?%)")


def _score_word(n: int) -> str:
    if n == 0:
        return "nothing" if american() else "nil"
    return cardinal(n)


def _score(a: int, b: int) -> str:
    """0 is 'nil' in British copy, 'nothing' in American ('a three-nothing win')."""
    if a == b:
        return f"{_score_word(a)}-all" if a else f"{_score_word(0)}-{_score_word(0)}"
    return f"{_score_word(a)}-{_score_word(b)}"


_VOTE_OF = re.compile(r"\b(?:vote|margin|tally|count|split)\s+of\s+$", re.IGNORECASE)
_TEAM_RECORD = re.compile(r"[A-Z][\w.'’]*s\s\($")  # "The Yankees (45-30)"
_RECORD_BEFORE = re.compile(r"\b(?P<w>[A-Za-z]+)(?:\s+to)?\s+(?:an?\s+|the\s+)?$")


def _tally(text: str, match: re.Match[str]) -> str | None:
    """A vote or court split ('a 5-4 decision', 'voted 6-3') 'five to four' in either
    style; a team's record ('improved to 10-2', 'a 10-2 record', 'the Yankees (45-30)')
    'ten and two' in American copy. None when the pair is neither."""
    a, b = int(match.group("a")), int(match.group("b"))
    before = (_word_before(text, match.start()) or "").lower()
    after = _word_after(text, match.end()) or ""
    vote_of = _VOTE_OF.search(text, max(0, match.start() - 16), match.start())
    if before in _word_set("vote_before") or after.lower() in _word_set("vote_after") or vote_of:
        return f"{cardinal(a)} to {cardinal(b)}"
    if not american() or not re.match(r"[\s,.;:!?)]|$", text[match.end() : match.end() + 1]):
        return None  # "20-25°C" is no record
    if before in _word_set("score_before") or after.lower() in _word_set("score_after"):
        return None  # "a 1-0 win", "won 3-1": a score
    leading = _RECORD_BEFORE.search(text, max(0, match.start() - 24), match.start())
    in_brackets = text[match.end() : match.end() + 1] == ")" and _TEAM_RECORD.search(
        text, max(0, match.start() - 30), match.start()
    )
    if (
        in_brackets
        or after.lower() in _word_set("record_after")
        or (
            leading
            and leading.group("w").lower() in _word_set("record_before")
            and after.lower() not in _word_set("record_not_after")
        )
    ):
        return f"{cardinal(a)} and {cardinal(b)}"
    return None


def speak_scores(text: str) -> str:
    """'won 2-1' 'won two-one', 'a 3-0 defeat' 'a three-nil defeat', '1-1' 'one-all'.

    A hyphenated pair is a score after a result word, before one, between two names
    ('Arsenal 2-1 Spurs'), or when it does not go up (ranges go up: 5-10)."""
    before_words = _word_set("score_before")
    after_words = _word_set("score_after")

    def say(match: re.Match[str]) -> str:
        a, b = int(match.group("a")), int(match.group("b"))
        tally = _tally(text, match)
        if tally:
            return tally
        before = _word_before(text, match.start())
        after = _word_after(text, match.end())
        by_context = (before or "").lower() in before_words or (after or "") in after_words
        by_names = (
            bool(before and before[0].isupper() and after and after[0].isupper())
            and (before or "").lower() not in _months()
        )
        descending = a >= b and a <= 20 and not _counted(after)
        if not (by_context or by_names or descending):
            return match.group(0)
        return _score(a, b)

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
    return f"{cardinal(numerator)} {one if numerator == 1 else many}"


def _rating(text: str, match: re.Match[str], denominator: int) -> bool:
    """'8/10', '4/5 from critics', '18/20': a mark out of something. Fifths and
    twentieths are fractions when 'of' follows ('3/5 of members')."""
    if denominator in (10, 100):
        return True
    return denominator in (5, 20) and (_word_after(text, match.end()) or "").lower() != "of"


def speak_fractions(text: str) -> str:
    """½ 'a half', 2½ 'two and a half', 1/3 'one third', 3/4 'three quarters',
    8/10 or '4/5 from critics' 'eight out of ten', 'four out of five'."""
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
        if not whole and numerator <= denominator and _rating(text, match, denominator):
            return f"{cardinal(numerator)} out of {cardinal(denominator)}"
        if not (2 <= denominator <= 10 and 1 <= numerator < denominator):
            return match.group(0)
        if whole:
            spoken = _fraction(numerator, denominator).replace("one ", "a ", 1)
            return f"{cardinal(int(whole))} and {spoken.replace('a e', 'an e')}"
        return _fraction(numerator, denominator)

    return _sub(_DIGIT_FRACTION, say, text)


_RATIO = re.compile(r"(?<![\w:.,/])(?P<a>\d{1,3}):(?P<b>\d{1,3})(?![\d:]|[.,]\d)")


def speak_ratios(text: str) -> str:
    """'a 2:1 margin' 'a two to one margin', 'odds of 10:3'; 'won 2:1' is a score
    ('two-one'). What could be a clock time ('10:30') is left to the times step unless
    a ratio word is next to it ('a 10:30 ratio')."""
    ratio_words = _word_set("ratio_words")
    score_words = _word_set("score_before")

    def say(match: re.Match[str]) -> str:
        a, b = int(match.group("a")), int(match.group("b"))
        before = (_word_before(text, match.start()) or "").lower()
        after = (_word_after(text, match.end()) or "").lower()
        if before in score_words:
            return _score(a, b)
        clock = len(match.group("b")) == 2 and a <= 23 and b <= 59
        if clock and before not in ratio_words and after not in ratio_words:
            return match.group(0)
        return f"{cardinal(a)} to {cardinal(b)}"

    return _sub(_RATIO, say, text)
