"""Per-unit slashes after an amount: '$20/mo' 'twenty dollars a month'."""

from __future__ import annotations

import re
from functools import cache

from workers.pipeline.speech.context import _sub, _word_before
from workers.pipeline.speech.tables import _alternation, _word_set, _words

_NUMBER_WORD = re.compile(
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|teen|ty|hundred|"
    r"thousand|million|billion|trillion)$"
)


@cache
def _rate_pattern() -> re.Pattern[str]:
    rates = {k: v for k, v in _words()["rate_words"].items() if not k.startswith("_")}
    return re.compile(rf"(?<=[A-Za-z0-9])\s?/\s?(?P<per>{_alternation(rates)})(?![\w/])")


def speak_rates(text: str) -> str:
    """A slash after an amount is 'a': '$20/mo' (by now 'twenty dollars/mo') 'twenty
    dollars a month', '$15/hr' 'fifteen dollars an hour', '£2/litre' 'two pounds a litre'.
    Only after money, a count or a number word, so 'and/or' or 'day/night' stay."""
    rates = _words()["rate_words"]
    before_words = _word_set("rate_before")

    def say(match: re.Match[str]) -> str:
        before = (_word_before(text, match.start()) or "").lower()
        if not (
            before in before_words
            or _NUMBER_WORD.search(before)
            or text[match.start() - 1].isdigit()
        ):
            return match.group(0)
        return f" {rates[match.group('per')]}"

    return _sub(_rate_pattern(), say, text)
