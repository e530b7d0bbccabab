"""Written news text in, the exact text espeak-ng (en-gb) should speak out.

Shaped like python-ftfy: a fixed list of small, pure, named ``str -> str`` steps
(`STEPS`), applied in order. `normalise` also reports which steps changed something.
Word tables (abbreviations, months, currencies, units, acronyms, context words) live in
``data/speech_*.{tsv,json}`` and are read once, on first use.

Step order, and why it is that order:

 1. markup         HTML tags and entities out; espeak must never see markup
 2. invisible      zero-width characters out, non-breaking and odd spaces to spaces
 3. quotes         curly quotes and primes to straight ' and "
 4. dashes         em/en dashes between words to ", " (a pause); between numbers to "-"
 5. ellipsis       "…" to "..."
 6. bullets        list bullets dropped
 7. urls           web addresses and e-mails to their spoken domain ("b b c dot co dot uk")
 8. phones         phone numbers and 999/111 read digit by digit
 9. abbreviations  Mr, Dr, St (Saint/Street), No. 10, vs, e.g., etc. (data table)
10. acronyms       the few acronyms espeak gets wrong (FTSE, IOPC, MoD ...)
11. roman          regnal numerals after a monarch's name, "World War II", "Grade II"
12. dates          full dates (15 February 2023, Feb. 15, 2023, 15/02/2023, 2023-02-15)
13. times          9am, 9.30pm, 09:39, 14:00 (24-hour times are read on the 12-hour clock)
14. money          £20m, $5.99, €300,000, 50p, 1.5bn
15. percent        5%, 5.2 percent, 5-10%
16. scores         "won 2-1", "a 3-0 defeat", "1-1" (0 is "nil", equal scores "all")
17. decades        1990s, '90s, 2000s
18. years          four-digit years in year context, year ranges (2010-15)
19. ranges         5-10 -> "5 to 10" (the numbers are spoken by later steps)
20. units          km, kg, mph, km/h, °C, m (metres after a number; "20m people" is million)
21. ordinals       1st, 22nd, 103rd
22. fractions      ½, 2 1/2, 3/4, 24/7
23. symbols        & + # @ x2 | / ° ~ =
24. numbers        everything numeric left: cardinals, decimals, negatives, long codes
25. spaces         collapse whitespace, tidy punctuation the earlier steps left behind

Decisions: numbers are said without commas ("one thousand two hundred and fifty"),
0 before a point is "nought", a bare 0 "zero", a 0 in times and codes "oh". 24-hour
times are read on the 12-hour clock: 09:39 "nine thirty-nine", 14:00 "two PM",
12:00 "midday", 00:00 "midnight". Acronyms espeak already spells (NHS, BBC, GMT, BST)
are left as written. Curly quotes become straight quotes, which espeak reads as a
short pause, never as words.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("data")

NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"


@dataclass(frozen=True)
class Spoken:
    """The spoken text and the names of the steps that changed something, in order."""

    text: str
    fired: tuple[str, ...]


@dataclass(frozen=True)
class Step:
    name: str
    apply: Callable[[str], str]


# ---------------------------------------------------------------------------------------
# Data tables, read once


def _rows(name: str) -> list[list[str]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]


@cache
def _words() -> dict:
    return json.loads((DATA / "speech_words.json").read_text(encoding="utf-8"))


def _word_set(key: str) -> frozenset[str]:
    return _word_sets()[key]


@cache
def _word_sets() -> dict[str, frozenset[str]]:
    return {k: frozenset(v) for k, v in _words().items() if isinstance(v, list)}


@dataclass(frozen=True)
class _Sense:
    spoken: str
    where: str
    ends: bool


@cache
def _abbreviations_table() -> dict[str, tuple[_Sense, ...]]:
    table: dict[str, list[_Sense]] = {}
    for row in _rows("speech_abbreviations.tsv"):
        written, spoken, where = row[:3]
        ends = len(row) > 3 and row[3].strip() == "end"
        table.setdefault(written, []).append(_Sense(spoken, where, ends))
    return {k: tuple(v) for k, v in table.items()}


@cache
def _months() -> dict[str, str]:
    """Every written form (lower case, no dot) -> the month's name."""
    forms: dict[str, str] = {}
    for _number, name, *rest in _rows("speech_months.tsv"):
        forms[name.lower()] = name
        for abbreviation in rest[0].split(",") if rest and rest[0] else []:
            forms[abbreviation.strip().lower()] = name
    return forms


@cache
def _month_numbers() -> dict[int, str]:
    return {int(row[0]): row[1] for row in _rows("speech_months.tsv")}


@dataclass(frozen=True)
class _Currency:
    unit: str
    units: str
    minor: str | None
    minors: str | None


