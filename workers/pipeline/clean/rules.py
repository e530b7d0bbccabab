"""The junk-rule table (data/junk_rules.toml) and what one line matches.

A rule is a pattern over the whole line or one of the structural tests below, which also
see the line's neighbours and what the cleaner has kept so far. `lines.clean_lines` runs
the table over an article's lines; this module only loads it and answers for one line.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from workers.pipeline.article import Removed
from workers.pipeline.clean.prefilter import folded, needed_words

RULES_FILE = Path(__file__).with_name("data") / "junk_rules.toml"

_PLACEHOLDERS = {
    "{Name}": r"(?-i:[A-Z])[\w'’.-]+",
    "{Month}": r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?",
    "{NoSentence}": r"(?!.*[.!?…][\"'”’)\]]*$)",
}
SENTENCE_END = re.compile(r"[.!?…:;。！？：；][\"'”’»)\]]*$")
# A sentence ends somewhere in the line: what prose has and menus, tag lists and crumbs lack.
_SENTENCE_BREAK = re.compile(r"[.!?…。！？][\"'”’»)\]]*(?:\s|$)")
_CREDIT_TAIL = re.compile(
    r"[.,]?\s*\(?(?:picture|photograph|photo|image|credit|pictured|illustration)s?\b.*",
    re.IGNORECASE,
)
TEASER_MIN_WORDS = 8
REPEAT_MIN_WORDS = 5
# "Speaker: words" (one to three names before the colon), or a quotation in the line.
_CLIP_TITLE = re.compile(
    r"^(?:[A-Z][\w’'.-]*\s+){0,2}[A-Z][\w’'.-]*:\s"
    r"|(?:^|\s)['‘\"“][^'’\"”]{2,}['’\"”](?:\s|$)"
)
_LIST_MARKERS = ("- ", "* ", "+ ", "• ")  # the extractor's list items: the article's lists
NAME_LIST_MIN_ITEMS = 20
_EXCERPT_END = re.compile(r"\w\s*\[(?:…|\.\.\.)\]$")
_HANDLE_MARK = re.compile(r"\d|_|[a-z][A-Z]")
TEASER_MAX_WORDS = 24  # longer unpunctuated lines are paragraphs that lost their full stop
# A line of prose this long is the article's, wherever a text pattern matches inside it,
# unless it stands at the article's edges (where prompts and bios run long).
LONG_PROSE_WORDS = 25

# The names the cleaner reports besides the table's own.
FALLBACK_RULE = "fallback"
OUTSIDE_RULE = "page-outside"
# The junk that closes an article on a page: its sharing bar, comments, related links,
# newsletter box, the author's bio, the page's footer and cookie banner.
CLOSING_RULES = frozenset(
    {
        "share-prompt",
        "comments-prompt",
        "comment-form",
        "related-link",
        "newsletter-prompt",
        "author-bio",
        "page-chrome",
        "cookie-prompt",
    }
)


@dataclass(frozen=True)
class Line:
    """What a structural test sees: the line, its neighbours and the cleaner's state."""

    text: str
    next: str | None
    kept: Sequence[str]
    link_only: frozenset[str] = frozenset()  # HTML lines that were nothing but a link
    footnotes: frozenset[str] = frozenset()  # HTML lines that are the text of a footnote
    previous: str | None = None  # the line before it, kept or not


@dataclass(frozen=True)
class Rule:
    name: str
    matches: Callable[[Line], bool]
    pattern: re.Pattern[str] | None = None
    before_body: bool = False
    drops_list: bool = False
    kinds: str = ""  # the kinds of lines it removes, in words
    drop: tuple[str, ...] = ()  # lines it must remove
    keep: tuple[str, ...] = ()  # body lines that resemble them and must stay


def fallback_note(step: str, fallback: str) -> Removed:
    """The report's line for a step that failed or found nothing, and what was done instead."""
    return Removed(f"{step}; {fallback}", FALLBACK_RULE)


def is_long_prose(text: str) -> bool:
    return len(text.split()) >= LONG_PROSE_WORDS and bool(_SENTENCE_BREAK.search(text))


def has_prose(text: str) -> bool:
    """Some line of the text is a sentence of TEASER_MIN_WORDS words or more."""
    return any(
        len(line.split()) >= TEASER_MIN_WORDS and SENTENCE_END.search(line.strip())
        for line in text.splitlines()
    )


@dataclass(frozen=True)
class FullMatch:
    """A pattern rule's test: its pattern matches the whole line. It reads the line's
    text and nothing else, so its answer for a text holds wherever the text stands."""

    pattern: re.Pattern[str]
    # One of these is in every line the pattern matches (`prefilter.needed_words`).
    words: frozenset[str] | None = None

    def __call__(self, line: Line) -> bool:
        return self.matches_text(line.text)

    def matches_text(self, text: str, folded_text: str | None = None) -> bool:
        """`folded_text` is `prefilter.folded(text)`, where the caller has it already."""
        if self.words is not None:
            folded_text = folded(text) if folded_text is None else folded_text
            if not any(map(folded_text.__contains__, self.words)):
                return False
        return self.pattern.fullmatch(text) is not None


