"""Phone numbers in digit groups: British and international ones, North American ones
(1-800-273-8255, (555) 555-0199, +1 212 555 0143), extensions, and short numbers."""

from __future__ import annotations

import re
from functools import cache

from workers.pipeline.speech.acronyms import known_acronyms
from workers.pipeline.speech.context import _sub
from workers.pipeline.speech.numbers import digits
from workers.pipeline.speech.tables import _alternation, _word_set

_PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[\s-]?(?:\(0\)\s?)?\d{2,5}(?:[\s-]\d{3,6}){1,3}"
    r"|\+\d{1,3}(?:[\s-]\d{1,4}){3,6}"  # +33 1 42 68 53 00
    r"|0\d{2,4}(?:[\s-]\d{3,6}){1,2}|0\d{9,10})(?![\w-])"
)
# North American: optional +1 or 1, a 3-digit area code (bracketed or not), 3 then 4
# digits, split by hyphens, dots or spaces; a bracketed area code needs no separator.
# Unbracketed, the area code and exchange start with 2-9, as every real one does.
_NANP = re.compile(
    r"(?<![\w+.(-])(?P<country>\+?1[\s.-]?)?"
    r"(?:\((?P<area_b>\d{3})\)[\s-]?|(?P<area>[2-9]\d\d)(?P<sep>[.-])(?=[2-9]))"
    r"(?P<exchange>\d{3})[\s.-](?P<line>\d{4})(?![\w]|-\d{5}|[.,]\d)"
    r"(?:(?:,?\s(?:ext\.?|x|extension)\s?|-)(?P<ext_n>\d{1,5})\b)?",
    re.IGNORECASE,
)
_VANITY = re.compile(
    r"(?<![\w+-])(?P<one>1-)?(?P<code>8(?:00|88|77|66|55|44|33))-(?P<word>[A-Z][A-Z\d]*(?:-[A-Z\d]+)*)"
    r"(?![\w-])"
)  # "1-800-FLOWERS", "1-800-GO-U-HAUL"
_SSN = re.compile(r"(?<![\w.,-])(\d{3})-(\d{2})-(\d{4})(?![\w-]|[.,]\d)")  # 111-11-1111
_LOCAL = re.compile(r"(?<![\w.,-])(?P<exchange>[2-9]\d\d)-(?P<line>\d{4})(?![\w-]|[.,]\d)")
_LOCAL_BEFORE = re.compile(
    r"\b(?:call|calls|called|calling|dial|dialled|dialed|phone|phoned|text|line|hotline|"
    r"number|fax|reach|reached|at|or|(?:number|line) is)\s+$",
    re.IGNORECASE,
)


def _group(written: str) -> str:
    """A group of a phone number: digit by digit, but a toll-free 800 is 'eight hundred'."""
    return "eight hundred" if written == "800" else digits(written)


def _north_american(match: re.Match[str]) -> str:
    area = match.group("area_b") or match.group("area")
    spoken = f"{_group(area)}, {digits(match.group('exchange'))}, {digits(match.group('line'))}"
    country = match.group("country")
    if country:
        spoken = ("plus one, " if "+" in country else "one ") + spoken
    if match.group("ext_n"):
        spoken += f", extension {digits(match.group('ext_n'))}"
    return spoken


def _vanity(match: re.Match[str]) -> str:
    """'1-800-FLOWERS' 'one eight hundred flowers': the letters are a word to say."""
    parts = []
    for part in match.group("word").split("-"):
        if part.isdigit():
            parts.append(digits(part))
        else:
            spelled = len(part) == 1 or part in known_acronyms()  # "U", "USA"
            parts.append(part if spelled else part.lower())
    head = ("one " if match.group("one") else "") + _group(match.group("code"))
    return f"{head}, {' '.join(parts)}"


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
    """Phone numbers digit by digit ('oh' for 0), groups separated by commas; a North
    American number as its area code, exchange and line ('one eight hundred, two seven
    three, eight two five five'), a seven-digit one (555-0199) after a word like 'call'."""

    def say(match: re.Match[str]) -> str:
        groups = re.findall(r"\+?\d+", match.group(0).replace("(0)", ""))
        spoken = [("plus " if g.startswith("+") else "") + digits(g) for g in groups]
        return ", ".join(spoken)

    text = _sub(_NANP, _north_american, text)

    def local(match: re.Match[str]) -> str:
        line_led_by_0 = match.group("line").startswith("0")  # no range ends in "0123"
        before = _LOCAL_BEFORE.search(text, max(0, match.start() - 16), match.start())
        if not (before or line_led_by_0):
            return match.group(0)
        return f"{digits(match.group('exchange'))}, {digits(match.group('line'))}"

    text = _sub(_LOCAL, local, text)
    text = _sub(_VANITY, _vanity, text)
    text = _sub(_SSN, lambda m: ", ".join(digits(g) for g in m.groups()), text)
    text = _sub(_PHONE, say, text)

    def say_short(match: re.Match[str]) -> str:
        if match.group(5):
            return digits(match.group(5))
        spoken = match.group(1) + digits(match.group(2))
        return spoken + (match.group(3) + digits(match.group(4)) if match.group(4) else "")

    return _short_numbers().sub(say_short, text)
