"""HTML input: trafilatura's main-content extraction, then the junk rules.

The page's own tree fills in what the extractor leaves out (the headline without the
site's name, the standfirst, a byline, a body declared in structured data, which
paragraphs are bare links or footnotes). Each of
those steps is guarded: one that fails on a page is skipped and the report names it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

from workers.pipeline.article import Article, Removed
from workers.pipeline.clean.lines import clean_lines
from workers.pipeline.clean.metadata import find_byline, find_standfirst, page_headline
from workers.pipeline.clean.page_span import article_end
from workers.pipeline.clean.plain import clean_text
from workers.pipeline.clean.rules import (
    OUTSIDE_RULE,
    SENTENCE_END,
    Rule,
    fallback_note,
    has_prose,
    is_closing,
    rules_drop,
)
from workers.pipeline.clean.tree import (
    drop_hidden,
    link_paragraphs,
    parse,
    teaser_summaries,
    text_of,
)
from workers.pipeline.errors import NoSpeakableText

if TYPE_CHECKING:
    from lxml.html import HtmlElement

T = TypeVar("T")
# The extractor's "[text](target)", brackets in the text escaped, odd targets in <…>.
_MARKDOWN_LINK = re.compile(r"\[((?:\\.|[^\]\\])*)\]\((?:<[^>]*>|[^)\s]*)\)")
_MARKDOWN_ESCAPE = re.compile(r"\\([\[\]\\()*_`#])")
# A footnote's number linked to its note ("[2](…#footnote-2)"), or back to its place.
_FOOTNOTE_LINK = re.compile(r"\[\d{1,3}\]\([^)\s]*#(?:footnote|fn|note|ref)[-_:]?[^)\s]*\)")
_FOOTNOTE_HREF = re.compile(r"""href=["'][^"']*#(?:footnote|fn|note|ref)""", re.IGNORECASE)
HTML_SNIFF = re.compile(r"<(?:!doctype html|html|head|body|article|p|div)[\s>]", re.IGNORECASE)
_SOURCE_BREAK = re.compile(r"\s*\n\s*")
_TABLE_RULE = re.compile(r":?-{3,}:?")
DECLARED_BODY_MIN_WORDS = 100
DECLARED_BODY_RATIO = 3


def clean_html(html: str, *, extra_rules: Sequence[Rule] = ()) -> Article:
    import trafilatura

    notes: list[Removed] = []
    shown = _guarded("removing hidden elements", _shown_page, notes, html)
    document: Any = trafilatura.bare_extraction(  # a Document, as_dict=False
        html if shown is None else shown,
        with_metadata=True,
        include_comments=False,
        include_tables=True,  # tables are often the article's own, as its readers see it
        include_images=False,
        # Links cost the extractor some of the article; they are asked for only where
        # footnotes must be told from the text (by their numbers' links).
        include_links=bool(_FOOTNOTE_HREF.search(html)),
        deduplicate=False,
    )
    if document is None or not (document.text or "").strip():
        text = visible_text(html)
        if not has_prose(text):
            raise NoSpeakableText(
                "no article text found in the HTML: send the page's full HTML, "
                "or the article as plain text"
            )
        article = clean_text(text, extra_rules=extra_rules)
        note = fallback_note("the extractor found no article", "the page's visible text is read")
        return replace(article, removed=[note, *article.removed])
    tree = _guarded("parsing the page", parse, notes, html)
    link_only: set[str] = set()
    if tree is not None:
        link_only |= (
            _guarded("finding paragraphs that are a link", link_paragraphs, notes, tree) or set()
        )
        link_only |= (
            _guarded("finding lists of other stories", teaser_summaries, notes, tree) or set()
        )
    lines, footnotes = [], set()
    note_follows = False
    for raw in _block_lines(document):
        whole_footnote_link = _FOOTNOTE_LINK.fullmatch(raw.strip())
        raw = _FOOTNOTE_LINK.sub("", raw)  # "year.[1](…)" reads as "year."
        whole_link = _MARKDOWN_LINK.fullmatch(raw.strip())
        line = _MARKDOWN_LINK.sub(lambda m: _MARKDOWN_ESCAPE.sub(r"\1", m.group(1)), raw)
        line = _table_row(line)
        if note_follows and line.strip():
            footnotes.add(" ".join(line.split()))
        note_follows = bool(whole_footnote_link) or (note_follows and not line.strip())
        if whole_link:
            link_only.add(" ".join(line.split()))
        lines.append(line)
    declared = _guarded("reading the declared article body", _declared_body, notes, tree)
    if declared and _words(declared) > DECLARED_BODY_RATIO * _words("\n".join(lines)):
        lines = declared.splitlines()  # the extractor found a fraction of the article
    first = next((" ".join(line.split()) for line in lines if line.strip()), "")
    title = " ".join((document.title or "").split())
    if title and tree is not None:
        title = _guarded("finding the headline", page_headline, notes, tree, title) or title
    if title and title != first and not rules_drop(title):
        lines.insert(0, title)
    title = title or first
    standfirst = None
    if tree is not None:
        standfirst = _guarded(
            "finding the standfirst", find_standfirst, notes, tree, title, document.description
        )
    heading = _index_of(lines, title)
    if standfirst and heading >= 0 and standfirst not in {" ".join(x.split()) for x in lines}:
        lines.insert(heading + 1, standfirst)
    byline = document.author
    if not byline and tree is not None:
        byline = _guarded("finding the byline", find_byline, notes, tree)
    lines = [" ".join(line.split()) for line in lines]
    lines = [line for line in lines if line]
    end = article_end(lines, is_closing)
    closing = [Removed(line, OUTSIDE_RULE) for line in lines[end:]]
    lines = lines[:end]
    article = clean_lines(
        lines,
        byline=byline,
        published=document.date,
        link_only=frozenset(link_only),
        footnotes=frozenset(footnotes),
        extra_rules=extra_rules,
    )
    if notes or closing:
        return replace(article, removed=[*notes, *article.removed, *closing])
    return article


def _shown_page(html: str) -> HtmlElement | None:
    """The page's tree without what it hides from readers, for the extractor; None when
    it hides nothing (the extractor then parses the page itself, as always)."""
    from trafilatura.utils import load_html

    tree = load_html(html)
    return tree if tree is not None and drop_hidden(tree) else None


def extractor_text(html: str) -> tuple[str, str]:
    """The extractor's own text of the page (else its visible text), and which it is."""
    import trafilatura

    try:
        text = trafilatura.extract(html, include_comments=False, include_tables=False)
    except Exception:  # the extractor itself failed: the page as a reader copies it
        text = None
    if text and text.strip():
        return text, "the extractor's own text is read"
    return visible_text(html), "the page's visible text is read"


def visible_text(html: str) -> str:
    """The text a reader copies from the rendered page, blocks on their own lines."""
    import html_text

    try:
        tree = html_text.parse_html(html)
        for head in tree.xpath("//head"):  # its <title> is the tab's, not the page's text
            head.drop_tree()
        return html_text.extract_text(tree, guess_layout=True)
    except Exception:  # html-text parses with lxml too: what it cannot read has no text
        return ""


def _block_lines(document: Any) -> list[str]:
    """One line per block of the extracted article. The extractor keeps the page source's
    own line breaks inside a paragraph; those are not the article's."""
    from copy import deepcopy

    from trafilatura.xml import xmltotxt

    body = getattr(document, "body", None)
    if body is None:
        return document.text.splitlines()
    body = deepcopy(body)
    for lb in list(body.iter("lb")):
        _join_unless_sentence_ends(lb)
    for node in body.iter():
        if node.text and "\n" in node.text:
            node.text = _SOURCE_BREAK.sub(" ", node.text)
        if node.tail and "\n" in node.tail:
            node.tail = _SOURCE_BREAK.sub(" ", node.tail)
    return xmltotxt(body, include_formatting=False).splitlines()


def _join_unless_sentence_ends(lb: Any) -> None:
    """A <br> inside a sentence is the page's layout (a hard-wrapped paragraph), so it
    reads as a space; after a sentence it stays a line break."""
    parent, previous = lb.getparent(), lb.getprevious()
    if parent is None:
        return
    if previous is None:
        before = parent.text or ""
    else:
        before = previous.tail if (previous.tail or "").strip() else text_of(previous)
    if not before.strip() or SENTENCE_END.search(before.strip()):
        return
    tail = f" {lb.tail or ''}"
    if previous is None:
        parent.text = (parent.text or "") + tail
    else:
        previous.tail = (previous.tail or "") + tail
    parent.remove(lb)


def _guarded(step: str, function: Callable[..., T], notes: list[Removed], *args) -> T | None:
    """A step that reads the page's tree beside the extractor's text: if it fails on a
    page, the article goes on without it and the report names the step."""
    try:
        return function(*args)
    except Exception as exc:
        notes.append(fallback_note(f"{step} failed ({type(exc).__name__})", "skipped"))
        return None


def _table_row(line: str) -> str:
    """The extractor's "| cell | cell |" as a row reads aloud: "cell, cell." (the stop
    tells it from a teaser headline, in this pass and when the output is cleaned again)."""
    stripped = line.strip()
    if not (stripped.startswith("|") and stripped.endswith("|")):
        return line
    cells = [cell.strip() for cell in stripped.strip("|").split("|")]
    row = ", ".join(cell for cell in cells if cell and not _TABLE_RULE.fullmatch(cell))
    return row if not row or SENTENCE_END.search(row) else f"{row}."


def _words(text: str) -> int:
    return len(text.split())


def _declared_body(tree: HtmlElement | None) -> str | None:
    """The article's text as the page declares it in its structured data (schema.org's
    `articleBody` in JSON-LD), for pages that build their text with scripts: the longest
    one of DECLARED_BODY_MIN_WORDS words or more, else None."""
    import json

    if tree is None:
        return None
    bodies: list[str] = []
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        stack: list[Any] = [data]
        while stack:  # a stack, not recursion: the data nests as deep as the page likes
            item = stack.pop()
            if isinstance(item, dict):
                body = item.get("articleBody")
                if isinstance(body, str):  # some pages declare it as markup
                    bodies.append(visible_text(body) if HTML_SNIFF.search(body) else body)
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
    best = max(bodies, key=_words, default="")
    return best if _words(best) >= DECLARED_BODY_MIN_WORDS else None


def _index_of(lines: list[str], text: str) -> int:
    for index, line in enumerate(lines):
        if " ".join(line.split()) == text:
            return index
    return -1
