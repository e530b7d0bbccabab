"""The cleaner on inputs nobody foresaw: it gives an article or `NoSpeakableText`, never a
traceback; its output cleans to itself; an input with prose never loses all of it."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from workers.pipeline.article import Article
from workers.pipeline.clean import html as html_module
from workers.pipeline.clean import plain as plain_module
from workers.pipeline.clean.cleaner import clean
from workers.pipeline.clean.metadata import find_byline, find_standfirst
from workers.pipeline.clean.rules import FALLBACK_RULE
from workers.pipeline.errors import NoSpeakableText

# Deterministic and bounded, so that CI sees the same examples every run.
BOUNDED = settings(
    derandomize=True,
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

WORDS = [
    "harbour",
    "council",
    "river",
    "Brücke",
    "ação",
    "año",
    "città",
    "été",
    "мост",
    "جسر",
    "桥梁",
    "पुल",
    "🌊",
    "&amp;",
    "&nbsp;",
    "&#8217;",
    "&bogus;",
    "<",
    ">",
    "&",
    "\x00",
    "\x0b",
    "\x1f",
    "\x85",
    "\u2028",
    "\ufeff",
    "\ud800",
    "\udfff",
]
PROSE = (
    "The council said on Tuesday that the repairs to the harbour wall would go on until "
    "the spring, when calmer weather should let the crews finish the work they began."
)

word = st.sampled_from(WORDS) | st.text(
    st.characters(codec=None, exclude_categories=()), min_size=1, max_size=8
)
fragment = st.lists(word, max_size=12).map(" ".join)
# 100k-character lines: of words, of one endless word, of prose
long_line = st.sampled_from(["word " * 20_000, "x" * 100_000, (PROSE + " ") * 550])
TAGS = [
    "p",
    "div",
    "span",
    "h1",
    "h2",
    "article",
    "section",
    "ul",
    "li",
    "table",
    "tr",
    "td",
    "a",
    "b",
    "em",
    "blockquote",
    "figure",
    "figcaption",
    "svg",
    "math",
    "script",
    "style",
]
ODD_NODES = [
    "<!-- a comment -->",
    "<?php echo 1; ?>",
    "<?xml-stylesheet href='x'?>",
    "<![CDATA[ raw <b>data</b> ]]>",
    "&nbsp;",
    "&eacute;",
    "&#x1F30A;",
    "&unknown;",
    "<br>",
    "<hr/>",
    "</p>",
    "</div></div>",
    "<p>",
    "<td>",
    "<!DOCTYPE html>",
    "<!--",
    "<svg><title>icon</title><path d='M0'/></svg>",
    "<math><mi>x</mi></math>",
]
# Nothing that would hide what follows it: an unclosed comment, script, style or drawing.
HIDING = {"<!--", "script", "style", "svg", "math"}
odd_node = st.sampled_from(ODD_NODES)
open_node = st.sampled_from([node for node in ODD_NODES if node != "<!--"])


def _elements(tags: list[str]):
    def element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return _element(children, tags)

    return element


def _element(children: st.SearchStrategy[str], tags: list[str]) -> st.SearchStrategy[str]:
    @st.composite
    def build(draw) -> str:
        tag = draw(st.sampled_from(tags))
        attribute = draw(st.sampled_from(["", ' class="standfirst"', ' class="byline"', ' x="<"']))
        inner = "".join(draw(st.lists(children, max_size=4)))
        close = draw(st.sampled_from([f"</{tag}>", f"</{tag}>", "", "</span>"]))  # broken nesting
        return f"<{tag}{attribute}>{inner}{close}"

    return build()


html_body = st.recursive(fragment | odd_node, _elements(TAGS), max_leaves=20)
open_body = st.recursive(
    fragment | open_node, _elements([t for t in TAGS if t not in HIDING]), max_leaves=20
)


@st.composite
def html_page(draw, prose: bool = False) -> str:
    parts = draw(st.lists(open_body if prose else html_body, min_size=1, max_size=6))
    if draw(st.booleans()):
        parts.insert(0, f"<h1>{draw(fragment)}</h1>{draw(open_node if prose else odd_node)}")
    if prose:
        parts.insert(draw(st.integers(0, len(parts))), f"<p>{PROSE}</p>")
    head = draw(
        st.sampled_from(
            ["", "<head><title>A page</title></head>", "<?xml version='1.0' encoding='utf-8'?>"]
        )
    )
    return f"<html>{head}<body>{''.join(parts)}</body></html>"


text_input = st.lists(fragment | long_line | odd_node, max_size=8).map("\n".join)


def _cleaned(raw: str, kind: str) -> Article | None:
    try:
        return clean(raw, format=kind)
    except NoSpeakableText:
        return None


def _assert_idempotent(article: Article) -> None:
    again = clean("\n\n".join(article.paragraphs), format="text")
    assert again.paragraphs == article.paragraphs


@BOUNDED
@given(html_page())
def test_any_html_gives_an_article_or_no_speakable_text_and_cleans_to_itself(page: str):
    article = _cleaned(page, "html")
    if article is not None:
        assert article.paragraphs and all(p.strip() for p in article.paragraphs)
        _assert_idempotent(article)


@settings(BOUNDED, max_examples=25)  # its examples carry 100k-character lines
@given(text_input)
def test_any_text_gives_an_article_or_no_speakable_text_and_cleans_to_itself(raw: str):
    article = _cleaned(raw, "text")
    if article is not None:
        _assert_idempotent(article)


@BOUNDED
@given(html_page(prose=True))
def test_html_with_prose_never_loses_every_line(page: str):
    # Not "keeps the prose": the extractor may choose another block of the page as the
    # article (hypothesis finds an <article> of other words beside a lone <p> of prose).
    article = clean(page, format="html")
    assert article.paragraphs and all(p.strip() for p in article.paragraphs)


@BOUNDED
@given(st.lists(fragment | odd_node, max_size=6), st.integers(0, 6))
def test_text_with_prose_never_loses_all_of_it(lines: list[str], where: int):
    lines.insert(min(where, len(lines)), PROSE)
    article = clean("\n\n".join(lines), format="text")
    assert PROSE in article.paragraphs


# Regression cases: each kind of node the tree walkers meet beside the headline. ---------

TITLE = "Ferry service to resume after storm repairs"
STANDFIRST = "The crossing has been closed for six weeks while the pier was rebuilt"
BESIDE_HEADING = {
    "comment": "<!-- story-meta: ferry -->",
    "processing instruction": "<?php echo $dek; ?>",
    "cdata section": "<![CDATA[ var dek = 1; ]]>",
    "entity": "&nbsp;",
    "svg": "<svg viewBox='0 0 10 10'><title>Share</title><path d='M0 0h10'/></svg>",
    "math": "<math><mi>x</mi><mo>=</mo><mn>2</mn></math>",
    "script": "<script>window.dek = 'not this';</script>",
    "broken nesting": "<span><b>Live</span></b>",
    "doctype in the body": "<!DOCTYPE html>",
}


def _page(between: str) -> str:
    return (
        f"<html><head><title>{TITLE}</title></head><body><article>"
        f"<h1>{TITLE}</h1>{between}<p class='standfirst'>{STANDFIRST}</p>"
        "<p>The ferry between the island and the mainland will run again from Monday, "
        "the operator said, after contractors finished rebuilding the storm-damaged pier.</p>"
        "<p>Islanders have relied on a smaller boat, which cannot carry cars or freight, "
        "since the pier was damaged in the first storm of the winter.</p>"
        "</article></body></html>"
    )


@pytest.mark.parametrize("node", BESIDE_HEADING.values(), ids=BESIDE_HEADING.keys())
def test_standfirst_is_found_past_any_node_beside_the_headline(node: str):
    tree = lxml_html.fromstring(_page(node))
    assert find_standfirst(tree, TITLE, None) == STANDFIRST


@pytest.mark.parametrize("node", BESIDE_HEADING.values(), ids=BESIDE_HEADING.keys())
def test_a_page_with_any_node_beside_the_headline_is_cleaned_whole(node: str):
    article = clean(_page(node), format="html")
    assert article.paragraphs[:2] == [TITLE, STANDFIRST]
    assert article.paragraphs[2].startswith("The ferry between the island")
    assert FALLBACK_RULE not in {removed.rule for removed in article.removed}


def test_standfirst_text_leaves_out_drawings_and_scripts_inside_it():
    page = _page("").replace(
        f"<p class='standfirst'>{STANDFIRST}</p>",
        f"<p class='standfirst'>{STANDFIRST}<svg><title>icon</title></svg>"
        "<script>x()</script><!-- end --></p>",
    )
    assert find_standfirst(lxml_html.fromstring(page), TITLE, None) == STANDFIRST


def test_byline_is_found_past_comments_and_svg_in_the_byline_element():
    tree = lxml_html.fromstring(
        "<html><body><div class='byline'><svg><title>Author Icon Here</title></svg>"
        "<!-- author --><span>Mara Quinn</span></div><p>Text.</p></body></html>"
    )
    assert find_byline(tree) == "Mara Quinn"


def test_a_failing_tree_step_falls_back_and_the_report_names_it(monkeypatch):
    def broken(*args):
        raise ValueError("Input object is not an XML element: HtmlComment")

    monkeypatch.setattr(html_module, "find_standfirst", broken)
    article = clean(_page("<!-- x -->"), format="html")
    assert article.paragraphs[0] == TITLE
    assert any(p.startswith("The ferry between the island") for p in article.paragraphs)
    notes = [r.text for r in article.removed if r.rule == FALLBACK_RULE]
    assert notes == ["finding the standfirst failed (ValueError); skipped"]


def test_a_failing_rule_pass_falls_back_to_the_extractors_text(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug in a rule")

    monkeypatch.setattr(html_module, "clean_lines", broken)
    article = clean(_page(""), format="html")
    assert any(p.startswith("The ferry between the island") for p in article.paragraphs)
    assert article.removed[0].rule == FALLBACK_RULE
    assert "extractor's own text" in article.removed[0].text


def test_a_failing_text_pass_reads_the_text_as_given(monkeypatch):
    monkeypatch.setattr(plain_module, "clean_lines", lambda *a, **k: 1 / 0)
    article = clean("A headline\n\nShare this\n\nThe story.", format="text")
    assert article.paragraphs == ["A headline", "Share this", "The story."]
    assert (
        article.removed[0].text == "cleaning failed (ZeroDivisionError); the text is read as given"
    )


def test_control_characters_and_lone_surrogates_are_dropped_before_parsing():
    page = _page("").replace("pier was rebuilt", "pier\x00 was\ud800 rebuilt\x1f")
    article = clean(page, format="html")
    assert article.paragraphs[1] == STANDFIRST


def test_an_xhtml_page_with_an_encoding_declaration_is_read():
    page = "<?xml version='1.0' encoding='utf-8'?>" + _page("")
    assert clean(page, format="html").paragraphs[:2] == [TITLE, STANDFIRST]


def test_html_with_nothing_to_read_says_why():
    with pytest.raises(NoSpeakableText, match=r"no article text|nothing left to read"):
        clean(
            "<html><body><!-- only a comment --><nav><a href='/'>Home</a></nav></body></html>",
            format="html",
        )


def test_extra_rules_are_tried_after_the_tables_own():
    from workers.pipeline.clean.rules import Line, Rule

    boilerplate = {"Our reporters are on the island all week."}
    rule = Rule("publisher-boilerplate", lambda line: line.text in boilerplate)
    text = "A headline\n\nFirst.\n\nOur reporters are on the island all week.\n\nLast."
    article = clean(text, format="text", extra_rules=[rule])
    assert article.paragraphs == ["A headline", "First.", "Last."]
    assert [r.rule for r in article.removed] == ["publisher-boilerplate"]
    assert Line  # the structure a rule reads


def test_decomposed_letters_are_read_in_their_composed_form():
    decomposed = "Die Gurtla\u0308nge wird gepru\u0308ft, bevor der Sitz montiert wird."
    article = clean(f"Ein Titel\n\n{decomposed}", format="text")
    assert article.paragraphs[1] == "Die Gurtlänge wird geprüft, bevor der Sitz montiert wird."