@cache
def _currencies() -> dict[str, _Currency]:
    table = {}
    for symbol, unit, units, minor, minors in _rows("speech_currencies.tsv"):
        table[symbol] = _Currency(
            unit, units, None if minor == "-" else minor, None if minors == "-" else minors
        )
    return table


@dataclass(frozen=True)
class _Unit:
    singular: str
    plural: str
    tight: bool


@cache
def _units() -> dict[str, _Unit]:
    return {
        symbol: _Unit(singular, plural, spacing.strip() == "tight")
        for symbol, singular, plural, spacing in _rows("speech_units.tsv")
    }


@cache
def _acronyms() -> dict[str, str]:
    return {written: spoken for written, spoken in _rows("speech_acronyms.tsv")}


def _alternation(forms: Iterable[str]) -> str:
    """A regex alternation of the literal forms, longest first."""
    return "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))


# ---------------------------------------------------------------------------------------
# Number words


@cache
def _num2words() -> Callable[..., str]:
    from num2words import num2words

    return num2words


def cardinal(n: int) -> str:
    """12345 -> 'twelve thousand three hundred and forty-five' (no commas)."""
    words = _num2words()(abs(n), lang="en").replace(",", "")
    return f"minus {words}" if n < 0 else words


def ordinal(n: int) -> str:
    """22 -> 'twenty-second'."""
    return _num2words()(n, lang="en", to="ordinal").replace(",", "")


def year_words(year: int) -> str:
    """1990 'nineteen ninety', 1905 'nineteen oh five', 1900 'nineteen hundred',
    2005 'two thousand and five', 2023 'twenty twenty-three'."""
    if year == 2000:
        return "two thousand"
    if 2001 <= year <= 2009:
        return f"two thousand and {cardinal(year - 2000)}"
    if not 1000 <= year <= 2099:
        return cardinal(year)
    high, low = divmod(year, 100)
    if low == 0:
        return f"{cardinal(high)} hundred"
    if low < 10:
        return f"{cardinal(high)} oh {cardinal(low)}"
    return f"{cardinal(high)} {cardinal(low)}"


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
    head = "nought" if int(whole or "0") == 0 else cardinal(int(whole))
    return f"{sign}{head} point {' '.join(_digit(d, 'nought') for d in fraction)}"


def _is_one(written: str) -> bool:
    return written.replace(",", "") == "1"


def _plural(word: str) -> str:
    return word[:-1] + "ies" if word.endswith("y") else word + "s"


# ---------------------------------------------------------------------------------------
# Context helpers (the words either side of a match)

_WORD_BEFORE = re.compile(r"([A-Za-z]+)['’]?[ \t-]*$")
_WORD_AFTER = re.compile(r"[ \t]+([A-Za-z][\w'’]*)")


def _word_before(text: str, start: int) -> str | None:
    match = _WORD_BEFORE.search(text[max(0, start - 40) : start])
    return match.group(1) if match else None


def _word_after(text: str, end: int) -> str | None:
    match = _WORD_AFTER.match(text, end)
    return match.group(1) if match else None


def _attributive(text: str, match: re.Match[str]) -> bool:
    """'a £20m deal', 'the 100m final': the amount describes the noun after it, so the
    unit is said in the singular ('a twenty million pound deal')."""
    if re.match(r"-[a-z]", text[match.end() : match.end() + 2]):
        return True  # "a £1bn-a-year scheme", "a 10km-long queue"
    before = _word_before(text, match.start())
    after = _word_after(text, match.end())
    return bool(
        before
        and before.lower() in _word_set("determiners")
        and after
        and after[0].islower()
        and after.lower() not in _word_set("not_nouns")
    )


def _counted(word: str | None) -> bool:
    """A word that says the number before it counts things ('people', 'homes')."""
    if not word:
        return False
    lower = word.lower()
    if lower in _word_set("counted"):
        return True
    return (
        word[0].islower()
        and len(word) > 3
        and lower.endswith("s")
        and not lower.endswith(("ss", "us", "is", "'s", "’s"))
        and lower not in _word_set("year_after")
    )


_SENTENCE_START = re.compile(r"[.!?][\"')\]]*\s+[\"'(\[]*$")


def _starts_sentence(text: str, start: int) -> bool:
    before = text[:start]
    return not before.strip(" \"'([") or bool(_SENTENCE_START.search(before[-12:]))


def _sub(pattern: re.Pattern[str], say: Callable[[re.Match[str]], str], text: str) -> str:
    """pattern.sub(say, text), keeping a capital where a sentence starts with the match."""

    def keep_capital(match: re.Match[str]) -> str:
        spoken = say(match)
        written = match.group(0)
        if (
            spoken[:1].islower()
            and spoken != written
            and not written[:1].islower()
            and _starts_sentence(text, match.start())
        ):
            return spoken[0].upper() + spoken[1:]
        return spoken

    return pattern.sub(keep_capital, text)


# ---------------------------------------------------------------------------------------
# 1-6 Typography

