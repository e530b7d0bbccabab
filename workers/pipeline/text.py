"""Article text in (pasted plain text or an HTML page), a structured `Article` out.

HTML first goes through trafilatura's main-content extraction; then both kinds of input
meet the same table of junk rules (data/junk_rules.toml). Every dropped line is kept in
`Article.removed` with the name of the rule that dropped it.
"""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from workers.pipeline.article import Article, Removed
from workers.pipeline.errors import NoSpeakableText

if TYPE_CHECKING:
    from lxml.html import HtmlElement

Format = Literal["text", "html"]
RULES_FILE = Path(__file__).with_name("data") / "junk_rules.toml"

_PLACEHOLDERS = {
    "{Name}": r"(?-i:[A-Z])[\w'’.-]+",
    "{Month}": r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?",
    "{NoSentence}": r"(?!.*[.!?…][\"'”’)\]]*$)",
}
_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’)\]]*$")
_CREDIT_TAIL = re.compile(
    r"[.,]?\s*\(?(?:picture|photograph|photo|image|credit|pictured|illustration)s?\b.*",
    re.IGNORECASE,
)
_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)\s]*\)")
# A footnote's number linked to its note ("[2](…#footnote-2)"), or back to its place.
_FOOTNOTE_LINK = re.compile(r"\[\d{1,3}\]\([^)\s]*#(?:footnote|fn|note|ref)[-_:]?[^)\s]*\)")
_BYLINE_ATTRIBUTES = ("class", "data-component", "data-testid", "itemprop", "rel")
_BYLINE_MARK = re.compile(r"byline|author", re.IGNORECASE)
_NOT_BYLINE_MARK = re.compile(r"bio|about|avatar|image|photo|more-by", re.IGNORECASE)
_PERSON = re.compile(r"(?:by\s+)?((?-i:[A-Z])[\w'’.-]+(?:\s+(?-i:[A-Z])[\w'’.-]+){1,3})", re.I)
# Class names publishers give the summary under the headline.
_STANDFIRST_CLASS = re.compile(
    r"standfirst|sub-?deck|(?<![a-z])dek(?![a-z])|sub-?title|sub-?headline|strap-?line|"
    r"summary|description|intro(?![a-z]*-?image)",
    re.IGNORECASE,
)
_LIST_ITEM_END = re.compile(r"[.!…:;][\"'”’)\]]*$")  # a question can be a link's title
_HTML_SNIFF = re.compile(r"<(?:!doctype html|html|head|body|article|p|div)[\s>]", re.IGNORECASE)
TEASER_MIN_WORDS = 8
LIST_ITEM_MAX_WORDS = 15


@dataclass(frozen=True)
class Line:
    """What a structural test sees: the line, its neighbours and the cleaner's state."""

    text: str
    next: str | None
    kept: Sequence[str]
    link_only: frozenset[str] = frozenset()  # HTML lines that were nothing but a link
    footnotes: frozenset[str] = frozenset()  # HTML lines that are the text of a footnote


@dataclass(frozen=True)
class Rule:
    name: str
    matches: Callable[[Line], bool]
    pattern: re.Pattern[str] | None = None
    before_body: bool = False
    drops_list: bool = False


def _full_match(pattern: re.Pattern[str], line: Line) -> bool:
    return pattern.fullmatch(line.text) is not None


def is_teaser_headline(line: Line) -> bool:
    """A long, unpunctuated line between paragraphs: another story's or video's title.
    Not the line straight after the headline: that is the standfirst, often unpunctuated."""
    return (
        len(line.kept) > 1
        and not _SENTENCE_END.search(line.text)
        and len(line.text.split()) >= TEASER_MIN_WORDS
    )


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
    return line.text in line.link_only


def is_footnote(line: Line) -> bool:
    """In HTML, the text of a footnote, found under its number at the foot of the page."""
    return line.text in line.footnotes


def is_repeat(line: Line) -> bool:
    """A line already kept (pull quotes, the headline repeated by an extractor)."""
    return line.text in line.kept


STRUCTURAL_TESTS: dict[str, Callable[[Line], bool]] = {
    "is_teaser_headline": is_teaser_headline,
    "is_caption_repeat": is_caption_repeat,
    "is_repeat": is_repeat,
    "is_link_only": is_link_only,
    "is_footnote": is_footnote,
}


