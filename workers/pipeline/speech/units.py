"""Units after numbers, decided by context."""

from __future__ import annotations

import re
from functools import cache

from workers.pipeline.speech.context import _attributive, _counted, _sub, _word_after
from workers.pipeline.speech.numbers import _is_one, cardinal, number_words
from workers.pipeline.speech.tables import NUM, _alternation, _units, _word_set


@cache
def _unit_pattern() -> re.Pattern[str]:
    units = _alternation(_units())
    return re.compile(
        rf"(?<![\w./])(?P<neg>-)?(?P<a>{NUM})(?:(?:-|\s-\s|\s+to\s+)(?P<b>{NUM}))?"
        rf"(?P<gap>\s?)(?P<u>{units})(?![\w/²])"
    )


_FEET_INCHES = re.compile(r"(?<![\w.])(\d+)\s?(?:ft|')\s?(\d{1,2})\s?(?:in|\")(?![\w])")
_HOURS_MINUTES = re.compile(r"(?<![\w.])(\d+)\s?h(?:rs?)?\s?(\d{1,2})\s?m(?:ins?)?(?![\w])")


_RELAY = re.compile(r"(?<![\w.])(\d)\s?x\s?(\d{2,3})m(?![\w])")
_THOUSANDS_K = re.compile(r"(?<![\w.£$€])(\d+(?:\.\d+)?)k(?![\w])")


def _relay(match: re.Match[str]) -> str:
    """'4x100m' 'four by one hundred metres'."""
    return f"{cardinal(int(match.group(1)))} by {cardinal(int(match.group(2)))} metres"


def _hours_minutes(match: re.Match[str]) -> str:
    hours, minutes = int(match.group(1)), int(match.group(2))
    hour_word = "hour" if hours == 1 else "hours"
    minute_word = "minute" if minutes == 1 else "minutes"
    return f"{cardinal(hours)} {hour_word} {cardinal(minutes)} {minute_word}"


def speak_units(text: str) -> str:
    """10km 'ten kilometres', -5C 'minus five degrees Celsius', 4x100m 'four by one hundred
    metres', 10k 'ten thousand' ('a 10k run': 'ten K'), 'a 10km race' 'a ten
    kilometre race'. '20m' is metres unless it counts something ('20m people': million);
    then every bare 'm' in the paragraph not before a distance word ('long') is million."""
    units = _units()
    metre_words = _word_set("metre_words")

    def metres_by_context(after: str | None) -> bool:
        return (after or "").lower() in metre_words  # "400m hurdles", "a 10m fall"

    def millions_by_context(after: str | None) -> bool:
        return _counted(after) and not metres_by_context(after)

    millions = any(  # "2.5m people ... 7.6m in 2023": this paragraph's m is million
        millions_by_context(_word_after(text, m.end())) for m in re.finditer(r"\dm(?![\w/²])", text)
    )

    def say(match: re.Match[str]) -> str:
        written = match.group("u")
        unit = units[written]
        if unit.tight and match.group("gap"):
            return match.group(0)
        a, b = match.group("a"), match.group("b")
        sign = "-" if match.group("neg") else ""
        spoken = number_words(sign + a) + (f" to {number_words(b)}" if b else "")
        if written == "m" and not match.group("gap"):
            after = _word_after(text, match.end())
            if millions_by_context(after) or (
                millions and not metres_by_context(after) and not _attributive(text, match)
            ):
                return f"{spoken} million"
        singular = (not b and _is_one(a)) or (
            _attributive(text, match) and " per " not in unit.singular
        )
        return f"{spoken} {unit.singular if singular else unit.plural}"

    def thousands(match: re.Match[str]) -> str:
        after = (_word_after(text, match.end()) or "").lower()
        if after in _word_set("k_race_words"):
            return f"{number_words(match.group(1))} K"  # "a 10k run" is ten kilometres
        return f"{number_words(match.group(1))} thousand"

    text = _sub(_RELAY, _relay, text)
    text = _sub(_THOUSANDS_K, thousands, text)
    text = _sub(_HOURS_MINUTES, _hours_minutes, text)
    text = _sub(_FEET_INCHES, lambda m: f"{cardinal(int(m[1]))} foot {cardinal(int(m[2]))}", text)
    return _sub(_unit_pattern(), say, text)
