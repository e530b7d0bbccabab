"""House style: how the newsreader of a locale says what is written. `en-GB` (a BBC
newsreader: "nought point five", "the fourth of July", "one hundred and five") and `en-US`
(an American one: "zero point five", "July fourth", "one hundred five").

The style is set around a call of `to_spoken` (`speaking_style`) and read by the steps
that differ between locales (`current_style`), so steps stay plain `str -> str`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

BRITISH, AMERICAN = "en-GB", "en-US"
STYLES = (BRITISH, AMERICAN)
DEFAULT_STYLE = BRITISH

_current: ContextVar[str] = ContextVar("narrate_speech_style", default=DEFAULT_STYLE)


def checked_style(style: str) -> str:
    """`style` in its canonical spelling ("en-us" -> "en-US"); ValueError naming the
    styles there are for anything else."""
    for known in STYLES:
        if style.strip().lower().replace("_", "-") == known.lower():
            return known
    raise ValueError(f"unknown style {style!r}: use one of {', '.join(STYLES)}")


def current_style() -> str:
    return _current.get()


def american() -> bool:
    return _current.get() == AMERICAN


@contextmanager
def speaking_style(style: str) -> Iterator[str]:
    """Steps run inside read `style` (checked) as the current style."""
    token = _current.set(checked_style(style))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


_RE_SPELLING = re.compile(r"\b(\w*(?:met|lit))re(s?)\b")


def spelled(words: str) -> str:
    """Unit words as the style spells them: 'kilometres' (en-GB), 'kilometers' (en-US).
    Both are said alike; the spoken text is also what a reader sees in a transcript."""
    return _RE_SPELLING.sub(r"\1er\2", words) if american() else words
