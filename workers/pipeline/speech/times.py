"""Clock times, 12- and 24-hour, and the time zone after one."""

from __future__ import annotations

import re
from functools import cache

from workers.pipeline.speech.context import _range_word, _sentence_ends_at, _sub
from workers.pipeline.speech.numbers import cardinal
from workers.pipeline.speech.style import american
from workers.pipeline.speech.tables import CLOCK, _alternation, _month_numbers, _zones


@cache
def _time_patterns() -> tuple[re.Pattern[str], ...]:
    zones = _alternation(_zones())
    # "8 p.m. ET", "8 p.m. (ET)" (said without the brackets), "9 p.m. ET/PT"; a bracketed
    # zone is only ever read after a time
    zone = (
        rf"(?:\s(?P<open>\()?(?P<zone>{zones})(?:/(?P<zone2>{zones}))?"
        r"(?(open)\)|(?![\w])))?"
    )
    # a bare four-digit time only before a zone of three letters or more ("1042 GMT";
    # "2000 CT scans" is no time)
    wire_zones = _alternation(z for z in _zones() if len(z) > 2)
    am_pm = re.compile(
        # not after a score ("won 2-1 - 3pm kick-offs")
        r"(?<![\w:.,/])(?<!\d-)(?:(?P<h0>1[0-2]|0?[1-9])(?:[:.](?P<m0>[0-5]\d))?(?:-|\s-\s|\s+to\s+))?"
        r"(?P<h>1[0-2]|0?[1-9])(?:[:.](?P<m>[0-5]\d))?\s?(?P<ap>[aApP])(?:\.[mM]\.?|[mM])"
        rf"(?![\w]){zone}"
    )
    clock_24 = re.compile(
        r"(?<![\w:.,/])(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)(?![\d:])(?:\s?(?:hrs|h)(?![\w]))?"
        + zone
    )
    wire = re.compile(  # wire copy: "by 1042 GMT"
        rf"(?<![\w:.,/£$€-])(?P<h>[01]\d|2[0-3])(?P<m>[0-5]\d)\s?(?P<zone>{wire_zones})(?![\w])"
    )
    named = re.compile(rf"(?<![\w])(?P<word>[Nn]oon|[Mm]idnight){zone.removesuffix('?')}")
    return am_pm, clock_24, wire, named


@cache
def _clock_span(separator: str) -> re.Pattern[str]:
    zone = rf"\s\(?(?:{_alternation(_zones())})\)?(?![\w])"
    return re.compile(  # not a list of three or more ("9:58 - 10:02 - 10:07": race times)
        rf"(?<![‒–-])(?<![‒–-]\s)(?P<a>{CLOCK}(?:{zone})?){separator}"
        rf"(?={CLOCK}(?!\s*[‒–-]\s*\d))"
    )


def join_clock_ranges(text: str, separator: str) -> str:
    """Two written clock times joined by `separator` (a pattern) are a range, joined by
    'to' ('and' after 'between'): '9am-5pm' '9am to 5pm', '4:00 am - 8:12 pm', '10:30 a.m. –
    noon' (a zone may follow the first: '9 a.m. ET - 5 p.m. PT'). The step "dashes" joins
    dashes and spaced hyphens; the step "times" what is left."""
    return _clock_span(separator).sub(lambda m: f"{m['a']} {_range_word(text, m.start())} ", text)


@cache
def _said_after() -> re.Pattern[str]:
    """AP copy puts the day or date after the time ("at 8 p.m. Tuesday", "10 a.m. Jan. 5",
    dates already said by then), or a zone in words ("9 p.m. Eastern", "11 a.m. Hawaii
    time", the first words of the zones said in words): no full stop there."""
    days = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)days?"
    months = _alternation(_month_numbers().values())
    zones = _alternation({said.split()[0] for said in _zones().values() if " " in said})
    return re.compile(rf"\s+(?:{days}|{months}|{zones})\b")


