"""Written news text in, the exact text espeak-ng (en-gb) should speak out.

Shaped like python-ftfy: a fixed list of small, pure, named ``str -> str`` steps
(`STEPS`), applied in order; `normalise` also reports which steps changed something.
Each family of steps has its own module (typography, addresses and streets in
`addresses`, phones, states, numbered, abbreviations, acronyms, numerals, dates,
durations, ratios and scores in `scores`, times, ages, money, decades, ranges and spans
in `ranges`, units, rates); number words (`numbers`, through num2words) and the word tables
(`tables`, read once from ``data/speech_*.{tsv,json}``) are shared. Every step looks
only a bounded distance either side of a match, so each is linear in the text.

Step order, and why it is that order:

 1. markup         HTML tags and entities out; espeak must never see markup
 2. invisible      zero-width characters out, non-breaking and odd spaces to spaces
 3. quotes         curly quotes and primes to straight ' and "
 4. dashes         em/en dashes between words to ", " (a pause); between numbers to "-";
                   a dash or spaced hyphen between two clock times, dates or weekdays
                   to "to" (a range; en-US "Monday through Friday")
 5. ellipsis       "…" to "..."
 6. bullets        list bullets dropped
 7. urls           web addresses and e-mails to their spoken domain ("b b c dot co dot uk")
 8. phones         phone numbers (0800 123 4567, 1-800-273-8255, (555) 555-0199) in digit
                   groups, 999/111 digit by digit; early, so no digit group is read as a
                   number, a range or a ZIP code
 9. states         "Phoenix, Ariz.", "D-Mass.", "Austin, TX 78701" (before abbreviations:
                   "Miss." and "Pa." are states there, and the ZIP is read digit by digit)
10. streets        "1211 E. Arques Ave." (house number in pairs, directions, street types,
                   "1st St." "First Street"); before abbreviations, ordinals and numbers
11. numbered       "Flight 1549", "Boeing 737", "I-95", "the 405", "401(k)" in pairs; before
                   acronyms, whose letter-and-number rule would read "I-95" another way
12. spans          '20°C-25°C' '20-25°C', '1960s-80s' '1960s to 80s': a unit on both ends
                   said once; before acronyms (whose code rule reads "C-25"), decades, units
13. abbreviations  Mr, Dr, St (Saint/Street), No. 10, vs, e.g., etc. (data table)
14. acronyms       A&E, acronyms espeak mis-reads (ICU, FTSE), codes (G7, M25, 5G, COP28)
15. roman          regnal numerals after a monarch's name, "World War II", "Chapter IV"
16. dates          full dates (15 February 2023, Feb. 15, 2023, 15/02/2023, 2023-02-15)
17. durations      "2:01:09", "3:43.13" (before ratios and times, which read one colon)
18. ratios         "a 2:1 margin" (before times: a colon between numbers is not always a clock)
19. times          9am, 9.30pm, 09:39, 14:00 (24-hour times are read on the 12-hour clock),
                   ranges (9am-5pm, noon-2 p.m.) and zones ("8 p.m. ET", "8 p.m. (ET)")
20. ages           "a 23-year-old", "John Smith (52)", "under-18s", "U21"
21. money          £20m, $5.99, €300,000, 50p, 1.5bn
22. percent        5%, 5.2 percent, 5-10%
23. scores         "won 2-1", "a 3-0 defeat", "1-1" (0 is "nil", equal scores "all"), a
                   "5-4 decision", a "51-49 vote", a "10-2 record"
24. decades        1990s, '90s, 2000s, "1960s-80s"
25. years          four-digit years in year context, year ranges (2010-15)
26. ranges         5-10 -> "5 to 10", "between 5-10" -> "between 5 and 10"
27. units          km, kg, mph, km/h, °C, m (metres after a number; "20m people" is million),
                   12KG, 3 Mbps, km³, sq ft, mg/kg
28. rates          "$20/mo" -> "twenty dollars a month": after money and units have said
                   the amount, before symbols would read the slash as "or"
29. ordinals       1st, 22nd, 103rd
30. fractions      ½, 2 1/2, 1/3, ratings (4/5 from critics, 8/10), 24/7
31. symbols        & + # @ x2 | / ° ~ =
32. numbers        everything numeric left: cardinals, decimals, negatives, long codes
33. spaces         collapse whitespace, tidy punctuation the earlier steps left behind

Decisions (en-GB; en-US differs where workers.pipeline.speech.style says: no "and"
inside numbers, "zero point", "percent", "July fourth", "a dollar fifty-two", "noon",
"meters"): numbers are said without commas ("one thousand two hundred and fifty"),
0 before a point is "nought", a bare 0 "zero", a 0 in times and codes "oh". 24-hour
times are read on the 12-hour clock: 09:39 "nine thirty-nine", 14:00 "two PM",
12:00 "midday", 00:00 "midnight". Acronyms espeak already says right (NHS, BBC, NATO)
are left as written; ones it reads as words in a short text are dotted (I.C.U.).
Curly quotes become straight quotes, which espeak reads as a short pause, never as words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from workers.pipeline.speech.abbreviations import expand_abbreviations
from workers.pipeline.speech.acronyms import fix_acronyms
from workers.pipeline.speech.addresses import speak_streets, speak_urls
from workers.pipeline.speech.ages import speak_ages
from workers.pipeline.speech.dates import speak_dates
from workers.pipeline.speech.decades import speak_decades, speak_years
from workers.pipeline.speech.durations import speak_durations
from workers.pipeline.speech.money import speak_money, speak_percent
from workers.pipeline.speech.numbered import speak_numbered
from workers.pipeline.speech.numbers import cardinal, digits, number_words, ordinal, year_words
from workers.pipeline.speech.numerals import speak_numbers, speak_ordinals, speak_roman
from workers.pipeline.speech.phones import speak_phones
from workers.pipeline.speech.ranges import speak_ranges, speak_spans
from workers.pipeline.speech.rates import speak_rates
from workers.pipeline.speech.scores import speak_fractions, speak_ratios, speak_scores
from workers.pipeline.speech.states import speak_states
from workers.pipeline.speech.style import DEFAULT_STYLE, speaking_style
from workers.pipeline.speech.times import speak_times
from workers.pipeline.speech.typography import (
    drop_bullets,
    fix_dashes,
    fix_ellipsis,
    fix_invisible,
    speak_symbols,
    straighten_quotes,
    strip_markup,
    tidy_spaces,
)
from workers.pipeline.speech.units import speak_units

__all__ = [
    "STEPS",
    "Spoken",
    "Step",
    "cardinal",
    "digits",
    "normalise",
    "number_words",
    "ordinal",
    "to_spoken",
    "year_words",
]


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
    Step("states", speak_states),
    Step("streets", speak_streets),
    Step("numbered", speak_numbered),
    Step("spans", speak_spans),
    Step("abbreviations", expand_abbreviations),
    Step("acronyms", fix_acronyms),
    Step("roman", speak_roman),
    Step("dates", speak_dates),
    Step("durations", speak_durations),
    Step("ratios", speak_ratios),
    Step("times", speak_times),
    Step("ages", speak_ages),
    Step("money", speak_money),
    Step("percent", speak_percent),
    Step("scores", speak_scores),
    Step("decades", speak_decades),
    Step("years", speak_years),
    Step("ranges", speak_ranges),
    Step("units", speak_units),
    Step("rates", speak_rates),
    Step("ordinals", speak_ordinals),
    Step("fractions", speak_fractions),
    Step("symbols", speak_symbols),
    Step("numbers", speak_numbers),
    Step("spaces", tidy_spaces),
)


def normalise(text: str, style: str = DEFAULT_STYLE) -> Spoken:
    """One paragraph of written text -> spoken text in house `style` (see
    workers.pipeline.speech.style), with the steps that changed it."""
    fired = []
    with speaking_style(style):
        for step in STEPS:
            changed = step.apply(text)
            if changed != text:
                fired.append(step.name)
                text = changed
    return Spoken(text, tuple(fired))


def to_spoken(text: str, style: str = DEFAULT_STYLE) -> str:
    """One paragraph of written text -> the text the engine should speak, in `style`."""
    return normalise(text, style).text
