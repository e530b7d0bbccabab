"""Roman numerals, ordinals and every number no other step claimed."""

from __future__ import annotations

import re

from workers.pipeline.speech.context import _sub
from workers.pipeline.speech.numbers import cardinal, digits, number_words, ordinal
from workers.pipeline.speech.tables import _word_set

_ROMAN = re.compile(r"(?<![\w])([A-Z][a-z]+)\s+([IVX]+)(?![\w])")
_ROMAN_VALID = re.compile(r"X{0,3}(?:IX|IV|V?I{0,3})")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}


def _roman_value(numeral: str) -> int:
    total = 0
    for index, letter in enumerate(numeral):
        value = _ROMAN_VALUES[letter]
        following = _ROMAN_VALUES[numeral[index + 1]] if index + 1 < len(numeral) else 0
        total += -value if value < following else value
    return total


def speak_roman(text: str) -> str:
    """'Elizabeth II' -> 'Elizabeth the Second'; 'World War II', 'Grade II' -> 'two'."""
    regnal = _word_set("regnal_names")
    numbered = _word_set("numbered_nouns")

    def say(match: re.Match[str]) -> str:
        name, numeral = match.groups()
        if not _ROMAN_VALID.fullmatch(numeral):
            return match.group(0)
        value = _roman_value(numeral)
        if name in regnal:
            return f"{name} the {ordinal(value).capitalize()}"
        if name in numbered:
            return f"{name} {cardinal(value)}"
        return match.group(0)

    return _ROMAN.sub(say, text)


_ORDINAL = re.compile(r"(?<![\w./])(?P<n>\d{1,3}(?:,\d{3})+|\d+)(?:st|nd|rd|th)(?![\w])")


def speak_ordinals(text: str) -> str:
    """1st 'first', 22nd 'twenty-second', 103rd 'one hundred and third'."""
    return _sub(_ORDINAL, lambda m: ordinal(int(m.group("n").replace(",", ""))), text)


_NUMBER = re.compile(
    r"(?:(?<![\w.,\-])(?P<neg>-)(?=\d))?(?<![\w.,])"
    r"(?P<n>\d{1,3}(?:,\d{3})+|\d+)(?P<dec>\.\d+)?(?!\d|[.,]\d|[A-Za-z])"
)


def speak_numbers(text: str) -> str:
    """Cardinals, decimals and negatives as words; long or 0-led digit strings as codes."""

    def say(match: re.Match[str]) -> str:
        number, decimal = match.group("n"), match.group("dec") or ""
        sign = "minus " if match.group("neg") else ""
        if (
            not decimal
            and "," not in number
            and (len(number) >= 8 or (len(number) >= 2 and number.startswith("0")))
        ):
            return sign + digits(number)
        return sign + number_words(number + decimal)

    return _sub(_NUMBER, say, text)