_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_INLINE_TAG = re.compile(
    r"</?(?:a|b|i|u|em|strong|span|small|mark|sup|sub|abbr|cite|q|s|code|font)\b[^>]*>",
    re.IGNORECASE,
)
_TAG = re.compile(r"<(?:/?[A-Za-z][^<>]*|!--.*?--|![^<>]*)>", re.DOTALL)
_ENTITY_LEFT = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);")


def strip_markup(text: str) -> str:
    """Drop HTML tags (inline ones without a gap), decode entities, drop unknown ones."""
    text = _SCRIPT.sub(" ", text)
    text = _INLINE_TAG.sub("", text)
    text = _TAG.sub(" ", text)
    text = html.unescape(text)
    text = _INLINE_TAG.sub("", text)
    text = _TAG.sub(" ", text)
    return _ENTITY_LEFT.sub("", text)


_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_ODD_SPACE = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t\r\n\f\v]")


def fix_invisible(text: str) -> str:
    """Zero-width characters and soft hyphens out; non-breaking and odd spaces to ' '."""
    return _ODD_SPACE.sub(" ", _ZERO_WIDTH.sub("", text))


_QUOTES = str.maketrans(
    {
        "“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"', "〝": '"', "〞": '"',
        "″": '"', "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "‹": "'", "›": "'",
        "`": "'",
    }
)  # fmt: skip


def straighten_quotes(text: str) -> str:
    """Curly quotes, guillemets and primes to straight ' and "."""
    return text.translate(_QUOTES).replace("''", '"')


_DASH_NUMBERS = re.compile(r"(?<=\d)\s?[‒–]\s?(?=[£$€]?\d)")
_DASH_JOINED = re.compile(r"(?<=[A-Za-z])[‒–](?=[A-Za-z])")
_DASH_PAUSE = re.compile(r"\s*(?:[‒–—―⸺⸻]+|--+)\s*")
_SPACED_HYPHEN = re.compile(r"(?<!\d)\s+-+(?=\s)|\s+-+(?=\s+(?![£$€]?\d))|\s+-+$")


def fix_dashes(text: str) -> str:
    """Dashes between words become ', ' (a pause); between numbers a hyphen (a range)."""
    text = text.replace("−", "-")
    text = _DASH_NUMBERS.sub("-", text)
    text = _DASH_JOINED.sub("-", text)
    text = _DASH_PAUSE.sub(", ", text)
    text = _SPACED_HYPHEN.sub(",", text)
    return re.sub(r"^[\s,]+", "", text) if text.startswith((", ", ",")) else text


def fix_ellipsis(text: str) -> str:
    """'…' and '. . .' to '...'."""
    return re.sub(r"\.\s\.\s\.", "...", text.replace("…", "..."))


_BULLET_LEAD = re.compile(r"^\s*[•●◦▪▫■□►▶➢‣⁃∙·*-]+\s+")
_BULLET_MID = re.compile(r"\s+[•●◦▪▫■□►▶➢‣⁃∙]\s+(?=\S)")
_BULLET = re.compile(r"\s*[•●◦▪▫■□►▶➢‣⁃∙]+\s*")


def drop_bullets(text: str) -> str:
    """A leading list bullet is dropped; a bullet used as a separator becomes ', '."""
    text = _BULLET_MID.sub(", ", _BULLET_LEAD.sub("", text))
    return _BULLET.sub(" ", text).strip() if _BULLET.search(text) else text


# ---------------------------------------------------------------------------------------
# 7-8 Addresses and phone numbers


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


def speak_urls(text: str) -> str:
    """URLs and bare domains to their spoken domain; the path is dropped."""
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
    return domain.sub(lambda m: _say_domain(m.group(1)), text)


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
        if match.group(3):
            return digits(match.group(3))
        return match.group(1) + digits(match.group(2))

    return _short_numbers().sub(say_short, text)


# ---------------------------------------------------------------------------------------
# 9-11 Abbreviations, acronyms, Roman numerals

_NAME_AFTER = re.compile(r"\s+[A-Z][A-Za-z'’-]*[a-z]")
_CAP_BEFORE = re.compile(r"[A-Z][A-Za-z'’.-]*\s+$")
_NEXT_WORD = re.compile(r"\s+([A-Za-z]+)")


@cache
def _abbreviation_pattern() -> re.Pattern[str]:
    forms = _alternation(_abbreviations_table())
    return re.compile(rf"(?<![\w.])(?P<w>{forms})(?P<dot>(?<!\.)\.)?(?![\w])")