def is_teaser_headline(line: Line) -> bool:
    """A long, unpunctuated line between paragraphs, in the form of a clip's title: a
    speaker and their words ("Hart: We showed the character…") or a quotation ("…should
    be 'embarrassed'"), one phrase with no sentence ending inside it. Another story's or
    video's title, not a subheading of this one, which has neither. Not the line
    straight after the headline: that is the standfirst."""
    return (
        len(line.kept) > 1
        and not line.text.startswith(_LIST_MARKERS)
        and not SENTENCE_END.search(line.text)
        and not _SENTENCE_BREAK.search(line.text)
        and TEASER_MIN_WORDS <= len(line.text.split()) <= TEASER_MAX_WORDS
        and bool(_CLIP_TITLE.search(line.text))
        and not _is_label_list(line.text)
    )


def _is_label_list(text: str) -> bool:
    """ "Colour: green Base: lithium Range: 220-250", "Author: A. Name, Institute, Town":
    labelled facts, not a speaker's words (a title has one colon and few commas)."""
    return text.count(":") > 1 or text.count(",") > 1


def is_caption_repeat(line: Line) -> bool:
    """Image alt text followed by the same words with a credit: the caption twice."""
    following = line.next or ""
    return (
        len(line.text) >= 20
        and following.startswith(line.text)
        and bool(_CREDIT_TAIL.fullmatch(following[len(line.text) :]))
    )


def is_link_only(line: Line) -> bool:
    """In HTML, a paragraph that is one link and nothing else points at another page."""
    return line.text in line.link_only or _without_list_marker(line.text) in line.link_only


def _without_list_marker(text: str) -> str:
    return text[2:] if text.startswith(_LIST_MARKERS) else text


def is_footnote(line: Line) -> bool:
    """In HTML, the text of a footnote, found under its number at the foot of the page."""
    return line.text in line.footnotes


def is_repeat(line: Line) -> bool:
    """The headline again, or a short line already kept (pull quotes).
    A long paragraph said twice is the page's own doing, and is read twice; so are a
    few words said twice ("Repeat chorus", a label in a list)."""
    if line.kept and line.text == line.kept[0]:
        return True
    return REPEAT_MIN_WORDS <= len(line.text.split()) < LONG_PROSE_WORDS and line.text in line.kept


def is_excerpt_teaser(line: Line) -> bool:
    """One of a run of excerpts of other posts: paragraphs cut short with a bracketed
    ellipsis ("… it would probably be […]"), the mark blogs put where an excerpt breaks
    off, two or more one after another. A single elided quotation is the article's."""
    return bool(_EXCERPT_END.search(line.text)) and any(
        other is not None and _EXCERPT_END.search(other) for other in (line.previous, line.next)
    )


def is_name_list(line: Line) -> bool:
    """A long run of user names split by commas (who liked or signed a post: "ann_lee,
    RiverFox22, jdoe, …"): NAME_LIST_MIN_ITEMS or more items, nearly all one word, and
    many with the marks of a user name (digits, underscores, capitals inside a word). A
    list of places, people or things in a sentence has few such items, or spaces."""
    items = [item.strip() for item in line.text.split(",")]
    if len(items) < NAME_LIST_MIN_ITEMS:
        return False
    one_word = sum(1 for item in items if item and " " not in item)
    handles = sum(1 for item in items if _HANDLE_MARK.search(item))
    return one_word >= 0.9 * len(items) and handles >= 0.25 * len(items)


STRUCTURAL_TESTS: dict[str, Callable[[Line], bool]] = {
    "is_teaser_headline": is_teaser_headline,
    "is_caption_repeat": is_caption_repeat,
    "is_repeat": is_repeat,
    "is_link_only": is_link_only,
    "is_footnote": is_footnote,
    "is_name_list": is_name_list,
    "is_excerpt_teaser": is_excerpt_teaser,
}


@cache
def load_rules(path: Path = RULES_FILE) -> tuple[Rule, ...]:
    table = tomllib.loads(path.read_text(encoding="utf-8"))
    rules = []
    for entry in table["rule"]:
        cases = {
            "kinds": entry.get("kinds", ""),
            "drop": tuple(entry.get("drop", ())),
            "keep": tuple(entry.get("keep", ())),
        }
        if "test" in entry:
            rules.append(Rule(entry["name"], STRUCTURAL_TESTS[entry["test"]], **cases))
            continue
        source = entry["pattern"]
        for placeholder, regex in _PLACEHOLDERS.items():
            source = source.replace(placeholder, regex)
        pattern = re.compile(source, re.IGNORECASE)
        rules.append(
            Rule(
                name=entry["name"],
                matches=FullMatch(pattern, needed_words(pattern)),
                pattern=pattern,
                before_body=entry.get("before") == "body",
                drops_list=entry.get("rest") == "drop_list",
                **cases,
            )
        )
    return tuple(rules)


def is_closing(text: str) -> bool:
    """The line, on its own, matches a pattern of the junk that closes an article."""
    line = Line(text, None, ())
    return any(
        rule.name in CLOSING_RULES and rule.pattern is not None and rule.matches(line)
        for rule in load_rules()
    )


def rules_drop(text: str) -> bool:
    """The line, on its own, matches one of the table's patterns."""
    line = Line(text, None, ())
    return any(rule.pattern is not None and rule.matches(line) for rule in load_rules())
