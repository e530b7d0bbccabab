"""Numbers that name something and are said in pairs, as Americans and Britons both
say them: flights and aircraft ('Flight 1549' 'fifteen forty-nine', 'Boeing 737'
'seven thirty-seven'), routes and roads ('I-95', 'US 101', 'the 405'), rooms and gates,
and tax-code plans ('401(k)' 'four oh one K')."""

from __future__ import annotations

import re
from functools import cache

from workers.pipeline.speech.context import _counted, _sub, _word_after
from workers.pipeline.speech.numbers import cardinal, digits
from workers.pipeline.speech.tables import _alternation, _word_set


def in_pairs(written: str) -> str:
    """A name's number in pairs: '1549' 'fifteen forty-nine', '737' 'seven thirty-seven',
    '405' 'four oh five', '1600' 'sixteen hundred', '2000' 'two thousand', '12345' 'one
    twenty-three forty-five'; up to two digits as a cardinal, a leading 0 digit by digit."""
    if written.startswith("0") and len(written) > 1:
        return digits(written)
    if len(written) <= 2:
        return cardinal(int(written))
    if len(written) == 3:
        head, rest = written[0], int(written[1:])
        if rest == 0:
            return cardinal(int(written))
        return f"{cardinal(int(head))} {'oh ' if rest < 10 else ''}{cardinal(rest)}"
    if len(written) > 4:
        return f"{in_pairs(written[:-4])} {_four(written[-4:], leading=True)}"
    return _four(written, leading=False)


def _four(written: str, leading: bool) -> str:
    high, low = int(written[:2]), int(written[2:])
    if written[:2] == "00":
        return in_pairs(written[2:]) if not leading else f"oh oh {_two(written[2:])}"
    head = ("oh " + cardinal(high % 10)) if written[0] == "0" else cardinal(high)
    if low == 0:
        if high % 10 == 0 and not leading:
            return cardinal(high // 10) + " thousand"
        return f"{head} hundred"
    return f"{head} {_two(written[2:])}"


def _two(written: str) -> str:
    return f"oh {cardinal(int(written))}" if written[0] == "0" else cardinal(int(written))


_FLIGHT_CODE = re.compile(
    r"(?<=[Ff]light\s)(?P<airline>[A-Z]{2,3}|[A-Z]\d|\d[A-Z])\s?(?P<n>\d{1,4})(?![\w-]|[.,]\d)"
)  # "flight BA2490", "Flight EZY8412", "flight U2 123"
_PLAN = re.compile(
    r"(?<![\w(])(?P<n>\d{3})\((?P<a>[a-z])\)(?:\((?P<b>\d{1,2})\))?(?P<s>s)?(?![\w(])"
)
_INTERSTATE = re.compile(r"(?<![\w.-])I-(?P<n>\d{1,3})(?P<s>s)?(?![\w-]|[.,]\d)")
_US_ROUTE = re.compile(
    r"(?<![\w.-])(?:U\.S\.|US)[\s-](?:(?P<route>Route|Highway)\s)?(?P<n>\d{1,3})(?![\w-]|[.,]\d)"
)
_STATE_ROUTE = re.compile(r"(?<![\w.-])SR(?:\s|-(?=\d{3}))(?P<n>\d{1,3})(?![\w-]|[.,]\d)")
_BOEING = re.compile(
    r"(?<![\w.-])(?P<n>7[0-8]7)(?P<rest>s\b|-\d{1,3}(?:ER|X)?\b|X\b)?(?![\w]|[.,]\d)"
)
_BOEING_AFTER = re.compile(
    r"-|s\b|\s+(?:MAX|Max|Dreamliners?|jets?|jetliners?|aircraft|planes?|airliners?|freighters?)\b"
)
_BOEING_BEFORE = re.compile(r"\b(?:Boeing|[Aa]|[Aa]n|[Tt]he|its|their|another)\s+$")
_ROAD_THE = re.compile(
    r"\b(?P<before>(?:on|onto|off|take|took|taking|via|along|down|up|from|near|closed|jammed)"
    r"\sthe\s)(?P<n>\d{1,3})(?=\s*(?:[.,;:!?)]|$)|\s+(?:freeway|highway|interchange|northbound|southbound|"
    r"eastbound|westbound|north|south|east|west|and\s+the\s+\d)\b)",
    re.IGNORECASE,
)


@cache
def _named() -> re.Pattern[str]:
    words = _alternation(_word_set("numbered_names"))
    return re.compile(
        rf"(?<![\w.])(?P<word>{words})\s(?P<n>\d{{2,5}})(?P<v>-\d{{1,4}})?(?![\w]|[.,:]\d)"
    )


def _variant(written: str | None) -> str:
    return f" {in_pairs(written[1:])}" if written else ""


def speak_numbered(text: str) -> str:
    """'Flight 1549', 'Boeing 737-800', 'Room 101', '737 MAX', 'I-95', 'US 101', 'SR 520',
    'on the 405', '401(k)', '501(c)(3)'; a number that counts ('Flight 1549 passengers' is
    still the flight) is not touched unless a naming word comes before it."""

    def plan(match: re.Match[str]) -> str:
        spoken = f"{in_pairs(match.group('n'))} {match.group('a').upper()}"
        spoken += f" {cardinal(int(match.group('b')))}" if match.group("b") else ""
        return spoken + ("'s" if match.group("s") else "")  # espeak spells 'Ks' K-S

    text = _sub(_PLAN, plan, text)
    text = _sub(_FLIGHT_CODE, lambda m: f"{' '.join(m['airline'])} {in_pairs(m['n'])}", text)
    text = _sub(
        _named(),
        lambda m: f"{m.group('word')} {in_pairs(m.group('n'))}{_variant(m.group('v'))}",
        text,
    )
    text = _sub(_INTERSTATE, lambda m: f"I {in_pairs(m.group('n'))}{m.group('s') or ''}", text)
    text = _sub(
        _US_ROUTE,
        lambda m: (
            f"U.S. {m.group('route') + ' ' if m.group('route') else ''}{in_pairs(m.group('n'))}"
        ),
        text,
    )
    text = _sub(_STATE_ROUTE, lambda m: f"State Route {in_pairs(m.group('n'))}", text)

    def boeing(match: re.Match[str]) -> str:
        before = _BOEING_BEFORE.search(text, max(0, match.start() - 12), match.start())
        after = _BOEING_AFTER.match(text, match.end())
        if not (match.group("rest") or after or before) or _counted(_word_after(text, match.end())):
            return match.group(0)
        rest = match.group("rest") or ""
        if rest.startswith("-"):
            tail = re.match(r"-(\d+)(\w*)", rest)
            assert tail is not None
            rest = f" {in_pairs(tail.group(1))}{' ' + tail.group(2) if tail.group(2) else ''}"
        return in_pairs(match.group("n")) + rest

    text = _sub(_BOEING, boeing, text)
    text = re.sub(r"(?<=thirty-seven) MAX\b|(?<=thirty-seven)-MAX\b", " Max", text)
    return _sub(_ROAD_THE, lambda m: m.group("before") + in_pairs(m.group("n")), text)
