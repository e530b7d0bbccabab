"""Article text in (pasted plain text or an HTML page), a structured `Article` out.

HTML first goes through trafilatura's main-content extraction; then both kinds of input
meet the same table of junk rules (data/junk_rules.toml). Every dropped line is kept in
`Article.removed` with the name of the rule that dropped it.
"""

from __future__ import annotations

import re
import string
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache, partial
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from workers.pipeline.article import Article, Removed
from workers.pipeline.clean.page_span import article_end, article_span
from workers.pipeline.errors import NarrateError, NoSpeakableText

if TYPE_CHECKING:
    from lxml.html import HtmlElement

Format = Literal["text", "html"]
T = TypeVar("T")
RULES_FILE = Path(__file__).with_name("data") / "junk_rules.toml"

_PLACEHOLDERS = {
    "{Name}": r"(?-i:[A-Z])[\w'’.-]+",
    "{Month}": r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?",
    "{NoSentence}": r"(?!.*[.!?…][\"'”’)\]]*$)",
}
_SENTENCE_END = re.compile(r"[.!?…:;。！？：；][\"'”’»)\]]*$")
# A sentence ends somewhere in the line: what prose has and menus, tag lists and crumbs lack.
_SENTENCE_BREAK = re.compile(r"[.!?…。！？][\"'”’»)\]]*(?:\s|$)")
_CREDIT_TAIL = re.compile(
    r"[.,]?\s*\(?(?:picture|photograph|photo|image|credit|pictured|illustration)s?\b.*",
    re.IGNORECASE,
)
# The extractor's "[text](target)", brackets in the text escaped, odd targets in <…>.
_MARKDOWN_LINK = re.compile(r"\[((?:\\.|[^\]\\])*)\]\((?:<[^>]*>|[^)\s]*)\)")
_MARKDOWN_ESCAPE = re.compile(r"\\([\[\]\\()*_`#])")
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
_LIST_ITEM_END = re.compile(r"[.!…:;。！：；][\"'”’»)\]]*$")  # a question can be a link's title
_FOOTNOTE_HREF = re.compile(r"""href=["'][^"']*#(?:footnote|fn|note|ref)""", re.IGNORECASE)
_HTML_SNIFF = re.compile(r"<(?:!doctype html|html|head|body|article|p|div)[\s>]", re.IGNORECASE)
TEASER_MIN_WORDS = 8
REPEAT_MIN_WORDS = 5
# "Speaker: words" (one to three names before the colon), or a quotation in the line.
_CLIP_TITLE = re.compile(
    r"^(?:[A-Z][\w’'.-]*\s+){0,2}[A-Z][\w’'.-]*:\s"
    r"|(?:^|\s)['‘\"“][^'’\"”]{2,}['’\"”](?:\s|$)"
)
_LIST_MARKERS = ("- ", "* ", "+ ", "• ")  # the extractor's list items: the article's lists
TEASER_MAX_WORDS = 24  # longer unpunctuated lines are paragraphs that lost their full stop
# A line of prose this long is the article's, wherever a text pattern matches inside it,
# unless it stands at the article's edges (where prompts and bios run long).
LONG_PROSE_WORDS = 25
EDGE_LINES = 3
EDGE_MAX_WORDS = 60  # no prompt or bio runs this long, even at the edges
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
    kinds: str = ""  # the kinds of lines it removes, in words
    drop: tuple[str, ...] = ()  # lines it must remove
    keep: tuple[str, ...] = ()  # body lines that resemble them and must stay


def is_long_prose(text: str) -> bool:
    return len(text.split()) >= LONG_PROSE_WORDS and bool(_SENTENCE_BREAK.search(text))


def _full_match(pattern: re.Pattern[str], line: Line) -> bool:
    return pattern.fullmatch(line.text) is not None


