"""Dates, day-month and month-day, in words, as the house style says them: a British
newsreader "the fourth of July, seventeen seventy-six" (and "July the fourth" where the
month is written first), an American one "July fourth, seventeen seventy-six" however it
is written. Numeric dates are day first in British style (15/02/2023) and month first in
American (02/15/2023), each falling back to the other order when theirs is no date."""

from __future__ import annotations

import re
from functools import cache

from workers.pipeline.speech.context import _sentence_ends_at, _sub
from workers.pipeline.speech.numbers import ordinal, year_words
from workers.pipeline.speech.style import american
from workers.pipeline.speech.tables import _alternation, _month_numbers, _months

_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"


@cache
def _month_pattern() -> str:
    full = set(_month_numbers().values())
    short = set(_months()) - {name.lower() for name in full}
    short_forms = _alternation(form.capitalize() for form in short)
    return rf"(?:{_alternation(full)}|(?:{short_forms})(?![a-z])\.?)(?![a-z])"


@cache
def _date_patterns() -> dict[str, re.Pattern[str]]:
    month = _month_pattern()
    year = r"(?P<y>(?:1\d|20)\d\d)(?![\w]|[.,]\d|[-–/]\d)"
    return {
        "iso": re.compile(r"(?<![\w-])(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?![\w-])"),
        "numeric": re.compile(
            r"(?<![\w/.])(?P<d>\d{1,2})(?P<sep>[/.])(?P<m>\d{1,2})(?P=sep)"
            r"(?P<y>\d{4}|\d{2})(?![\w/]|\.\d)"
        ),
        "dmy": re.compile(
            rf"(?<![\w.,/])(?:(?P<d0>{_DAY})(?:-|\s-\s|\s+(?:to|and)\s+))?(?P<d>{_DAY})\s+(?P<of>of\s+)?"
            rf"(?P<mon>{month})(?:,?\s+{year})?"
        ),
        "mdy": re.compile(
            rf"(?<![\w])(?P<mon>{month})\s+(?P<d>{_DAY})(?:(?:-|\s-\s|\s+to\s+)(?P<d2>{_DAY}))?"
            rf"(?![\w:/]|[.,]\d)(?:,?\s+{year})?"
        ),
        "my": re.compile(rf"(?<![\w])(?P<mon>{month})\s+{year}"),
    }


_WEEKDAYS = {
    short: f"{name}day"
    for name, forms in (
        ("Mon", ("Mon",)), ("Tues", ("Tue", "Tues")), ("Wednes", ("Wed",)),
        ("Thurs", ("Thu", "Thur", "Thurs")), ("Fri", ("Fri",)), ("Satur", ("Sat",)),
        ("Sun", ("Sun",)),
    )
    for short in (*forms, f"{name}day")
}  # fmt: skip
_WEEKDAY = rf"(?:{_alternation(_WEEKDAYS)})(?![a-z])\.?"
_DAY_SPAN = re.compile(rf"(?<![\w-])(?P<a>{_WEEKDAY})\s*[‒–-]\s*(?P<b>{_WEEKDAY})(?![\w-])")


@cache
def _date_span() -> re.Pattern[str]:
    month = _month_pattern()
    date = rf"(?:{month}\s+{_DAY}|{_DAY}\s+{month})(?![\w:/]|[.,]\d)"
    return re.compile(rf"(?<![\w.,/])(?P<a>{date})\s*[‒–-]\s*(?={date})")


def join_date_spans(text: str) -> str:
    """A dash or hyphen between two dates or two weekdays is a range, not a pause: 'Jan.
    20-Feb. 3' 'Jan. 20 to Feb. 3', '20 Jan – 3 Feb'; 'Monday-Friday' or 'Mon.-Fri.' 'Monday to
    Friday' (en-US 'Monday through Friday', as an American newsreader says it). Run by the step
    "dashes", before a dash between words becomes a pause."""
    text = _date_span().sub(r"\g<a> to ", text)
    through = "through" if american() else "to"

    def days(match: re.Match[str]) -> str:
        a, b = (_WEEKDAYS[match[end].rstrip(".")] for end in ("a", "b"))
        stop = match["b"].endswith(".") and _sentence_ends_at(text, match.end())
        return f"{a} {through} {b}" + ("." if stop else "")

    return _DAY_SPAN.sub(days, text)