@cache
def load_rules(path: Path = RULES_FILE) -> tuple[Rule, ...]:
    table = tomllib.loads(path.read_text(encoding="utf-8"))
    rules = []
    for entry in table["rule"]:
        if "test" in entry:
            rules.append(Rule(entry["name"], STRUCTURAL_TESTS[entry["test"]]))
            continue
        source = entry["pattern"]
        for placeholder, regex in _PLACEHOLDERS.items():
            source = source.replace(placeholder, regex)
        pattern = re.compile(source, re.IGNORECASE)
        rules.append(
            Rule(
                name=entry["name"],
                matches=partial(_full_match, pattern),
                pattern=pattern,
                before_body=entry.get("before") == "body",
                drops_list=entry.get("rest") == "drop_list",
            )
        )
    return tuple(rules)


def detect_format(raw: str, filename: str | None = None) -> Format:
    suffix = Path(filename).suffix.lower() if filename else ""
    if suffix in {".html", ".htm", ".xhtml"}:
        return "html"
    if suffix in {".txt", ".text", ".md"}:
        return "text"
    return "html" if len(_HTML_SNIFF.findall(raw[:20000])) >= 2 else "text"


def clean(raw: str, *, filename: str | None = None, format: Format | None = None) -> Article:
    """Clean an article given as plain text or HTML (detected unless `format` says)."""
    if (format or detect_format(raw, filename)) == "html":
        return clean_html(raw)
    return clean_text(raw)


def clean_html(html: str) -> Article:
    import trafilatura

    document: Any = trafilatura.bare_extraction(  # a Document, as_dict=False
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=True,  # to tell teaser links from prose; removed again below
        deduplicate=False,
    )
    if document is None or not (document.text or "").strip():
        raise NoSpeakableText(
            "no article text found in the HTML: send the page's full HTML, "
            "or the article as plain text"
        )
    lines, link_only, footnotes = [], set(), set()
    note_follows = False
    for raw in document.text.splitlines():
        whole_footnote_link = _FOOTNOTE_LINK.fullmatch(raw.strip())
        raw = _FOOTNOTE_LINK.sub("", raw)  # "year.[1](…)" reads as "year."
        whole_link = _MARKDOWN_LINK.fullmatch(raw.strip())
        line = _MARKDOWN_LINK.sub(r"\1", raw)
        if note_follows and line.strip():
            footnotes.add(" ".join(line.split()))
        note_follows = bool(whole_footnote_link) or (note_follows and not line.strip())
        if whole_link:
            link_only.add(" ".join(line.split()))
        lines.append(line)
    first = next((" ".join(line.split()) for line in lines if line.strip()), "")
    title = " ".join((document.title or "").split())
    if title and title != first and not _rules_drop(title):
        lines.insert(0, title)
    title = title or first
    tree = _parse(html)
    standfirst = find_standfirst(tree, title, document.description) if tree is not None else None
    heading = _index_of(lines, title)
    if standfirst and heading >= 0 and standfirst not in {" ".join(x.split()) for x in lines}:
        lines.insert(heading + 1, standfirst)
    byline = document.author or (find_byline(tree) if tree is not None else None)
    return clean_lines(
        lines,
        byline=byline,
        published=document.date,
        link_only=frozenset(link_only),
        footnotes=frozenset(footnotes),
    )


def _parse(html: str) -> HtmlElement | None:
    from lxml import etree
    from lxml import html as lxml_html

    try:
        return lxml_html.fromstring(html)
    except (ValueError, etree.ParserError):
        return None


def find_standfirst(tree: HtmlElement, title: str, description: str | None) -> str | None:
    """The summary shown under the headline, which extractors often leave out with the
    page header: an element just after the <h1> that is named as a standfirst (by its
    class) or that repeats the summary the page declares in its metadata."""
    declared = " ".join((description or "").split())
    for heading in tree.iter("h1"):
        if " ".join(heading.text_content().split()) != title:
            continue
        sibling = heading.getnext()
        for _ in range(3):  # a byline or a date may stand in between
            if sibling is None:
                break
            text = " ".join(sibling.text_content().split())
            named = f"{sibling.get('class', '')} {sibling.get('itemprop', '')}"
            if 5 <= len(text.split()) <= 60 and (
                text == declared or _STANDFIRST_CLASS.search(named)
            ):
                return text
            sibling = sibling.getnext()
    return None


def find_byline(tree: HtmlElement) -> str | None:
    """A person's name in an element the page marks as its byline or author, for pages
    whose metadata names only the organisation ("By" is optional, as on many sites)."""
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions
        marks = " ".join(element.get(name, "") for name in _BYLINE_ATTRIBUTES)
        if not _BYLINE_MARK.search(marks) or _NOT_BYLINE_MARK.search(marks):
            continue
        for chunk in element.itertext():
            name = _PERSON.fullmatch(" ".join(chunk.split()))
            if name:
                return name.group(1)
    return None


