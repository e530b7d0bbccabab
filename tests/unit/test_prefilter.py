"""The strings a floating junk pattern needs (prefilter.py): a line without any of them is
passed over without the regex, so they must be in every line the pattern matches."""

from __future__ import annotations

import re

import pytest

from workers.pipeline.clean.prefilter import folded, needed_words
from workers.pipeline.clean.rules import FullMatch, load_rules

PATTERN_RULES = [rule for rule in load_rules() if isinstance(rule.matches, FullMatch)]


def _words(pattern: str) -> frozenset[str] | None:
    return needed_words(re.compile(pattern, re.IGNORECASE))


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r".{0,80}\bwe use cookies\b.*", {"we use cookies"}),
        (r".*\b(?:photo|image)\b.*|.*credit:\s*\w+", {"photo", "image", "credit:"}),
        (r".*(?:photo|photograph|ap photo)s?", {"photo"}),  # one that holds the rest
        (r".*(?:foo)?bar.*", {"bar"}),  # an optional part holds nothing for sure
        (r".*\b(?:x+yz)\b.*", {"yz"}),  # a repeated part holds its words once
        (r".*\bjobbörse\b.*", {"jobb"}),  # ASCII only: "ö" is not folded
        (r"(?:.{0,160}[.!?]\s+)?you are using (?:a|an) browser\b.*", {"you are using a"}),
        (r".*\bphoto\b.*|.*\d+", None),  # a way through that holds no letters
        (r"(?:sign up|subscribe)(?: now)?", None),  # starts at the line's start: fails fast
        (r".{0,5}sign up", None),  # a short run of anything: fails fast too
    ],
)
def test_the_words_a_pattern_needs(pattern: str, words: set[str] | None):
    assert _words(pattern) == words


def test_folding_takes_every_character_that_ignoring_case_takes_for_ascii():
    ascii_letter = re.compile(r"[\x00-\x7f]", re.IGNORECASE)
    lookalikes = [chr(c) for c in range(0x80, 0x110000) if ascii_letter.match(chr(c))]
    assert lookalikes == ["\u0130", "\u0131", "\u017f", "\u212a"]
    for char in lookalikes:
        assert re.fullmatch(re.escape(folded(char)), char, re.IGNORECASE)
    assert folded("WE \u017fET \u212aEYS İN") == "we set keys in"


def test_the_table_s_floating_patterns_have_words():
    floating = {"cookie-prompt", "comment-form", "paywall-prompt", "advert"}
    with_words = {rule.name for rule in PATTERN_RULES if rule.matches.words}
    assert floating <= with_words


def _variants(line: str) -> list[str]:
    swapped = line.swapcase()
    lookalikes = line.replace("i", "\u0131").replace("s", "\u017f").replace("k", "\u212a")
    turkish = line.replace("I", "\u0130").replace("i", "\u0130")
    return [line, line.upper(), swapped, lookalikes, turkish, f"{line} {line}"]


CASES = [
    (rule, variant)
    for rule in PATTERN_RULES
    if rule.matches.words
    for case in (*rule.drop, *rule.keep)
    for line in case.split("\n\n")
    for variant in _variants(" ".join(line.split()))
]


@pytest.mark.parametrize(("rule", "line"), CASES, ids=[f"{r.name}:{x[:30]}" for r, x in CASES])
def test_the_words_never_turn_away_a_line_the_pattern_matches(rule, line: str):
    matches = rule.pattern.fullmatch(line) is not None
    assert rule.matches.matches_text(line) == matches
    if matches:
        assert any(word in folded(line) for word in rule.matches.words)
