"""Web addresses and e-mails to their spoken domain; street addresses and postcodes."""

from __future__ import annotations

import re
from functools import cache

from workers.pipeline.speech.context import _counted, _sub, _word_after
from workers.pipeline.speech.numbered import in_pairs
from workers.pipeline.speech.numbers import cardinal, ordinal
from workers.pipeline.speech.tables import _alternation, _word_set


@cache
def _url_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    tlds = _alternation(_word_set("tlds"))
    label = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
    email = re.compile(
        rf"(?<![\w.+-])([\w.+-]+)@((?:{label}\.)+(?:{tlds}))(?![\w-]|\.[a-z0-9])",
        re.IGNORECASE,
    )
    url = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
    domain = re.compile(
        rf"(?<![\w@./-])((?:{label}\.)+(?:{tlds}))(?![\w-]|\.[a-z0-9])(/[^\s<>\"']*)?",
        re.IGNORECASE,
    )
    return email, url, domain


def _say_domain(host: str) -> str:
    labels = [part for part in host.lower().split(".") if part]
    if labels and labels[0] == "www":
        labels = labels[1:]
    spoken = []
    for part in labels:
        part = part.replace("-", " ")
        if part.isalpha() and len(part) <= 5 and not set(part) & set("aeiouy"):
            part = " ".join(part)
        spoken.append(part)
    return " dot ".join(spoken)


_IP = re.compile(r"(?<![\w.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![\w]|\.\d)")


def _ip(match: re.Match[str]) -> str:
    """'192.168.0.40' 'one nine two dot one six eight dot zero dot four zero'."""
    if any(int(part) > 255 for part in match.groups()):
        return match.group(0)
    return " dot ".join(
        " ".join("zero" if d == "0" else cardinal(int(d)) for d in part) for part in match.groups()
    )


def speak_urls(text: str) -> str:
    """URLs and bare domains to their spoken domain; the path is dropped. An IP address
    digit by digit, 0 as 'zero' (as a network engineer reads one)."""
    email, url, domain = _url_patterns()

    def say_url(match: re.Match[str]) -> str:
        whole = match.group(0)
        tail = re.search(r"[.,;:!?)\]]+$", whole)
        trailing = tail.group(0) if tail else ""
        core = whole[: len(whole) - len(trailing)]
        host = re.sub(r"^(?:https?://)?", "", core, flags=re.IGNORECASE)
        host = re.split(r"[/?#:]", host, maxsplit=1)[0]
        return _say_domain(host) + trailing

    text = email.sub(
        lambda m: f"{m.group(1).replace('.', ' dot ')} at {_say_domain(m.group(2))}", text
    )
    text = url.sub(say_url, text)
    text = domain.sub(lambda m: _say_domain(m.group(1)), text)
    return _IP.sub(_ip, text)


# ---------------------------------------------------------------------------------------
# Street addresses

_STREET_TYPES = {
    "St": "Street", "Ave": "Avenue", "Av": "Avenue", "Blvd": "Boulevard", "Rd": "Road",
    "Hwy": "Highway", "Pkwy": "Parkway", "Dr": "Drive", "Ln": "Lane", "Ct": "Court",
    "Pl": "Place", "Ter": "Terrace", "Cir": "Circle", "Sq": "Square", "Expy": "Expressway",
    "Fwy": "Freeway", "Tpke": "Turnpike", "Trl": "Trail", "Plz": "Plaza",
}  # fmt: skip
_STREET_WORDS = (
    "Street", "Avenue", "Boulevard", "Road", "Highway", "Parkway", "Drive", "Lane", "Court",
    "Place", "Terrace", "Circle", "Square", "Way", "Plaza", "Trail", "Pike", "Expressway",
    "Freeway", "Turnpike", "Alley", "Row",
)  # fmt: skip
_DIRECTIONS = {"N": "North", "S": "South", "E": "East", "W": "West"}
_QUADRANTS = {"NW": "Northwest", "NE": "Northeast", "SW": "Southwest", "SE": "Southeast"}
_STREET = re.compile(
    r"(?<![\w.,$£€-])(?:(?P<num>\d{1,5})(?P<unit>[A-Z])?\s+)?"
    r"(?:(?P<dir>[NSEW])\.?\s+|(?P<dir_word>North|South|East|West)\s+)?"
    r"(?P<name>(?P<ord>\d{1,3})(?:st|nd|rd|th)|[A-Z][a-z'’]+(?:\s[A-Z][a-z'’]+){0,2})\s+"
    rf"(?P<type>{'|'.join(_STREET_WORDS)}|(?P<abbr>{'|'.join(_STREET_TYPES)})(?P<dot>\.)?)"
    r"(?:,?\s(?P<quad>NW|NE|SW|SE)\b\.?)?(?![\w])"
)
_QUANTITY_BEFORE = re.compile(
    r"\b(?:about|some|nearly|almost|over|under|than|around|roughly|all|the|its|their|those)\s+$",
    re.IGNORECASE,
)
_SENTENCE_ON = re.compile(r"\s*$|\s+[A-Z\"']")
_POSTCODE = re.compile(
    r"(?<![\w-])(?P<area>[A-Z]{1,2})(?P<district>\d{1,2})(?P<sub>[A-Z])?"
    r"\s(?P<sector>\d)(?P<unit>[A-Z]{2})(?![\w-])"
)


def _postcode(match: re.Match[str]) -> str:
    """'SW1A 2AA' 'SW one A, two A-A': espeak-ng reads a lone A as 'uh', a hyphened
    pair of letters as letters."""
    outward = f"{match['area']} {cardinal(int(match['district']))}"
    outward += f" {match['sub']}" if match["sub"] else ""
    return f"{outward}, {cardinal(int(match['sector']))} {'-'.join(match['unit'])}"


def _street_name(match: re.Match[str]) -> str:
    if match.group("ord"):
        return "-".join(p.capitalize() for p in ordinal(int(match.group("ord"))).split("-"))
    return match.group("name")


def speak_streets(text: str) -> str:
    """'1211 E. Arques Ave.' 'twelve eleven East Arques Avenue', '708 N. 1st St.' 'seven
    oh eight North First Street', '1600 Pennsylvania Ave. NW' 'sixteen hundred
    Pennsylvania Avenue Northwest', 'on 5th Ave.' 'on Fifth Avenue'. The house number is
    said in pairs; a number that counts ('some 350 High Street shops') is left alone, and
    without a house number a street needs a direction or an ordinal name. A British
    postcode: 'SW1A 2AA' 'SW one A, two A-A'."""

    def say(match: re.Match[str]) -> str:
        number, direction = match.group("num"), match.group("dir") or match.group("dir_word")
        if number is None and not (direction or match.group("ord")):
            return match.group(0)
        if number is not None and (
            _QUANTITY_BEFORE.search(text, max(0, match.start() - 12), match.start())
            or _counted(_word_after(text, match.end()))
        ):
            return match.group(0)
        parts = []
        if number is not None:
            parts.append(
                in_pairs(number) + (f" {match.group('unit')}" if match.group("unit") else "")
            )
        if direction:
            parts.append(_DIRECTIONS.get(direction, direction))
        parts.append(_street_name(match))
        abbr = match.group("abbr")
        parts.append(_STREET_TYPES[abbr] if abbr else match.group("type"))
        if match.group("quad"):
            parts.append(_QUADRANTS[match.group("quad")])
        spoken = " ".join(parts)
        written = match.group(0)
        if written.endswith(".") and _SENTENCE_ON.match(text, match.end()):
            spoken += "."
        return spoken

    text = _sub(_STREET, say, text)
    return _sub(_POSTCODE, _postcode, text)
