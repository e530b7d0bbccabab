"""Number words: cardinals, ordinals and years through num2words, digits one by one.

The house style (workers.pipeline.speech.style) decides two things here: a British
newsreader says "and" inside numbers ("one hundred and five", "two thousand and five")
and "nought" before a point; an American one says neither ("one hundred five", "two
thousand five", "zero point five")."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from workers.pipeline.speech.style import american


@cache
def _num2words() -> Callable[..., str]:
    from num2words import num2words

    return num2words


def _styled(words: str) -> str:
    """num2words' British words without commas, and without the "and" in US style."""
    words = words.replace(",", "")
    return words.replace(" and ", " ") if american() else words


def zero() -> str:
    """0 before a decimal point: 'nought' (en-GB), 'zero' (en-US)."""
    return "zero" if american() else "nought"


def cardinal(n: int) -> str:
    """12345 -> 'twelve thousand three hundred and forty-five' (no commas; en-US
    'twelve thousand three hundred forty-five')."""
    words = _styled(_num2words()(abs(n), lang="en"))
    return f"minus {words}" if n < 0 else words


def ordinal(n: int) -> str:
    """22 -> 'twenty-second'; 103 'one hundred and third' (en-US 'one hundred third')."""
    return _styled(_num2words()(n, lang="en", to="ordinal"))


def year_words(year: int) -> str:
    """1990 'nineteen ninety', 1905 'nineteen oh five', 1900 'nineteen hundred',
    2005 'two thousand and five' (en-US 'two thousand five'), 2023 'twenty twenty-three'
    (num2words' years)."""
    if not 1000 <= year <= 2099:
        return cardinal(year)
    return _styled(_num2words()(year, lang="en", to="year").replace("oh-", "oh "))


def _digit(d: str, zero: str = "oh") -> str:
    return zero if d == "0" else cardinal(int(d))


def digits(text: str) -> str:
    """'0800' -> 'oh eight oh oh'."""
    return " ".join(_digit(d) for d in text if d.isdigit())


def number_words(written: str) -> str:
    """'1,250' / '5.2' / '-3' / '0.5' as words."""
    written = written.replace(",", "").replace("−", "-")
    sign = ""
    if written[:1] in "-+":
        sign = "minus " if written[0] == "-" else "plus "
        written = written[1:]
    whole, _, fraction = written.partition(".")
    if not fraction:
        return sign + cardinal(int(whole))
    head = zero() if int(whole or "0") == 0 else cardinal(int(whole))
    return f"{sign}{head} point {' '.join(_digit(d, zero()) for d in fraction)}"


def _is_one(written: str) -> bool:
    return written.replace(",", "") == "1"


def _plural(word: str) -> str:
    return word[:-1] + "ies" if word.endswith("y") else word + "s"
