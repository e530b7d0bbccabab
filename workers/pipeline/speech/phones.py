"""Phone numbers digit by digit."""

from __future__ import annotations

import re
from functools import cache

from workers.pipeline.speech.context import _sub
from workers.pipeline.speech.numbers import digits
from workers.pipeline.speech.tables import _alternation, _word_set

_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[\s-]?(?:\(0\)\s?)?\d{2,5}(?:[\s-]\d{3,6}){1,3}"
    r"|0\d{2,4}(?:[\s-]\d{3,6}){1,2}|0\d{9,10})(?![\w-])"
)


@cache
def _short_numbers() -> re.Pattern[str]:
    words = _alternation(_word_set("phone_words"))
    numbers = _alternation(_word_set("phone_numbers"))
    return re.compile(
        rf"\b((?:{words})\s+(?:on\s+)?)({numbers})\b(?![-\w])"
        rf"(?:(\s+or\s+)({numbers})\b(?![-\w]))?"  # "call 111 or 999"
        rf"|\b({numbers})(?=\s+(?:calls?|operators?|services?|line)\b)",
        re.IGNORECASE,
    )


def speak_phones(text: str) -> str:
    """Phone numbers digit by digit ('oh' for 0), groups separated by commas."""

    def say(match: re.Match[str]) -> str:
        groups = re.findall(r"\+?\d+", match.group(0).replace("(0)", ""))
        spoken = [("plus " if g.startswith("+") else "") + digits(g) for g in groups]
        return ", ".join(spoken)

    text = _sub(_PHONE, say, text)

    def say_short(match: re.Match[str]) -> str:
        if match.group(5):
            return digits(match.group(5))
        spoken = match.group(1) + digits(match.group(2))
        return spoken + (match.group(3) + digits(match.group(4)) if match.group(4) else "")

    return _short_numbers().sub(say_short, text)