def _sense_fits(sense: _Sense, before: str, after: str, dotted: bool) -> bool:
    if sense.where == "title":
        if not _NAME_AFTER.match(after):
            return False
        if dotted and _CAP_BEFORE.search(before):
            following = _NEXT_WORD.match(after)
            if following and following.group(1) in _word_set("sentence_starters"):
                return False  # "Baker St. The house ..." is a street, then a sentence
        return True
    if sense.where == "after":
        return bool(_CAP_BEFORE.search(before)) and not re.match(r"\s*\d", after)
    if sense.where == "number":
        return bool(re.match(r"\s*\d", after))
    if sense.where == "between":
        return bool(_CAP_BEFORE.search(before)) and bool(re.match(r"\s+[A-Z]", after))
    return sense.where == "any"


def expand_abbreviations(text: str) -> str:
    """Titles, street words, 'No. 10', 'vs', 'e.g.', 'etc.' from the abbreviations table."""
    table = _abbreviations_table()

    def say(match: re.Match[str]) -> str:
        written = match.group("w")
        dotted = bool(match.group("dot")) or written.endswith(".")
        before = text[max(0, match.start() - 60) : match.start()]
        after = text[match.end() : match.end() + 60]
        for sense in table[written]:
            if _sense_fits(sense, before, after, dotted):
                keep_stop = sense.ends and dotted and re.match(r"\s*$|\s+[A-Z\"']", after)
                return sense.spoken + ("." if keep_stop else "")
        return match.group(0)

    return _sub(_abbreviation_pattern(), say, text)


@cache
def _acronym_pattern() -> re.Pattern[str]:
    return re.compile(rf"(?<![\w])({_alternation(_acronyms())})(?![A-Za-z])")


def fix_acronyms(text: str) -> str:
    """The few acronyms espeak-ng mis-reads, from the acronyms table."""
    table = _acronyms()

    def say(match: re.Match[str]) -> str:
        spoken = table[match.group(1)]
        following = text[match.end() : match.end() + 1]
        return spoken + (" " if following.isdigit() and not spoken[-1].isdigit() else "")

    return _acronym_pattern().sub(say, text)


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


# ---------------------------------------------------------------------------------------
# 12-13 Dates and times

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
            rf"(?<![\w.,/])(?:(?P<d0>{_DAY})(?:-|\s-\s|\s+(?:to|and)\s+))?(?P<d>{_DAY})\s+(?:of\s+)?"
            rf"(?P<mon>{month})(?:,?\s+{year})?"
        ),
        "mdy": re.compile(
            rf"(?<![\w])(?P<mon>{month})\s+(?P<d>{_DAY})(?:(?:-|\s-\s|\s+to\s+)(?P<d2>{_DAY}))?"
            rf"(?![\w:/]|[.,]\d)(?:,?\s+{year})?"
        ),
        "my": re.compile(rf"(?<![\w])(?P<mon>{month})\s+{year}"),
    }


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
    ends = re.match(r"\s*$|\s+[A-Z\"']", text[match.end() :])
    if match.group("mon").endswith(".") and not match.groupdict().get("y") and ends:
        return "."
    return ""


def _day_month_year(day: int, month: str, year: str | None) -> str:
    spoken = f"the {ordinal(day)} of {month}"
    return f"{spoken}, {_year_in_date(year)}" if year else spoken


def speak_dates(text: str) -> str:
    """Dates in full words: 'the fifteenth of February, twenty twenty-three' (UK day-first)."""
    patterns = _date_patterns()
    months = _month_numbers()

    def iso(match: re.Match[str]) -> str:
        month, day = int(match.group("m")), int(match.group("d"))
        if month not in months or not 1 <= day <= 31:
            return match.group(0)
        return _day_month_year(day, months[month], match.group("y"))

    def numeric(match: re.Match[str]) -> str:
        month, day = int(match.group("m")), int(match.group("d"))
        if month not in months or not 1 <= day <= 31:
            return match.group(0)
        if match.group("sep") == "." and len(match.group("y")) != 4:
            return match.group(0)
        return _day_month_year(day, months[month], match.group("y"))

    def dmy(match: re.Match[str]) -> str:
        preceded_by_the = re.search(r"\bthe\s+$", text[max(0, match.start() - 5) : match.start()])
        the = "" if preceded_by_the else "the "
        month = _month_name(match.group("mon"))
        day = ordinal(_day(match.group("d")))
        if match.group("d0"):
            day = f"{ordinal(_day(match.group('d0')))} to the {day}"
        spoken = f"{the}{day} of {month}"
        if match.group("y"):
            spoken += f", {_year_in_date(match.group('y'))}"
        return spoken + _stop_after_month(match, text)

    def mdy(match: re.Match[str]) -> str:
        spoken = f"{_month_name(match.group('mon'))} the {ordinal(_day(match.group('d')))}"
        if match.group("d2"):
            spoken += f" to the {ordinal(_day(match.group('d2')))}"
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


