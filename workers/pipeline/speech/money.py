"""Money and percentages (hand-written: news says money its own way). In US style
"$1.52 a share" is "a dollar fifty-two a share" and 5% "five percent"; in British
"one dollar fifty-two", "five per cent"."""

from __future__ import annotations

import re
from functools import cache

from workers.pipeline.speech.context import _attributive, _sub, _word_before
from workers.pipeline.speech.numbers import cardinal, number_words
from workers.pipeline.speech.style import american
from workers.pipeline.speech.tables import NUM, _alternation, _currencies, _word_set, _words


@cache
def _money_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    currency = _alternation(_currencies())
    scales = {k: v for k, v in _words()["scales"].items() if not k.startswith("_")}
    scale = rf"(?:{_alternation(scales)})(?![A-Za-z])"
    money = re.compile(
        rf"(?<![\w])(?P<cur>{currency})\s?(?P<a>{NUM})(?:\s?(?P<sa>{scale}))?"
        rf"(?:(?:-|\s-\s|\s+to\s+)(?:{currency})?(?P<b>{NUM})(?:\s?(?P<sb>{scale}))?)?"
    )
    pence = re.compile(r"(?<![\w./])(?P<n>\d+(?:\.\d+)?)(?P<sym>p|¢)(?![\w])")
    big = re.compile(rf"(?<![\w./])(?P<n>{NUM})\s?(?P<s>bn|trn|tn|mn)(?![A-Za-z])")
    return money, pence, big


def _scale(written: str | None) -> str:
    return _words()["scales"][written] if written else ""


def _one(text: str, match: re.Match[str]) -> str:
    """'one' of "one dollar fifty-two" (en-GB); en-US says "a dollar fifty-two", and
    nothing after a determiner ("a $1.52 charge": "a dollar fifty-two charge")."""
    if not american():
        return "one"
    before = (_word_before(text, match.start()) or "").lower()
    return "" if before in _word_set("determiners") else "a"


def speak_money(text: str) -> str:
    """£20m 'twenty million pounds', $5.99 'five dollars ninety-nine', 50p 'fifty pence'."""
    money, pence, big = _money_patterns()
    currencies = _currencies()

    def say(match: re.Match[str]) -> str:
        currency = currencies[match.group("cur")]
        a, b = match.group("a"), match.group("b")
        scale_a, scale_b = _scale(match.group("sa")), _scale(match.group("sb"))
        attributive = _attributive(text, match)
        if b:
            first = number_words(a) + (f" {scale_a}" if scale_a and scale_a != scale_b else "")
            second = number_words(b) + (f" {scale_b}" if scale_b else "")
            unit = currency.unit if attributive else currency.units
            between = (_word_before(text, match.start()) or "").lower() == "between"
            return f"{first} {'and' if between else 'to'} {second} {unit}"
        if scale_a:
            unit = currency.unit if attributive else currency.units
            return f"{number_words(a)} {scale_a} {unit}"
        whole, _, fraction = a.replace(",", "").partition(".")
        if not fraction or (len(fraction) == 2 and int(fraction) == 0):
            unit = currency.unit if whole == "1" or attributive else currency.units
            return f"{cardinal(int(whole))} {unit}"
        if len(fraction) != 2 or not currency.minors:
            return f"{number_words(a)} {currency.units}"
        minor = int(fraction)
        if int(whole) == 0:
            return f"{cardinal(minor)} {currency.minor if minor == 1 else currency.minors}"
        if whole == "1":
            return f"{_one(text, match)} {currency.unit} {cardinal(minor)}".lstrip()
        return f"{cardinal(int(whole))} {currency.units} {cardinal(minor)}"

    def say_pence(match: re.Match[str]) -> str:
        amount = match.group("n")
        if match.group("sym") == "¢":
            return f"{number_words(amount)} {'cent' if amount == '1' else 'cents'}"
        return f"{number_words(amount)} {'penny' if amount == '1' else 'pence'}"

    text = _sub(money, say, text)
    text = _sub(pence, say_pence, text)
    return _sub(big, lambda m: f"{number_words(m.group('n'))} {_scale(m.group('s'))}", text)


_PERCENT = re.compile(
    rf"(?<![\w./])(?P<a>[-+]?(?:{NUM}))(?:\s?%?(?:-|\s-\s|\s+to\s+)(?P<b>-?(?:{NUM})))?"
    r"\s?(?:%|per\s?cent|percent|pc)(?![\w])"
)


def speak_percent(text: str) -> str:
    """5% 'five per cent', 5.2 percent 'five point two per cent', 5-10% 'five to ten per cent'
    (en-US 'percent')."""

    def say(match: re.Match[str]) -> str:
        spoken = number_words(match.group("a"))
        if match.group("b"):
            spoken += f" to {number_words(match.group('b'))}"
        return f"{spoken} {'percent' if american() else 'per cent'}"

    return _sub(_PERCENT, say, text)
