"""US states as AP writes them after a place ("Phoenix, Ariz."), postal codes before a
ZIP code ("Austin, TX 78701"), ZIP codes, and party-state tags ("D-Mass.", "R-Texas")."""

from __future__ import annotations

import re
from functools import cache

from workers.pipeline.speech.context import _sub
from workers.pipeline.speech.numbers import digits
from workers.pipeline.speech.tables import _alternation, _states

PARTIES = {"D": "Democrat", "R": "Republican", "I": "independent"}
_WORD_CODES = frozenset({"OK", "IN", "OR", "ME", "HI"})  # also English words
# AP forms that are also words or names ("Miss.", "Mass.", "Wash."): only after a place
_AMBIGUOUS = frozenset(
    {
        "Del.",
        "Ga.",
        "Ill.",
        "Ind.",
        "La.",
        "Mass.",
        "Md.",
        "Miss.",
        "Mo.",
        "Ore.",
        "Pa.",
        "Va.",
        "Wash.",
    }
)
_PLACE_BEFORE = re.compile(r"[A-Z][\w'’.-]*,\s$")
_ENDS = re.compile(r"\s*$|\s+[A-Z\"']")


@cache
def _forms() -> dict[str, str]:
    """Written form (AP, postal code or name) -> the state's spoken name."""
    forms: dict[str, str] = {}
    for state in _states():
        spoken = "D.C." if state.postal == "DC" else state.name
        forms[state.name] = spoken
        forms[state.postal] = spoken
        if state.ap:
            forms[state.ap] = spoken
    return forms


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    forms = _alternation(_forms())
    party = re.compile(rf"(?<![\w.-])(?P<party>[DRI])-(?P<state>{forms})(?![\w-])")
    place = re.compile(
        rf"(?<![\w.-])(?P<state>{forms})(?![\w]|-(?![a-z]))"  # "a Calif.-based firm"
        r"(?:(?P<zip_gap>,?\s)(?P<zip>\d{5})(?:-(?P<plus4>\d{4}))?(?![\w-]|[.,]\d))?"
    )
    return party, place


def state_code(written: str) -> str | None:
    """`written` if it is a postal code (two capitals), else None."""
    return written if len(written) == 2 and written.isupper() else None


def _stop(written: str, text: str, end: int) -> str:
    """An AP form's own full stop is kept where it also ends the sentence."""
    return "." if written.endswith(".") and _ENDS.match(text, end) else ""


def speak_states(text: str) -> str:
    """'D-Mass.' 'Democrat of Massachusetts'; 'Phoenix, Ariz.' 'Phoenix, Arizona';
    'Austin, TX 78701' 'Austin, Texas, seven eight seven oh one'. An AP form that is also
    a word ('Miss.', 'Ill.') is read only after a place name and a comma, a postal code
    only before a ZIP code or in a party tag ('Perth, WA' is in Australia); a ZIP code is
    read digit by digit."""
    forms = _forms()
    party, place = _patterns()

    def say_party(match: re.Match[str]) -> str:
        written = match.group("state")
        if written in _WORD_CODES:
            return match.group(0)
        spoken = f"{PARTIES[match.group('party')]} of {forms[written]}"
        return spoken + _stop(written, text, match.end())

    text = _sub(party, say_party, text)

    def say_place(match: re.Match[str]) -> str:
        written, zip_code = match.group("state"), match.group("zip")
        is_name = written == forms[written] or written == "D.C."
        if is_name and not zip_code:
            return match.group(0)
        anywhere = written.endswith(".") and written not in _AMBIGUOUS and written != "D.C."
        if not anywhere and not _PLACE_BEFORE.search(
            text, max(0, match.start() - 40), match.start()
        ):
            return match.group(0)
        if written == state_code(written) and not zip_code:
            return match.group(0)  # "Perth, WA" is in Australia; "Austin, TX 78701"
        spoken = forms[written]
        if zip_code:
            spoken += f", {digits(zip_code)}"
            if match.group("plus4"):
                spoken += f", {digits(match.group('plus4'))}"
            return spoken
        return spoken + _stop(written, text, match.end())

    return _sub(place, say_place, text)