_AM_PM = re.compile(
    r"(?<![\w:.,/])(?:(?P<h0>1[0-2]|0?[1-9])(?:[:.](?P<m0>[0-5]\d))?(?:-|\s-\s|\s+to\s+))?"
    r"(?P<h>1[0-2]|0?[1-9])(?:[:.](?P<m>[0-5]\d))?\s?(?P<ap>[aApP])(?:\.[mM]\.?|[mM])(?![\w])"
)
_CLOCK_24 = re.compile(
    r"(?<![\w:.,/])(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)(?![\d:])(?:\s?(?:hrs|h)(?![\w]))?"
)
_TIME_RANGE = re.compile(r"(?<=\b[AP]M)(?:-|\s-\s)(?=\w)")


def _clock(hour: int, minute: int) -> str:
    if minute == 0:
        return cardinal(hour)
    if minute < 10:
        return f"{cardinal(hour)} oh {cardinal(minute)}"
    return f"{cardinal(hour)} {cardinal(minute)}"


def speak_times(text: str) -> str:
    """9am 'nine AM', 9.30pm 'nine thirty PM', 09:39 'nine thirty-nine', 14:00 'two PM',
    10:05 'ten oh five'. AM/PM, not 'a.m.': espeak-ng ends the sentence after 'a.m.' when
    a capital follows ('9am BST'), and says 'a m' as 'uh em'."""

    def am_pm(match: re.Match[str]) -> str:
        spoken = _clock(int(match.group("h")), int(match.group("m") or 0))
        if match.group("h0"):
            start = _clock(int(match.group("h0")), int(match.group("m0") or 0))
            spoken = f"{start} to {spoken}"
        ends = match.group(0).endswith(".") and re.match(r"\s*$|\s+[A-Z\"']", text[match.end() :])
        return f"{spoken} {match.group('ap').upper()}M" + ("." if ends else "")

    def clock_24(match: re.Match[str]) -> str:
        hour, minute = int(match.group("h")), int(match.group("m"))
        if (hour, minute) == (0, 0):
            return "midnight"
        if (hour, minute) == (12, 0):
            return "midday"
        if hour == 0:
            return f"{_clock(12, minute)} AM"
        if hour < 12:
            return f"{cardinal(hour)} o'clock" if minute == 0 else _clock(hour, minute)
        return f"{_clock(hour - 12 if hour > 12 else 12, minute)} PM"

    text = _sub(_AM_PM, am_pm, text)
    text = _sub(_CLOCK_24, clock_24, text)
    return _TIME_RANGE.sub(" to ", text)


# ---------------------------------------------------------------------------------------
# 14-16 Money, percentages, scores


@cache
def _money_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    currency = _alternation(_currencies())
    scales = {k: v for k, v in _words()["scales"].items() if not k.startswith("_")}
    scale = rf"(?:{_alternation(scales)})(?![A-Za-z])"
    money = re.compile(
        rf"(?<![\w])(?P<cur>{currency})\s?(?P<a>{NUM})(?:\s?(?P<sa>{scale}))?"
        rf"(?:(?:-|\s-\s|\s+to\s+)(?:{currency})?(?P<b>{NUM})(?:\s?(?P<sb>{scale}))?)?"
    )
    pence = re.compile(r"(?<![\w./])(?P<n>\d+(?:\.\d+)?)p(?![\w])")
    big = re.compile(rf"(?<![\w./])(?P<n>{NUM})\s?(?P<s>bn|trn|tn|mn)(?![A-Za-z])")
    return money, pence, big


def _scale(written: str | None) -> str:
    return _words()["scales"][written] if written else ""


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
            return f"{first} to {second} {unit}"
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
        unit = currency.unit if whole == "1" else currency.units
        return f"{cardinal(int(whole))} {unit} {cardinal(minor)}"

    def say_pence(match: re.Match[str]) -> str:
        amount = match.group("n")
        return f"{number_words(amount)} {'penny' if amount == '1' else 'pence'}"

    text = _sub(money, say, text)
    text = _sub(pence, say_pence, text)
    return _sub(big, lambda m: f"{number_words(m.group('n'))} {_scale(m.group('s'))}", text)


_PERCENT = re.compile(
    rf"(?<![\w./])(?P<a>[-+]?(?:{NUM}))(?:\s?%?(?:-|\s-\s|\s+to\s+)(?P<b>-?(?:{NUM})))?"
    r"\s?(?:%|per\s?cent|percent|pc)(?![\w])"
)


def speak_percent(text: str) -> str:
    """5% 'five per cent', 5.2 percent 'five point two per cent', 5-10% 'five to ten per cent'."""

    def say(match: re.Match[str]) -> str:
        spoken = number_words(match.group("a"))
        if match.group("b"):
            spoken += f" to {number_words(match.group('b'))}"
        return f"{spoken} per cent"

    return _sub(_PERCENT, say, text)


_SCORE = re.compile(r"(?<![\w.,/-])(?P<a>\d{1,2})-(?P<b>\d{1,2})(?![\w-]|[.,]\d|\s?%)")


