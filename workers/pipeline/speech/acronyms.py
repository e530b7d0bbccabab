"""Acronyms: spelled, said as words, or letter-and-number codes."""

from __future__ import annotations

import re
from functools import cache

from workers.pipeline.speech.numbers import cardinal, digits
from workers.pipeline.speech.tables import _acronyms, _alternation, _codes


@cache
def _acronym_pattern() -> re.Pattern[str]:
    rewritten = [written for written, spoken in _acronyms().items() if spoken != "="]
    return re.compile(rf"(?<![\w.])({_alternation(rewritten)})(?![A-Za-z])")


@cache
def _code_table_pattern() -> re.Pattern[str]:
    return re.compile(rf"(?<![\w.-])({_alternation(_codes())})(?![\w-])")


_CODE = re.compile(
    r"(?<![\w.&/-])(?!U-?(?:1\d|2[0-3])s?\b)(?P<letters>[A-Z]{1,3})-?(?P<number>\d{1,3})(?![\w/]|[.,:]\d)"
)  # "U21" is left to the ages step ("under-twenty-one")
_MIXED = re.compile(
    r"(?<![\w.&/-])(?P<code>[A-Z]{1,3}\d{1,3}(?:-?[A-Z]{1,3}\d{0,3})+)(?![\w/]|[.,:]\d)"
)  # "A1C", "B2B", "M1A1", "R2-D2": letters and numbers taking turns
_LETTER_PAIR = re.compile(r"(?<![\w&])([A-Z])&([A-Z])(?![\w&])")


def code_number(written: str) -> str:
    """The number in a code: '25' 'twenty-five', '380' 'three eighty', '007' 'oh oh seven'."""
    if written.startswith("0"):
        return digits(written)
    number = int(written)
    if number < 100 or number % 100 == 0:
        return cardinal(number)
    head, rest = divmod(number, 100)
    return f"{cardinal(head)} {'oh ' if rest < 10 else ''}{cardinal(rest)}"


def fix_acronyms(text: str) -> str:
    """'A&E' 'A-and-E'; the acronyms espeak-ng mis-reads, from the acronyms table
    ('ICU' 'I.C.U.'); codes: 'G7' 'G seven', 'M25' 'M twenty-five', 'COP28' 'Cop
    twenty-eight', '5G' 'five G' (the codes table)."""
    table = _acronyms()
    codes = _codes()
    text = _LETTER_PAIR.sub(r"\1-and-\2", text)
    text = _code_table_pattern().sub(lambda m: codes[m.group(1)], text)

    def say(match: re.Match[str]) -> str:
        spoken = table[match.group(1)]
        following = text[match.end() : match.end() + 1]
        if spoken.endswith(".") and following == ".":
            spoken = spoken[:-1]  # "in ICU." is "in I.C.U.", not "I.C.U.."
        return spoken + (" " if following.isdigit() and not spoken[-1].isdigit() else "")

    text = _acronym_pattern().sub(say, text)
    text = _MIXED.sub(_say_mixed, text)
    return _CODE.sub(_say_code, text)


def _say_mixed(match: re.Match[str]) -> str:
    """'A1C' 'A one C', 'R2-D2' 'R two D two': each run of letters as written (espeak
    spells a short capital run), each run of digits as a code's number."""
    runs = re.findall(r"[A-Z]+|\d+", match.group("code"))
    spoken = " ".join(code_number(run) if run.isdigit() else run for run in runs)
    return re.sub(r"^([AI]) ", r"\1-", spoken)  # as in _say_code: "A-one", not "uh one"


def _say_code(match: re.Match[str]) -> str:
    """'G7' 'G seven'; a lone A or I is joined on ('A-one'), or espeak says 'uh one'."""
    letters = match.group("letters")
    joint = "-" if letters in ("A", "I") else " "
    return f"{letters}{joint}{code_number(match.group('number'))}"


@cache
def known_acronyms() -> frozenset[str]:
    """Every acronym the table has, whether it is rewritten or left as written."""
    return frozenset(_acronyms())


def is_code(word: str) -> bool:
    """A letters-and-number code the general rule reads ('G7', 'M25')."""
    return bool(_CODE.fullmatch(word)) or word in _codes()