def is_teaser_headline(line: Line) -> bool:
    """A long, unpunctuated line between paragraphs, in the form of a clip's title: a
    speaker and their words ("Hart: We showed the character…") or a quotation ("…should
    be 'embarrassed'"). Another story's or video's title, not a subheading of this one,
    which has neither. Not the line straight after the headline: that is the standfirst."""
    return (
        len(line.kept) > 1
        and not line.text.startswith(_LIST_MARKERS)
        and not _SENTENCE_END.search(line.text)
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
    return line.text in line.link_only


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
                matches=partial(_full_match, pattern),
                pattern=pattern,
                before_body=entry.get("before") == "body",
                drops_list=entry.get("rest") == "drop_list",
                **cases,
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


def clean(
    raw: str,
    *,
    filename: str | None = None,
    format: Format | None = None,
    extra_rules: Sequence[Rule] = (),
) -> Article:
    """Clean an article given as plain text or HTML (detected unless `format` says).
    `extra_rules` (a publisher's own boilerplate, say) are tried after the table's rules.

    Never raises anything but `NoSpeakableText` (or another `NarrateError`): a step that
    fails on an input nobody foresaw falls back to the extractor's own text, and the
    removed-lines report says so with the rule `fallback`."""
    raw = speakable_characters(raw)
    kind = format or detect_format(raw, filename)
    try:
        if kind == "html":
            return clean_html(raw, extra_rules=extra_rules)
        return clean_text(raw, extra_rules=extra_rules)
    except NarrateError:
        raise
    except Exception as exc:  # a bug must cost the listener polish, not the article
        return _fallback_article(raw, kind, f"cleaning failed ({type(exc).__name__})")


# C0 and C1 control characters, and the two non-characters XML forbids. Form feeds and
# the like separate lines; the rest carry nothing a listener could hear.
_LINE_CONTROLS = re.compile("[\x0b\x0c\x1c-\x1e\x85]")
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def speakable_characters(raw: str) -> str:
    """The input without lone surrogates and control characters, which no parser or
    engine accepts and no reader sees, in Unicode's composed form (NFC): a page may
    spell "ü" as "u" and a combining mark, which reads the same but matches nothing."""
    raw = _LONE_SURROGATE.sub("", raw)
    return unicodedata.normalize("NFC", _CONTROLS.sub("", _LINE_CONTROLS.sub("\n", raw)))


FALLBACK_RULE = "fallback"


def _fallback_note(step: str, fallback: str) -> Removed:
    return Removed(f"{step}; {fallback}", FALLBACK_RULE)


def _fallback_article(raw: str, kind: Format, why: str) -> Article:
    """The extractor's own text (or the text as given), untouched by the junk rules."""
    text, source = raw, "the text is read as given"
    if kind == "html":
        text, source = _extractor_text(raw)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise NoSpeakableText(
            "no article text found: send the page's full HTML, or the article as plain text"
        )
    return Article(lines[0], lines, removed=[_fallback_note(why, source)])


def _extractor_text(html: str) -> tuple[str, str]:
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


def clean_html(html: str, *, extra_rules: Sequence[Rule] = ()) -> Article:
    import trafilatura

    notes: list[Removed] = []
    document: Any = trafilatura.bare_extraction(  # a Document, as_dict=False
        html,
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
        if not _has_prose(text):
            raise NoSpeakableText(
                "no article text found in the HTML: send the page's full HTML, "
                "or the article as plain text"
            )
        article = clean_text(text, extra_rules=extra_rules)
        note = _fallback_note("the extractor found no article", "the page's visible text is read")
        return replace(article, removed=[note, *article.removed])
    tree = _guarded("parsing the page", _parse, notes, html)
    link_only: set[str] = set()
    if tree is not None:
        link_only |= (
            _guarded("finding paragraphs that are a link", _link_paragraphs, notes, tree) or set()
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
    if title and title != first and not _rules_drop(title):
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
    article = clean_lines(
        lines,
        byline=byline,
        published=document.date,
        link_only=frozenset(link_only),
        footnotes=frozenset(footnotes),
        extra_rules=extra_rules,
    )
    return replace(article, removed=[*notes, *article.removed]) if notes else article


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


_SOURCE_BREAK = re.compile(r"\s*\n\s*")


def _join_unless_sentence_ends(lb: Any) -> None:
    """A <br> inside a sentence is the page's layout (a hard-wrapped paragraph), so it
    reads as a space; after a sentence it stays a line break."""
    parent, previous = lb.getparent(), lb.getprevious()
    if parent is None:
        return
    if previous is None:
        before = parent.text or ""
    else:
        before = previous.tail if (previous.tail or "").strip() else _text(previous)
    if not before.strip() or _SENTENCE_END.search(before.strip()):
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
        notes.append(_fallback_note(f"{step} failed ({type(exc).__name__})", "skipped"))
        return None


def _table_row(line: str) -> str:
    """The extractor's "| cell | cell |" as a row reads aloud: "cell, cell." (the stop
    tells it from a teaser headline, in this pass and when the output is cleaned again)."""
    stripped = line.strip()
    if not (stripped.startswith("|") and stripped.endswith("|")):
        return line
    cells = [cell.strip() for cell in stripped.strip("|").split("|")]
    row = ", ".join(cell for cell in cells if cell and not _TABLE_RULE.fullmatch(cell))
    return row if not row or _SENTENCE_END.search(row) else f"{row}."


_TABLE_RULE = re.compile(r":?-{3,}:?")


DECLARED_BODY_MIN_WORDS = 100
DECLARED_BODY_RATIO = 3


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
                    bodies.append(visible_text(body) if _HTML_SNIFF.search(body) else body)
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
    best = max(bodies, key=_words, default="")
    return best if _words(best) >= DECLARED_BODY_MIN_WORDS else None


def _link_paragraphs(tree: HtmlElement) -> set[str]:
    """The texts of paragraphs that are one link to another page of the same site and
    nothing else: teasers for the site's other stories. A link that leads off the site
    (the petition, the event, the piece the article is about) is what the article points
    its reader to, and stays."""
    found = set()
    site = _site_of(tree)
    for paragraph in _elements(tree.iter("p")):
        links = [a for a in _elements(paragraph.iter("a")) if a.get("href")]
        if len(links) != 1 or str(links[0].get("href")).startswith(("mailto:", "tel:")):
            continue  # an address to write to is part of the article
        if site and not _same_site(str(links[0].get("href")), site):
            continue
        text = _text(paragraph)
        if text and text == _text(links[0]):
            found.add(text)
    return found


def _site_of(tree: HtmlElement) -> str | None:
    """The page's own host, without "www.", from its canonical address; None when the
    page does not say."""
    from urllib.parse import urlsplit

    declared = [
        *tree.xpath("//link[@rel='canonical']/@href"),
        *tree.xpath("//meta[@property='og:url']/@content"),
    ]
    for address in declared:
        host = urlsplit(str(address).strip()).hostname
        if host:
            return host.removeprefix("www.")
    return None


def _same_site(href: str, site: str) -> bool:
    """A relative link, or one to the site's host or a host under it (x.example.com)."""
    from urllib.parse import urlsplit

    try:
        host = urlsplit(href.strip()).hostname
    except ValueError:  # a malformed address leads nowhere else
        return True
    if not host:
        return True
    host = host.removeprefix("www.")
    return host == site or host.endswith(f".{site}") or site.endswith(f".{host}")


def _has_prose(text: str) -> bool:
    return any(
        len(line.split()) >= TEASER_MIN_WORDS and _SENTENCE_END.search(line.strip())
        for line in text.splitlines()
    )


def _parse(html: str) -> HtmlElement | None:
    from lxml import etree
    from lxml import html as lxml_html

    try:
        return lxml_html.fromstring(html)
    except ValueError:  # an XML declaration naming an encoding: lxml wants bytes then
        parser = lxml_html.HTMLParser(encoding="utf-8")
        return lxml_html.fromstring(html.encode("utf-8", "replace"), parser=parser)
    except etree.ParserError:  # nothing but comments or whitespace
        return None


def _elements(nodes: Iterable[object]) -> Iterator[HtmlElement]:
    """Only the elements that hold readable text: not comments, processing instructions
    or entities (whose tag is not a string), nor drawings and formulas."""
    for node in nodes:
        tag = getattr(node, "tag", None)
        if isinstance(tag, str) and _local_name(tag) not in _NOT_TEXT:
            yield node


_NOT_TEXT = frozenset({"svg", "math", "script", "style", "noscript", "template"})


def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def _following_siblings(element: HtmlElement) -> Iterator[object]:
    sibling = element.getnext()
    while sibling is not None:
        yield sibling
        sibling = sibling.getnext()


def _text_nodes(element: HtmlElement) -> Iterator[str]:
    """An element's pieces of text, in order, without those of comments, drawings,
    formulas and scripts (a stack, not recursion: pages nest deeper than Python recurses)."""
    stack: list[Any] = [element]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
            continue
        tag = getattr(item, "tag", None)
        if isinstance(tag, str) and _local_name(tag) not in _NOT_TEXT:
            yield item.text or ""
            for child in reversed(item):
                stack.append(child.tail or "")
                stack.append(child)


def _text(element: HtmlElement) -> str:
    return " ".join(" ".join(_text_nodes(element)).split())


def _heading_block(heading: HtmlElement) -> HtmlElement:
    """The headline, or the wrapper it alone fills (<div class="headline"><h1>…</h1></div>),
    whose next siblings are what stands under the headline."""
    block = heading
    for _ in range(2):
        parent = block.getparent()
        if parent is None or any(True for _ in _elements(_following_siblings(block))):
            break
        if any(True for _ in _elements(block.itersiblings(preceding=True))):
            break
        block = parent
    return block


def find_standfirst(tree: HtmlElement, title: str, description: str | None) -> str | None:
    """The summary shown under the headline, which extractors often leave out with the
    page header: an element just after the <h1> that is named as a standfirst (by its
    class) or that repeats the summary the page declares in its metadata."""
    declared = " ".join((description or "").split())
    for heading in _elements(tree.iter("h1")):
        if _text(heading) != title:
            continue
        # a byline or a date may stand in between; comments and the like do not count
        for sibling in islice(_elements(_following_siblings(_heading_block(heading))), 3):
            text = _text(sibling)
            named = f"{sibling.get('class', '')} {sibling.get('itemprop', '')}"
            if 5 <= len(text.split()) <= 60 and (
                text == declared or _STANDFIRST_CLASS.search(named)
            ):
                return text
    return None


def find_byline(tree: HtmlElement) -> str | None:
    """A person's name in an element the page marks as its byline or author, for pages
    whose metadata names only the organisation ("By" is optional, as on many sites)."""
    for element in _elements(tree.iter()):
        marks = " ".join(str(element.get(name, "")) for name in _BYLINE_ATTRIBUTES)
        if not _BYLINE_MARK.search(marks) or _NOT_BYLINE_MARK.search(marks):
            continue
        for chunk in _text_nodes(element):
            name = _PERSON.fullmatch(" ".join(chunk.split()))
            if name:
                return name.group(1)
    return None


def _index_of(lines: list[str], text: str) -> int:
    for index, line in enumerate(lines):
        if " ".join(line.split()) == text:
            return index
    return -1


def clean_text(text: str, *, extra_rules: Sequence[Rule] = ()) -> Article:
    """Pasted text, or a whole page's copied text: what lies outside the article's run of
    prose (menus above it, footers below) goes first, reported as `page-outside`."""
    lines = [line for line in _unwrap(text.splitlines()) if line]
    start, end = article_span(lines)
    end = start + article_end(lines[start:end], _is_closing)
    article = clean_lines(lines[start:end], extra_rules=extra_rules)
    before = [Removed(line, OUTSIDE_RULE) for line in lines[:start]]
    after = [Removed(line, OUTSIDE_RULE) for line in lines[end:]]
    if not before and not after:
        return article
    return replace(article, removed=[*before, *article.removed, *after])


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


def _is_closing(text: str) -> bool:
    line = Line(text, None, ())
    return any(
        rule.name in CLOSING_RULES and rule.pattern is not None and rule.matches(line)
        for rule in load_rules()
    )


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
    extra_rules: Sequence[Rule] = (),
) -> Article:
    """The junk rules over the lines, repeated until nothing more goes (a line can stand at
    the article's edge only once the junk around it has gone), so that cleaning the output
    again changes nothing. `extra_rules` are tried after the table's own."""
    lines = [_without_post_link(" ".join(line.split())) for line in raw_lines]
    lines = [line for line in lines if line]
    rules = (*load_rules(), *extra_rules)
    metadata = {"byline": byline, "published": _iso_date(published) if published else None}
    kept, removed = _apply_rules(lines, rules, link_only, footnotes, metadata)
    for _ in range(MAX_PASSES):
        again, more = _apply_rules(kept, rules, link_only, footnotes, metadata)
        if again == kept:
            break
        kept, removed = again, [*removed, *more]
    if not kept:
        prose = [line for line in lines if _has_prose(line)]
        if not prose:
            raise NoSpeakableText(
                "nothing left to read after cleaning: every line looked like page furniture "
                "(bylines, captions, links, prompts); send the article's own paragraphs"
            )
        # Sentences of prose are never all junk: read them rather than nothing.
        kept = prose
        removed = [r for r in removed if r.text not in prose]
        removed.insert(0, _fallback_note("every line matched a rule", "the prose is read"))
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


MAX_PASSES = 4
# An embedded post's picture or short link at the end of its text ("… pic.twitter.com/x1").
_POST_LINK = re.compile(r"\s+(?:https?://)?(?:pic\.twitter\.com|t\.co)/\w+$")


def _without_post_link(line: str) -> str:
    """A quoted social post without the short link it ends in, which says nothing aloud.
    A line that is only the link is left for the `embedded-post` rule to report."""
    return _POST_LINK.sub("", line)


def _apply_rules(
    lines: list[str],
    rules: Sequence[Rule],
    link_only: frozenset[str],
    footnotes: frozenset[str],
    metadata: dict[str, str | None],
) -> tuple[list[str], list[Removed]]:
    kept: list[str] = []
    removed: list[Removed] = []
    list_rule: str | None = None
    for index, text in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else None
        line = Line(text, following, kept, link_only, footnotes)
        if (
            list_rule
            and not _LIST_ITEM_END.search(text)
            and len(text.split()) <= LIST_ITEM_MAX_WORDS
        ):
            removed.append(Removed(text, list_rule, len(kept)))
            continue
        list_rule = None
        at_edge = index < EDGE_LINES or index >= len(lines) - EDGE_LINES
        protected = is_long_prose(text) and (not at_edge or len(text.split()) >= EDGE_MAX_WORDS)
        rule = next(
            (
                r
                for r in rules
                if not (r.before_body and len(kept) > 1)
                and not (protected and r.pattern is not None)
                and r.matches(line)
            ),
            None,
        )
        if rule is None:
            kept.append(text)
            continue
        removed.append(Removed(text, rule.name, len(kept)))
        if rule.drops_list:
            list_rule = rule.name
        for key, value in _captured(rule, text).items():
            metadata[key] = metadata.get(key) or value
    return kept, removed


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
