"""The word tables in ``workers/pipeline/speech/data/speech_*``, each read once, on first use."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# A clock time as written: "9am", "10:30 a.m.", "14:00", "noon" (the step "dashes" keeps a
# dash between two of them a range, the step "times" says that range with "to")
CLOCK = (
    r"(?<![\w:.,/])(?:(?:1[0-2]|0?[1-9])(?:[:.][0-5]\d)?\s?[aApP]\.?[mM](?![\w])\.?"
    r"|(?:[01]?\d|2[0-3]):[0-5]\d(?![\d:])|[Nn]oon(?![\w])|[Mm]idnight(?![\w]))"
)


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
def _zones() -> dict[str, str]:
    """Time zones written after a clock time -> how they are said ("ET" "Eastern time")."""
    return {written: spoken for written, spoken in _rows("speech_zones.tsv")}


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
    """Written -> spoken; "=" when espeak-ng says it right as written."""
    table = {}
    for written, spoken in _rows("speech_acronyms.tsv"):
        if spoken == ".":
            spoken = "".join(f"{letter}." for letter in written)
        table[written] = spoken
    return table


@cache
def _codes() -> dict[str, str]:
    return {written: spoken for written, spoken in _rows("speech_codes.tsv")}


def _alternation(forms: Iterable[str]) -> str:
    """A regex alternation of the literal forms, longest first."""
    return "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))


@dataclass(frozen=True)
class _State:
    name: str
    ap: str | None
    postal: str


@cache
def _states() -> tuple[_State, ...]:
    return tuple(
        _State(name, None if ap == "-" else ap, postal)
        for name, ap, postal in _rows("speech_states.tsv")
    )