def _score_word(n: int) -> str:
    return "nil" if n == 0 else cardinal(n)


def speak_scores(text: str) -> str:
    """'won 2-1' 'won two-one', 'a 3-0 defeat' 'a three-nil defeat', '1-1' 'one-all'.

    A hyphenated pair is a score after a result word, before one, between two names
    ('Arsenal 2-1 Spurs'), or when it does not go up (ranges go up: 5-10)."""
    before_words = _word_set("score_before")
    after_words = _word_set("score_after")

    def say(match: re.Match[str]) -> str:
        a, b = int(match.group("a")), int(match.group("b"))
        before = _word_before(text, match.start())
        after = _word_after(text, match.end())
        by_context = (before or "").lower() in before_words or (after or "") in after_words
        by_names = (
            before is not None
            and before[:1].isupper()
            and bool(after and after[0].isupper())
            and before.lower() not in _months()
        )
        descending = a >= b and a <= 20 and not _counted(after)
        if not (by_context or by_names or descending):
            return match.group(0)
        if a == b:
            return f"{_score_word(a)}-all" if a else "nil-nil"
        return f"{_score_word(a)}-{_score_word(b)}"

    return _sub(_SCORE, say, text)


# ---------------------------------------------------------------------------------------
# 17-19 Decades, years, ranges

_DECADE = re.compile(
    r"(?<![\w'])(?:(?P<full>(?:1[0-9]|20)\d0)|'(?P<short>\d)0|(?P<bare>[2-9])0)'?s(?![\w])"
)
_SHORT_DECADES = {0: "noughties", 1: "tens"}
_MANY = re.compile(r"(?<![\w,.])(100|1,000|1000)s(?= of\b)")


def speak_decades(text: str) -> str:
    """1990s 'nineteen nineties', '90s 'nineties', 2000s 'two thousands', 40s 'forties';
    '1,000s of' 'thousands of'."""

    def say(match: re.Match[str]) -> str:
        if match.group("full"):
            head, _, last = year_words(int(match.group("full"))).rpartition(" ")
            return f"{head} {_plural(last)}".strip()
        tens = int(match.group("short") or match.group("bare"))
        return _SHORT_DECADES.get(tens) or _plural(cardinal(tens * 10))

    text = _sub(_DECADE, say, text)
    return _sub(_MANY, lambda m: "hundreds" if m.group(1) == "100" else "thousands", text)


_YEAR = re.compile(
    r"(?<![\w.,£$€'/])(?<!\d-)(?P<y>1\d\d\d|20\d\d)"
    r"(?:\s?[-/]\s?(?P<y2>\d{4}|\d{2}))?(?![\w]|[.,:]\d|-\d)"
)
_YEAR_PAIR_BEFORE = re.compile(
    r"\b(?:from|between|in|since|of)\s+(?:1[1-9]\d\d|20\d\d)\s+(?:to|and|or|until|till)\s+$",
    re.IGNORECASE,
)


def _looks_like_year(text: str, match: re.Match[str]) -> bool:
    """Year context: after in/since/by/of/until/a month, or standing alone; not counting."""
    after = _word_after(text, match.end())
    if _counted(after):
        return False
    before = _word_before(text, match.start())
    lower = (before or "").lower()
    if lower in _word_set("year_before") or lower in _months():
        return True
    if _YEAR_PAIR_BEFORE.search(text[max(0, match.start() - 40) : match.start()]):
        return True
    if lower in _word_set("quantity_before"):
        return False
    rest = text[match.end() :].lstrip(" ")
    if not rest or not rest[0].isalnum():
        return True  # standing alone: "(1990)", "in 1990.", "2023: a review"
    return bool(after and (after[0].isupper() or after.lower() in _word_set("year_after")))


def speak_years(text: str) -> str:
    """Four-digit years 1100-2099 in year context; '2010-2015' 'twenty ten to twenty fifteen',
    '2022/23' 'twenty twenty-two to twenty-three'."""

    def say(match: re.Match[str]) -> str:
        year = int(match.group("y"))
        second = match.group("y2")
        if second:
            end = int(second) if len(second) == 4 else year // 100 * 100 + int(second)
            if not (year < end <= 2099) or _counted(_word_after(text, match.end())):
                return match.group(0)
            short = len(second) == 2 and end % 100 >= 10  # "1939-45": "... to forty-five"
            return f"{year_words(year)} to {cardinal(end % 100) if short else year_words(end)}"
        before = (_word_before(text, match.start()) or "").lower()
        if year < 1100 and before not in _word_set("early_year_before"):
            return match.group(0)  # 1000-1099 only where nothing but a year fits: "in 1066"
        return year_words(year) if _looks_like_year(text, match) else match.group(0)

    return _sub(_YEAR, say, text)


