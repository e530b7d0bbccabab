"""The article's byline, publication date and standfirst, where the text and page hold them.

From the page's tree: the standfirst under the headline and the byline element. From the
lines the junk rules drop: the byline and date their named groups capture, dates read as
ISO 8601.
"""

from __future__ import annotations

import re
from datetime import datetime
from itertools import islice
from typing import TYPE_CHECKING

from workers.pipeline.clean.tree import elements, following_siblings, text_nodes, text_of

if TYPE_CHECKING:
    from lxml.html import HtmlElement

    from workers.pipeline.clean.rules import Rule

_BYLINE_ATTRIBUTES = ("class", "data-component", "data-testid", "itemprop", "rel")
_BYLINE_MARK = re.compile(r"byline|author", re.IGNORECASE)
_NOT_BYLINE_MARK = re.compile(r"bio|about|avatar|image|photo|more-by", re.IGNORECASE)
_PERSON = re.compile(r"(?:by\s+)?((?-i:[A-Z])[\w'’.-]+(?:\s+(?-i:[A-Z])[\w'’.-]+){1,3})", re.I)
# Class names publishers give the summary under the headline.
_STANDFIRST_CLASS = re.compile(
    r"standfirst|sub-?deck|(?<![a-z])dek(?![a-z])|sub-?title|sub-?headline|strap-?line|"
    r"summary|description|excerpt|intro(?![a-z]*-?image)",
    re.IGNORECASE,
)
HEADLINE_PREFIX_WORDS = 4
# What a <title> adds after the headline: " - Site", " | Author", " • site.example".
_TITLE_TAIL = re.compile(r"\s+[-–—|•·]{1,2}\s+(\S.*)")
TITLE_TAIL_WORDS = 6
SUMMARY_SEARCH = 300  # elements after the headline where a marked summary may stand
BODY_WORDS = 20  # a paragraph this long is the article's text: no summary comes after it
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


def _heading_block(heading: HtmlElement) -> HtmlElement:
    """The headline, or the wrapper it alone fills (<div class="headline"><h1>…</h1></div>),
    whose next siblings are what stands under the headline."""
    block = heading
    for _ in range(2):
        parent = block.getparent()
        if parent is None or any(True for _ in elements(following_siblings(block))):
            break
        if any(True for _ in elements(block.itersiblings(preceding=True))):
            break
        block = parent
    return block


def find_standfirst(tree: HtmlElement, title: str, description: str | None) -> str | None:
    """The summary shown under the headline, which extractors often leave out with the
    page header: an element just after the <h1> that is named as a standfirst (by its
    class) or that repeats the summary the page declares in its metadata; further down,
    one that does both."""
    declared = " ".join((description or "").split())
    for heading in elements(tree.iter("h1")):
        if not _is_headline(text_of(heading), title):
            continue
        # a byline or a date may stand in between; comments and the like do not count
        for sibling in islice(elements(following_siblings(_heading_block(heading))), 3):
            text = text_of(sibling)
            named = f"{sibling.get('class', '')} {sibling.get('itemprop', '')}"
            if 5 <= len(text.split()) <= 60 and (
                _is_declared(text, declared) or _STANDFIRST_CLASS.search(named)
            ):
                return text
        found = _marked_summary(heading, declared)
        if found:
            return found
    return None


def _marked_summary(heading: HtmlElement, declared: str) -> str | None:
    """Further down, past share buttons and the lead picture: an element named as the
    standfirst (by its class or itemprop) whose text is the declared summary, before the
    article's first paragraph of prose. Both marks are asked for, as it stands farther off."""
    if not declared:
        return None
    following = heading.xpath(f"following::*[position() <= {SUMMARY_SEARCH}]")
    for element in elements(following):
        text = text_of(element)
        named = f"{element.get('class', '')} {element.get('itemprop', '')}"
        if 5 <= len(text.split()) <= 60 and _is_declared(text, declared):
            if _STANDFIRST_CLASS.search(named):
                return text
            continue
        if element.tag == "p" and len(text.split()) >= BODY_WORDS:
            return None  # the article has begun
    return None


def page_headline(tree: HtmlElement, title: str) -> str:
    """The title without the site's name (or the author's) that the page's <title> adds
    after a separator ("Harbour wall to reopen - Harbour Times"), where an <h1> is the
    part before it; else the title as it is."""
    for heading in elements(tree.iter("h1")):
        text = " ".join(text_of(heading).split())
        if len(text.split()) < HEADLINE_PREFIX_WORDS or text == title:
            continue
        rest = title[len(text) :] if title.startswith(text) else ""
        tail = _TITLE_TAIL.fullmatch(rest)
        if tail and len(tail.group(1).split()) <= TITLE_TAIL_WORDS:
            return text
    return title


def _is_headline(heading: str, title: str) -> bool:
    """The <h1> is the article's title, or the start of the page's title, which often
    goes on with the site's name or the rest of a long headline ("… - Site News")."""
    return heading == title or (
        len(heading.split()) >= HEADLINE_PREFIX_WORDS and title.startswith(heading)
    )


def _is_declared(text: str, declared: str) -> bool:
    """The text is the summary declared in the page's metadata, or that summary cut short
    ("…"), as metadata often holds it."""
    if not declared:
        return False
    cut = declared.rstrip(" .…")
    return text == declared or (len(cut.split()) >= 5 and text.startswith(cut))


def find_byline(tree: HtmlElement) -> str | None:
    """A person's name in an element the page marks as its byline or author, for pages
    whose metadata names only the organisation ("By" is optional, as on many sites)."""
    for element in elements(tree.iter()):
        marks = " ".join(str(element.get(name, "")) for name in _BYLINE_ATTRIBUTES)
        if not _BYLINE_MARK.search(marks) or _NOT_BYLINE_MARK.search(marks):
            continue
        for chunk in text_nodes(element):
            name = _PERSON.fullmatch(" ".join(chunk.split()))
            if name:
                return name.group(1)
    return None


def captured(rule: Rule, text: str) -> dict[str, str | None]:
    """The byline and publication date a metadata rule's named groups hold."""
    match = rule.pattern.fullmatch(text) if rule.pattern is not None else None
    if match is None:
        return {}
    found = {key: value.strip() for key, value in match.groupdict().items() if value}
    if "published" in found:
        found["published"] = iso_date(found["published"], text)
    return {key: found.get(key) for key in ("byline", "published") if key in found}


def iso_date(value: str, context: str = "") -> str | None:
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