# military time, only with its leading zero ("1200 hours" may be a count of hours)
_HOURS = re.compile(r"(?<![\w.,:/])0(?P<h>\d)(?P<m>[0-5]\d)(?=\s+hours\b)")
_TIME_RANGE = re.compile(r"(?<=\b[AP]M)(?:-|\s-\s)(?=\w)")


def _clock(hour: int, minute: int) -> str:
    if minute == 0:
        return cardinal(hour)
    if minute < 10:
        return f"{cardinal(hour)} oh {cardinal(minute)}"
    return f"{cardinal(hour)} {cardinal(minute)}"


def _hundred(minute: int) -> str:
    """The minutes of a military time: '0600' 'oh six hundred', '0630' 'oh six thirty'."""
    if minute == 0:
        return "hundred"
    return f"oh {cardinal(minute)}" if minute < 10 else cardinal(minute)


def _with_zone(spoken: str, match: re.Match[str]) -> str:
    zone = match.group("zone")
    if not zone:
        return spoken
    said = _zones()[zone]
    if second := match.groupdict().get("zone2"):  # "ET/PT": "Eastern and Pacific time"
        other = _zones()[second]
        if said.endswith(" time") and other.endswith(" time"):
            said = said.removesuffix(" time")
        said = f"{said} and {other}"
    return f"{spoken} {said}"


def speak_times(text: str) -> str:
    """9am 'nine AM', 9.30pm 'nine thirty PM', 09:39 'nine thirty-nine', 14:00 'two PM',
    10:05 'ten oh five', 1042 GMT 'ten forty-two GMT', 8 p.m. ET 'eight PM Eastern time',
    noon ET 'noon Eastern time', 8 p.m. (ET) 'eight PM Eastern time' (a bracketed zone only
    after a time), 9 p.m. ET/PT 'nine PM Eastern and Pacific time', 9am-5pm 'nine AM to five
    PM', noon-2 p.m. 'noon to two PM', between 1-3 p.m. 'between one and three PM',
    12:00 'midday' (en-US 'noon'). AM/PM, not 'a.m.': espeak-ng ends the sentence after
    'a.m.' when a capital follows ('9am BST'), and says 'a m' as 'uh em'."""
    am_pm_pattern, clock_24_pattern, wire_pattern, named_pattern = _time_patterns()
    text = join_clock_ranges(text, r"(?:-|\s-\s)")

    def am_pm(match: re.Match[str]) -> str:
        spoken = _clock(int(match.group("h")), int(match.group("m") or 0))
        if match.group("h0"):
            start = _clock(int(match.group("h0")), int(match.group("m0") or 0))
            spoken = f"{start} {_range_word(text, match.start())} {spoken}"
        spoken = _with_zone(f"{spoken} {match.group('ap').upper()}M", match)
        ends = (
            match.group(0).endswith(".")
            and _sentence_ends_at(text, match.end())
            and not _said_after().match(text, match.end())
        )
        return spoken + ("." if ends else "")

    def clock_24(match: re.Match[str]) -> str:
        hour, minute = int(match.group("h")), int(match.group("m"))
        if (hour, minute) == (0, 0):
            spoken = "midnight"
        elif (hour, minute) == (12, 0):
            spoken = "noon" if american() else "midday"
        elif hour == 0:
            spoken = f"{_clock(12, minute)} AM"
        elif hour < 12:
            spoken = f"{cardinal(hour)} o'clock" if minute == 0 else _clock(hour, minute)
        else:
            spoken = f"{_clock(hour - 12 if hour > 12 else 12, minute)} PM"
        return _with_zone(spoken, match)

    text = _sub(am_pm_pattern, am_pm, text)
    text = _sub(clock_24_pattern, clock_24, text)
    text = _sub(wire_pattern, clock_24, text)
    text = named_pattern.sub(lambda m: _with_zone(m.group("word"), m), text)  # "noon ET"
    text = _HOURS.sub(lambda m: f"oh {cardinal(int(m['h']))} {_hundred(int(m['m']))}", text)
    return _TIME_RANGE.sub(" to ", text)