_RANGE = re.compile(rf"(?<![\w.,/-])(?P<a>{NUM})(?:-|\s-\s)(?P<b>{NUM})(?![\d-]|\.\d)")


def speak_ranges(text: str) -> str:
    """'5-10' to '5 to 10' (the numbers themselves are spoken later)."""
    return _RANGE.sub(r"\g<a> to \g<b>", text)


# ---------------------------------------------------------------------------------------
# 20-22 Units, ordinals, fractions


@cache
def _unit_pattern() -> re.Pattern[str]:
    units = _alternation(_units())
    return re.compile(
        rf"(?<![\w./])(?P<neg>-)?(?P<a>{NUM})(?:(?:-|\s-\s|\s+to\s+)(?P<b>{NUM}))?"
        rf"(?P<gap>\s?)(?P<u>{units})(?![\w/²])"
    )


_FEET_INCHES = re.compile(r"(?<![\w.])(\d+)\s?(?:ft|')\s?(\d{1,2})\s?(?:in|\")(?![\w])")
_HOURS_MINUTES = re.compile(r"(?<![\w.])(\d+)\s?h(?:rs?)?\s?(\d{1,2})\s?m(?:ins?)?(?![\w])")


def _hours_minutes(match: re.Match[str]) -> str:
    hours, minutes = int(match.group(1)), int(match.group(2))
    hour_word = "hour" if hours == 1 else "hours"
    minute_word = "minute" if minutes == 1 else "minutes"
    return f"{cardinal(hours)} {hour_word} {cardinal(minutes)} {minute_word}"


def speak_units(text: str) -> str:
    """10km 'ten kilometres', -5C 'minus five degrees Celsius', 'a 10km race' 'a ten
    kilometre race'. '20m' is metres unless it counts something ('20m people': million);
    then every bare 'm' in the paragraph not before a distance word ('long') is million."""
    units = _units()
    millions = any(  # "2.5m people ... 7.6m in 2023": this paragraph's m is million
        _counted(_word_after(text, m.end())) for m in re.finditer(r"\dm(?![\w/²])", text)
    )

    def say(match: re.Match[str]) -> str:
        written = match.group("u")
        unit = units[written]
        if unit.tight and match.group("gap"):
            return match.group(0)
        a, b = match.group("a"), match.group("b")
        sign = "-" if match.group("neg") else ""
        spoken = number_words(sign + a) + (f" to {number_words(b)}" if b else "")
        if written == "m" and not match.group("gap"):
            after = _word_after(text, match.end())
            if _counted(after) or (
                millions
                and (after or "").lower() not in _word_set("metre_words")
                and not _attributive(text, match)
            ):
                return f"{spoken} million"
        singular = (not b and _is_one(a)) or (
            _attributive(text, match) and " per " not in unit.singular
        )
        return f"{spoken} {unit.singular if singular else unit.plural}"

    text = _sub(_HOURS_MINUTES, _hours_minutes, text)
    text = _sub(_FEET_INCHES, lambda m: f"{cardinal(int(m[1]))} foot {cardinal(int(m[2]))}", text)
    return _sub(_unit_pattern(), say, text)


_ORDINAL = re.compile(r"(?<![\w./])(?P<n>\d{1,3}(?:,\d{3})+|\d+)(?:st|nd|rd|th)(?![\w])")


def speak_ordinals(text: str) -> str:
    """1st 'first', 22nd 'twenty-second', 103rd 'one hundred and third'."""
    return _sub(_ORDINAL, lambda m: ordinal(int(m.group("n").replace(",", ""))), text)


_DIGIT_FRACTION = re.compile(
    r"(?<![\w/.])(?:(?P<w>\d+)\s)?(?P<n>\d{1,3})/(?P<d>\d{1,3})(?![\w/]|\.\d)"
)
_FRACTION_NAMES = {2: ("half", "halves"), 4: ("quarter", "quarters")}


def _fraction(numerator: int, denominator: int) -> str:
    one, many = _FRACTION_NAMES.get(denominator) or (
        ordinal(denominator),
        ordinal(denominator) + "s",
    )
    if numerator == 1:
        return f"{'an' if one[0] in 'aeio' else 'a'} {one}"
    return f"{cardinal(numerator)} {many}"


