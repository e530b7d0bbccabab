"""Where the article lies in a whole page's copied text.

Copying a page from the browser brings its menus, footers and link lists along with the
article. The article is the longest run of prose lines (ten words or more, with a sentence
ending in them) in which no more than GAP other lines separate two prose lines; the few
lines just before it (headline, byline, date, standfirst) belong to it too. Where only a
few lines lie before or after the prose, as in a text pasted as an article, they are left
for the junk rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

PROSE_WORDS = 10
GAP = 15  # captions, subheadings, adverts, a code block or a short list of links inside it
LEAD = 4  # headline, standfirst, byline, date above the first paragraph
MENU_WORDS = 2  # a menu item's length; a headline is longer
CHROME = 10  # more lines than this outside the prose are a page's menus or footer
TAIL = 1  # a closing credit or sign-off under the last paragraph
# Past this share of the article's prose, a closing line (share buttons, "Leave a reply",
# a related-links heading) ends it: what follows is the page's, bios and comments too.
CLOSING_AFTER = 0.7
_SENTENCE = re.compile(r"[.!?…。！？][\"'”’»)\]]*(?:\s|$)")


def is_prose(line: str) -> bool:
    words = len(line.split())
    return (words >= PROSE_WORDS or len(line) >= 40 > words) and bool(_SENTENCE.search(line))


def article_span(lines: Sequence[str]) -> tuple[int, int]:
    """The article's lines (no blank ones) as lines[start:end]: the densest run of prose,
    with LEAD lines before it and TAIL after it. The whole text where there is no prose."""
    prose = [i for i, line in enumerate(lines) if is_prose(line)]
    if not prose:
        return 0, len(lines)
    runs: list[list[int]] = [[prose[0]]]
    for index in prose[1:]:
        if index - runs[-1][-1] - 1 <= GAP:
            runs[-1].append(index)
        else:
            runs.append([index])
    best = max(runs, key=lambda run: sum(len(lines[i].split()) for i in run))
    start, end = best[0], best[-1] + 1
    # A few lines around the prose are the article's own, or junk the rules know; only a
    # page's worth of them (a menu, a footer) is cut.
    if start > CHROME:
        start -= LEAD
        while start < best[0] and len(lines[start].split()) <= MENU_WORDS:
            start += 1  # the menu's last items, not a headline
    else:
        start = 0
    end = end + TAIL if len(lines) - end > CHROME else len(lines)
    return start, end


def article_end(lines: Sequence[str], is_closing: Callable[[str], bool]) -> int:
    """Where the article in lines (already cut to its span) ends: at the first closing line
    once CLOSING_AFTER of its prose lies above, when more than CHROME lines follow it (a
    page's sharing bar, comment form and sidebars); else at its end. A few lines after
    the prose, as in pasted text, are left for the junk rules."""
    words = [len(line.split()) if is_prose(line) else 0 for line in lines]
    total, seen = sum(words), 0
    for index, line in enumerate(lines):
        seen += words[index]
        if len(lines) - index <= CHROME:
            break
        if total and seen >= CLOSING_AFTER * total and not words[index] and is_closing(line):
            return index
    return len(lines)
