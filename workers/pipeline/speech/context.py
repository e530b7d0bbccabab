"""The words either side of a match, and a substitution that keeps sentence capitals."""

from __future__ import annotations

import re
from collections.abc import Callable

from workers.pipeline.speech.tables import _word_set

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


def _range_word(text: str, start: int) -> str:
    """What joins the two ends of a range starting at `start`: 'and' after 'between'
    ('between 9am and 5pm'), 'to' anywhere else."""
    return "and" if (_word_before(text, start) or "").lower() == "between" else "to"


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


_LEADING = re.compile(r"[ \"'(\[]*")
_ENDS_AFTER = re.compile(r"\s*$|\s+[A-Z\"']")
_NEXT_CHARACTER = re.compile(r" *(.?)", re.DOTALL)


def _starts_sentence(text: str, start: int) -> bool:
    """Only a few characters before `start` are looked at (never a copy of the text
    before it), so a step stays linear however many matches a long paragraph has."""
    leading = _LEADING.match(text)  # always matches: it may match nothing
    if leading is not None and leading.end() >= start:
        return True
    return bool(_SENTENCE_START.search(text, max(0, start - 12), start))


def _sentence_ends_at(text: str, end: int) -> bool:
    """Nothing but space follows `end`, or a new sentence seems to start there."""
    return bool(_ENDS_AFTER.match(text, end))


def _next_character(text: str, end: int) -> str:
    """The first character after `end` that is not a space ('' at the end)."""
    following = _NEXT_CHARACTER.match(text, end)  # always matches, '' at the end
    return following.group(1) if following else ""


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
