"""A photo gallery inside an article: its slides, each opened by a counter ("1/50 Title
caption…", "2/50 …"), one run of them in order. Each slide is a picture's caption, not
the article: the whole run goes, reported with the rule `gallery`."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from itertools import pairwise
from statistics import median

GALLERY_RULE = "gallery"
# Fewer numbered items than this are a short numbered thread or list, read as written.
GALLERY_MIN_SLIDES = 5
_COUNTER = re.compile(r"(?:[-*+•]\s+)?(\d{1,3})\s?/\s?(\d{1,3})(?=\s|$)")


def gallery_lines(lines: Sequence[str]) -> set[int]:
    """The indices of the lines that make up a gallery's slides. A gallery is a run of
    GALLERY_MIN_SLIDES or more lines opening with "k/N" for one N, k counting up by one
    from line to line. Between two counters every line is the slide's (its caption and
    credit); after the last counter, as many lines as a slide usually has."""
    counters: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for index, line in enumerate(lines):
        counter = _COUNTER.match(line)
        if counter:
            number, total = int(counter.group(1)), int(counter.group(2))
            if 1 <= number <= total:
                counters[total].append((index, number))
    slides: set[int] = set()
    for total, numbered in counters.items():
        for run in _runs(numbered):
            if len(run) < min(GALLERY_MIN_SLIDES, total) or total < GALLERY_MIN_SLIDES:
                continue
            gaps = [b[0] - a[0] for a, b in pairwise(run)]
            last = run[-1][0] + int(median(gaps)) - 1
            slides.update(range(run[0][0], min(last, len(lines) - 1) + 1))
    return slides


def _runs(found: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """The counters split into runs whose numbers go up by one each time."""
    runs: list[list[tuple[int, int]]] = []
    for index, number in found:
        if runs and number == runs[-1][-1][1] + 1:
            runs[-1].append((index, number))
        else:
            runs.append([(index, number)])
    return runs