def speak_fractions(text: str) -> str:
    """½ 'a half', 2½ or 2 1/2 'two and a half', 3/4 'three quarters', 8/10 'eight out of ten'."""
    words = _words()
    phrases = {k: v for k, v in words["slash_phrases"].items() if not k.startswith("_")}
    vulgar = {k: v for k, v in words["fractions"].items() if not k.startswith("_")}
    text = re.sub(
        rf"(?<![\w/])({_alternation(phrases)})(?![\w/])", lambda m: phrases[m.group(1)], text
    )
    text = re.sub(
        rf"(?<![\w./])(?:(\d+)\s?)?([{''.join(vulgar)}])",
        lambda m: (f"{cardinal(int(m.group(1)))} and " if m.group(1) else "") + vulgar[m.group(2)],
        text,
    )

    def say(match: re.Match[str]) -> str:
        numerator, denominator = int(match.group("n")), int(match.group("d"))
        whole = match.group("w")
        if denominator in (10, 100) and not whole and numerator <= denominator:
            return f"{cardinal(numerator)} out of {cardinal(denominator)}"
        if not (2 <= denominator <= 10 and 1 <= numerator < denominator):
            return match.group(0)
        spoken = _fraction(numerator, denominator)
        return f"{cardinal(int(whole))} and {spoken}" if whole else spoken

    return _sub(_DIGIT_FRACTION, say, text)


# ---------------------------------------------------------------------------------------
# 23-25 Symbols, numbers, spaces

_AMPERSAND = re.compile(r"(?<![A-Z])\s*&\s*|\s*&\s*(?![A-Z])")  # A&E, P&O, M&S stay
_SYMBOLS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"(?<=\d)\s?\+(?=\s?\d)", " plus "),
        (r"(?<=[\w)])\+(?![\w])", " plus"),
        (r"(?<![\w])\+(?=\d)", "plus "),
        (r"(?<=\s)\+(?=\s)", "plus"),
        (r"#(?=\d)", "number "),
        (r"(?<![\w&])#(?=[A-Za-z])", "hashtag "),
        (r"(?<=\s)#(?=\s)", ""),
        (r"(?<![\w])@(?=\w)", "at "),
        (r"(?<=\s)@(?=\s)", "at"),
        (r"(?<![\w])x(?=\d+(?![\w.]))", "times "),
        (r"(?<=\d)x(?![\w])", " times"),
        (r"\s*\|\s*", ", "),
        (r"\band/or\b", "and or"),
        (r"(?<=[A-Za-z])/(?=[A-Za-z])", " or "),
        (r"(?<=\d)/(?=\d)", " slash "),
        (r"(?<=\d)\s?°", " degrees"),
        (r"~\s?(?=\d)", "about "),
        (r"(?<=\s)=(?=\s)", "equals"),
        (r"(?<=\s)<(?=\s)", "less than"),
        (r"(?<=\s)>(?=\s)", "more than"),
        (r"[*†‡]+", ""),
    )
)


def speak_symbols(text: str) -> str:
    """& 'and' (A&E kept), + 'plus', #1 'number 1', #tag 'hashtag tag', @ 'at', x2 'times 2'."""
    text = _AMPERSAND.sub(" and ", text)
    for pattern, replacement in _SYMBOLS:
        text = pattern.sub(replacement, text)
    return text


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


def tidy_spaces(text: str) -> str:
    """One space between words; no space before punctuation; no stray or doubled commas."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+-+(?=\s)", ",", text)  # a spaced hyphen left between words: a pause
    text = re.sub(r"\s+([,.;:!?)\]])", r"\1", text)
    text = re.sub(r"([(\[])\s+", r"\1", text)
    text = re.sub(r",(?:\s*,)+", ",", text)
    text = re.sub(r",\s*([.;:!?])", r"\1", text)
    text = re.sub(r"\(\s*\)", "", text)
    text = re.sub(r"^[,;:]\s*", "", text)
    text = re.sub(r"\s*,$", "", text)
    return re.sub(r" {2,}", " ", text).strip()


# ---------------------------------------------------------------------------------------
# The pipeline

STEPS: tuple[Step, ...] = (
    Step("markup", strip_markup),
    Step("invisible", fix_invisible),
    Step("quotes", straighten_quotes),
    Step("dashes", fix_dashes),
    Step("ellipsis", fix_ellipsis),
    Step("bullets", drop_bullets),
    Step("urls", speak_urls),
    Step("phones", speak_phones),
    Step("abbreviations", expand_abbreviations),
    Step("acronyms", fix_acronyms),
    Step("roman", speak_roman),
    Step("dates", speak_dates),
    Step("times", speak_times),
    Step("money", speak_money),
    Step("percent", speak_percent),
    Step("scores", speak_scores),
    Step("decades", speak_decades),
    Step("years", speak_years),
    Step("ranges", speak_ranges),
    Step("units", speak_units),
    Step("ordinals", speak_ordinals),
    Step("fractions", speak_fractions),
    Step("symbols", speak_symbols),
    Step("numbers", speak_numbers),
    Step("spaces", tidy_spaces),
)


def normalise(text: str) -> Spoken:
    """One paragraph of written text -> spoken text, with the steps that changed it."""
    fired = []
    for step in STEPS:
        changed = step.apply(text)
        if changed != text:
            fired.append(step.name)
            text = changed
    return Spoken(text, tuple(fired))


def to_spoken(text: str) -> str:
    """One paragraph of written text -> the text espeak-ng should speak."""
    return normalise(text).text