def _month_name(written: str) -> str:
    return _months()[written.rstrip(".").lower()]


def _day(written: str) -> int:
    return int(re.sub(r"\D", "", written))


def _year_in_date(written: str) -> str:
    year = int(written)
    if len(written) == 2:
        year += 2000 if year < 70 else 1900
    return year_words(year)


def _stop_after_month(match: re.Match[str], text: str) -> str:
    """'5 Dec.' at the end of a sentence: the abbreviation's dot was the full stop too."""
    ends = _sentence_ends_at(text, match.end())
    if match.group("mon").endswith(".") and not match.groupdict().get("y") and ends:
        return "."
    return ""


def _day_month_year(day: int, month: str, year: str | None) -> str:
    spoken = f"{month} {ordinal(day)}" if american() else f"the {ordinal(day)} of {month}"
    return f"{spoken}, {_year_in_date(year)}" if year else spoken


def _numeric_order(first: int, second: int) -> tuple[int, int] | None:
    """(month, day) of a numeric date written `first`/`second`: the house style's order
    (US month first), else the other one when only that is a date (13/02, 02/13)."""
    orders = [(first, second), (second, first)]
    if not american():
        orders.reverse()
    for month, day in orders:
        if 1 <= month <= 12 and 1 <= day <= 31:
            return month, day
    return None


def speak_dates(text: str) -> str:
    """Dates in full words: 'the fifteenth of February, twenty twenty-three' (en-GB),
    'February fifteenth, twenty twenty-three' (en-US)."""
    patterns = _date_patterns()
    months = _month_numbers()

    def iso(match: re.Match[str]) -> str:
        month, day = int(match.group("m")), int(match.group("d"))
        if month not in months or not 1 <= day <= 31:
            return match.group(0)
        return _day_month_year(day, months[month], match.group("y"))

    def numeric(match: re.Match[str]) -> str:
        order = _numeric_order(int(match.group("d")), int(match.group("m")))
        if order is None or (match.group("sep") == "." and len(match.group("y")) != 4):
            return match.group(0)
        month, day = order
        return _day_month_year(day, months[month], match.group("y"))

    def dmy(match: re.Match[str]) -> str:
        preceded_by_the = re.search(r"\bthe\s+$", text[max(0, match.start() - 5) : match.start()])
        the = "" if preceded_by_the else "the "
        month = _month_name(match.group("mon"))
        day = ordinal(_day(match.group("d")))
        if american() and not match.group("of") and not preceded_by_the:
            if match.group("d0"):  # "4-6 July": "July fourth to sixth"
                day = f"{ordinal(_day(match.group('d0')))} to {day}"
            spoken = f"{month} {day}"
        else:
            if match.group("d0"):
                day = f"{ordinal(_day(match.group('d0')))} to the {day}"
            spoken = f"{the}{day} of {month}"
        if match.group("y"):
            spoken += f", {_year_in_date(match.group('y'))}"
        return spoken + _stop_after_month(match, text)

    def mdy(match: re.Match[str]) -> str:
        the = "" if american() else "the "  # "July fourth" / "July the fourth"
        spoken = f"{_month_name(match.group('mon'))} {the}{ordinal(_day(match.group('d')))}"
        if match.group("d2"):
            spoken += f" to {the}{ordinal(_day(match.group('d2')))}"
        if match.group("y"):
            spoken += f", {_year_in_date(match.group('y'))}"
        return spoken

    def my(match: re.Match[str]) -> str:
        return f"{_month_name(match.group('mon'))} {_year_in_date(match.group('y'))}"

    text = _sub(patterns["iso"], iso, text)
    text = _sub(patterns["numeric"], numeric, text)
    text = _sub(patterns["dmy"], dmy, text)
    text = _sub(patterns["mdy"], mdy, text)
    return _sub(patterns["my"], my, text)
