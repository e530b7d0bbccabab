"""The words a junk pattern needs: a quick test that it cannot match a line.

A pattern that may begin with any number of any characters (".{0,80}\\bwe use cookies\\b.*")
makes the regex engine try the rest of it from each place in the line: the costliest
part of cleaning a long article. Every line such a pattern matches holds one of a few
strings that the pattern spells out ("we use cookies", and one string for each other
alternative), so a line holding none of them is passed over without running the regex.
The strings are read off the pattern's own parse tree (from `re._parser`, the parser
`re.compile` uses), so they cannot drift from it; where none can be told, the regex is
always run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

# A pattern whose match may open with this many characters of anything "floats": it is
# tried from each place in the line. Others fail at a line's first letters, quickly.
FLOATING_MIN = 20
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)
_ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)
# The only characters beyond ASCII that re.IGNORECASE takes for ASCII letters: "İ" and
# "ı" for "i", "ſ" for "s", the Kelvin sign for "k" (tests/unit pins the list).
_ASCII_LOOKALIKES = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")

# A sequence of the parse tree: (opcode, argument) pairs.
_Items = Sequence[tuple[Any, Any]]


def folded(text: str) -> str:
    """The text as `needed_words` spells: lower case, the ASCII look-alikes as ASCII."""
    if text.isascii():
        return text.lower()
    return text.translate(_ASCII_LOOKALIKES).lower()


def needed_words(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Strings, in lower-case ASCII, one of which every text the pattern matches holds
    once `folded`; None for a pattern that does not float, or where none can be told.

    Holding a string is asked of the folded text with `in`: a literal ASCII character of
    the pattern matches, even ignoring case, only a character that folds to it."""
    tree = _parser.parse(pattern.pattern, pattern.flags)
    words = _needed(tree) if _floats(tree) else None
    if words is None:
        return None
    # A line holding "photograph" holds "photo": one of them is enough to ask for.
    return frozenset(w for w in words if not any(o in w for o in words if o != w))


def _floats(items: _Items) -> bool:
    """Whether a match may open with FLOATING_MIN characters of anything or more."""
    for op, av in items:
        if op in _ZERO_WIDTH:
            continue
        if op is sre.SUBPATTERN:
            return _floats(av[-1])
        if op is sre.BRANCH:
            return any(_floats(alternative) for alternative in av[1])
        if op in _REPEATS:
            body = list(av[2])
            if len(body) == 1 and body[0][0] is sre.ANY and av[1] >= FLOATING_MIN:
                return True
            return _floats(body)
        return False
    return False


def _needed(items: _Items) -> frozenset[str] | None:
    """What a match of the sequence must hold: of the sets its parts need, the one whose
    shortest string is longest (the rarest to find in a line)."""
    return max(_parts(items), key=lambda words: (min(map(len, words)), -len(words)), default=None)


def _parts(items: _Items) -> Iterator[frozenset[str]]:
    """For each part of the sequence that a match must go through: the strings one of
    which that part's match holds. A run of literal characters gives its longest stretch
    of ASCII."""
    run: list[str] = []
    for op, av in [*items, (None, None)]:  # the last item ends the last run
        if op is sre.LITERAL:
            run.append(chr(av))
            continue
        if run:
            stretch = max(_NOT_ASCII.split("".join(run)), key=len)
            if stretch:
                yield frozenset({stretch.lower()})
            run = []
        inner = _inner(op, av)
        if inner is not None:
            yield inner


def _inner(op: Any, av: Any) -> frozenset[str] | None:
    if op is sre.SUBPATTERN:
        return _needed(av[-1])
    if op is sre.ATOMIC_GROUP:
        return _needed(av)
    if op in _REPEATS and av[0] >= 1:
        return _needed(av[2])
    if op is sre.BRANCH:
        words: set[str] = set()
        for alternative in av[1]:
            needed = _needed(alternative)
            if needed is None:
                return None  # this way through holds nothing known
            words |= needed
        return frozenset(words)
    return None
