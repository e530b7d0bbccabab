"""Walks over an HTML page's element tree (lxml), for what the extractor's text lacks.

Pages nest deeper than Python recurses, and hold comments, drawings and scripts among
their text: these walks use stacks, not recursion, and read only elements of text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lxml.html import HtmlElement

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


def link_paragraphs(tree: HtmlElement) -> set[str]:
    """The texts of paragraphs that are one link to another page of the same site and
    nothing else: teasers for the site's other stories. A link that leads off the site
    (the petition, the event, the piece the article is about) is what the article points
    its reader to, and stays."""
    found = set()
    site = _site_of(tree)
    for paragraph in elements(tree.iter("p")):
        links = [a for a in elements(paragraph.iter("a")) if a.get("href")]
        if len(links) != 1 or str(links[0].get("href")).startswith(("mailto:", "tel:")):
            continue  # an address to write to is part of the article
        if site and not _same_site(str(links[0].get("href")), site):
            continue
        text = text_of(paragraph)
        if text and text == text_of(links[0]):
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
