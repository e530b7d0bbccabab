"""Walks over an HTML page's element tree (lxml), for what the extractor's text lacks.

Pages nest deeper than Python recurses, and hold comments, drawings and scripts among
their text: these walks use stacks, not recursion, and read only elements of text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lxml.html import HtmlElement

TEASER_LIST_MIN = 3
LINK_LIST_MAX = 10
_PAGE_FRAME = frozenset({"html", "head", "body"})
_HIDING_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_NOT_TEXT = frozenset({"svg", "math", "script", "style", "noscript", "template"})


def parse(html: str) -> HtmlElement | None:
    """The page's tree; None for a page of nothing but comments or whitespace."""
    from lxml import etree
    from lxml import html as lxml_html

    try:
        return lxml_html.fromstring(html)
    except ValueError:  # an XML declaration naming an encoding: lxml wants bytes then
        parser = lxml_html.HTMLParser(encoding="utf-8")
        return lxml_html.fromstring(html.encode("utf-8", "replace"), parser=parser)
    except etree.ParserError:  # nothing but comments or whitespace
        return None


def elements(nodes: Iterable[object]) -> Iterator[HtmlElement]:
    """Only the elements that hold readable text: not comments, processing instructions
    or entities (whose tag is not a string), nor drawings and formulas."""
    for node in nodes:
        tag = getattr(node, "tag", None)
        if isinstance(tag, str) and _local_name(tag) not in _NOT_TEXT:
            yield node


def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def following_siblings(element: HtmlElement) -> Iterator[object]:
    sibling = element.getnext()
    while sibling is not None:
        yield sibling
        sibling = sibling.getnext()


def text_nodes(element: HtmlElement) -> Iterator[str]:
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


def text_of(element: HtmlElement) -> str:
    """An element's readable text, its whitespace runs made single spaces."""
    return " ".join(" ".join(text_nodes(element)).split())


def drop_hidden(tree: HtmlElement) -> int:
    """Remove the elements the page hides from its readers (the `hidden` attribute, a style
    of `display: none` or `visibility: hidden`), and say how many went. One that holds a
    third or more of the page's words is kept, and read whole: a page that shows its text
    with a script. A walk from the top that never enters a hidden element, so each piece of
    text is counted at most twice, however deep hidden elements nest."""
    hidden = [element for element in _walk_to_hidden(tree) if element is not tree]
    if not hidden:
        return 0
    total = len(text_of(tree).split())
    dropped = 0
    for element in hidden:
        if element.getparent() is None or len(text_of(element).split()) * 3 >= total > 0:
            continue
        element.drop_tree()
        dropped += 1
    return dropped


def _walk_to_hidden(tree: HtmlElement) -> Iterator[HtmlElement]:
    """The outermost hidden elements under the tree's <body> (or its root)."""
    stack = [tree]
    while stack:
        element = stack.pop()
        if _is_hidden(element) and _local_name(str(element.tag)) not in _PAGE_FRAME:
            yield element
            continue
        stack.extend(reversed(list(elements(element))))


def _is_hidden(element: HtmlElement) -> bool:
    return element.get("hidden") is not None or bool(
        _HIDING_STYLE.search(element.get("style") or "")
    )


def link_paragraphs(tree: HtmlElement) -> set[str]:
    """The texts of paragraphs that are links to other pages of the same site and nothing
    else (one, or a few one under another): teasers for the site's other stories. A link
    that leads off the site (the petition, the event, the piece the article is about) is
    what the article points its reader to, and stays."""
    found = set()
    site = _site_of(tree)
    for paragraph in elements(tree.iter("p")):
        links = [a for a in elements(paragraph.iter("a")) if a.get("href")]
        if not links or len(links) > LINK_LIST_MAX:
            continue
        hrefs = [str(a.get("href")) for a in links]
        if any(href.startswith(("mailto:", "tel:")) for href in hrefs):
            continue  # an address to write to is part of the article
        if site and not all(_same_site(href, site) for href in hrefs):
            continue
        texts = [text_of(a) for a in links]
        if not all(texts) or text_of(paragraph) != " ".join(texts):
            continue
        # Several links, one under another, may reach the text as lines of one or more.
        for start in range(len(texts)):
            for end in range(start + 1, len(texts) + 1):
                found.add(" ".join(texts[start:end]))
    # A card that is a link as a whole: its paragraphs are the teaser's.
    for link in elements(tree.iter("a")):
        href = str(link.get("href") or "")
        if href and not href.startswith("#") and (site is None or _same_site(href, site)):
            found.update(text for p in elements(link.iter("p")) if (text := text_of(p)))
    return found


def teaser_summaries(tree: HtmlElement) -> set[str]:
    """The texts of the summaries in a list of other stories: list items (TEASER_LIST_MIN
    or more in one list) that each hold a headline that is one link to another page of the
    same site, the summary's paragraph under it. A list item whose headline is not a link,
    or links off the site (a product, a source), is the article's."""
    found: set[str] = set()
    site = _site_of(tree)
    for listing in elements(tree.iter("ul", "ol")):
        cards = [item for item in elements(listing) if _is_teaser_card(item, site)]
        if len(cards) < TEASER_LIST_MIN:
            continue
        for card in cards:  # the extractor keeps the summary, or the whole item as one line
            found.update(text for p in elements(card.iter("p")) if (text := text_of(p)))
            found.add(text_of(card))
    return found


def _is_teaser_card(item: HtmlElement, site: str | None) -> bool:
    if _local_name(str(item.tag)) != "li":
        return False
    for heading in elements(item.iter("h2", "h3", "h4", "h5", "h6")):
        links = [a for a in elements(heading.iter("a")) if a.get("href")]
        if len(links) != 1 or text_of(heading) != text_of(links[0]) or not text_of(heading):
            continue
        href = str(links[0].get("href"))
        if not href.startswith("#") and (site is None or _same_site(href, site)):
            return True
    return False


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