def _index_of(lines: list[str], text: str) -> int:
    for index, line in enumerate(lines):
        if " ".join(line.split()) == text:
            return index
    return -1


def clean_text(text: str) -> Article:
    return clean_lines(_unwrap(text.splitlines()))


def _rules_drop(text: str) -> bool:
    line = Line(text, None, ())
    return any(rule.pattern is not None and rule.matches(line) for rule in load_rules())


def _unwrap(raw_lines: list[str]) -> list[str]:
    """Join lines hard-wrapped inside a paragraph; keep every other line break."""
    lines: list[str] = []
    joinable = False
    for raw in raw_lines:
        line = " ".join(raw.split())
        if lines and joinable and line and (line[0].islower() or line[0].isdigit()):
            lines[-1] = f"{lines[-1]} {line}"
        else:
            lines.append(line)
        joinable = bool(line) and not _SENTENCE_END.search(lines[-1])
    return lines


def clean_lines(
    raw_lines: Sequence[str],
    *,
    byline: str | None = None,
    published: str | None = None,
    link_only: frozenset[str] = frozenset(),
    footnotes: frozenset[str] = frozenset(),
) -> Article:
    lines = [" ".join(line.split()) for line in raw_lines]
    lines = [line for line in lines if line]
    rules = load_rules()
    kept: list[str] = []
    removed: list[Removed] = []
    metadata = {"byline": byline, "published": _iso_date(published) if published else None}
    list_rule: str | None = None
    for index, text in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else None
        line = Line(text, following, kept, link_only, footnotes)
        if (
            list_rule
            and not _LIST_ITEM_END.search(text)
            and len(text.split()) <= LIST_ITEM_MAX_WORDS
        ):
            removed.append(Removed(text, list_rule))
            continue
        list_rule = None
        rule = next(
            (r for r in rules if not (r.before_body and len(kept) > 1) and r.matches(line)),
            None,
        )
        if rule is None:
            kept.append(text)
            continue
        removed.append(Removed(text, rule.name))
        if rule.drops_list:
            list_rule = rule.name
        for key, value in _captured(rule, text).items():
            metadata[key] = metadata.get(key) or value
    if not kept:
        raise NoSpeakableText(
            "nothing left to read after cleaning: every line looked like page furniture "
            "(bylines, captions, links, prompts); send the article's own paragraphs"
        )
    byline = metadata["byline"]
    if byline and byline.isupper():  # "MARTIN HALE" -> "Martin Hale"
        byline = string.capwords(byline.lower())
    return Article(
        title=kept[0],
        paragraphs=kept,
        byline=byline,
        published=metadata["published"],
        removed=removed,
    )


def _captured(rule: Rule, text: str) -> dict[str, str | None]:
    """The byline and publication date a metadata rule's named groups hold."""
    match = rule.pattern.fullmatch(text) if rule.pattern is not None else None
    if match is None:
        return {}
    found = {key: value.strip() for key, value in match.groupdict().items() if value}
    if "published" in found:
        found["published"] = _iso_date(found["published"], text)
    return {key: found.get(key) for key in ("byline", "published") if key in found}


_DATE_FORMATS = (
    "%d %B %Y",
    "%d %b %Y",
    "%B %d %Y",
    "%b %d %Y",
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d/%m/%y",
)
_TIME = re.compile(r"\b(\d{1,2})[:.](\d{2})\b(?!\d)")


def _iso_date(value: str, context: str = "") -> str | None:
    """'15 February 2023' (+ '00:36' in context) -> '2023-02-15T00:36'; None if unreadable."""
    cleaned = re.sub(r"(\d)(?:st|nd|rd|th)\b", r"\1", value.replace(",", " ").replace(".", " "))
    cleaned = " ".join(cleaned.split())
    cleaned = re.sub(r"\bSept\b", "Sep", cleaned, flags=re.IGNORECASE)
    iso_prefix = re.match(r"\d{4}-\d{2}-\d{2}", cleaned)
    if iso_prefix:
        cleaned = iso_prefix.group()
    for fmt in _DATE_FORMATS:
        try:
            day = datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
        time = _TIME.search(context[context.find(value) + len(value) :]) if context else None
        if time and int(time.group(1)) < 24:
            return f"{day.isoformat()}T{int(time.group(1)):02d}:{time.group(2)}"
        return day.isoformat()
    return None
