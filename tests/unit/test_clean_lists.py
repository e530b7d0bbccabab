"""Runs of page furniture the cleaner removes as a whole: a photo gallery's numbered
slides, and the summaries in a list of the site's other stories. Each with the article
lines that resemble it and stay."""

from __future__ import annotations

from workers.pipeline.clean.cleaner import clean
from workers.pipeline.clean.gallery import GALLERY_RULE, gallery_lines
from workers.pipeline.clean.plain import clean_text

BODY = [
    "Harbour wall to be rebuilt after winter storms",
    "The council will rebuild the harbour wall this spring, after two storms in January "
    "left a gap that the tide now runs through twice a day.",
    "Work starts in March and should take about six months, the council said.",
]
LAST = "The harbour will stay open while the work goes on, with one berth closed at a time."


def _text(*middle: str) -> str:
    return "\n\n".join([*BODY, *middle, LAST])


def _removed(article, rule: str) -> list[str]:
    return [removed.text for removed in article.removed if removed.rule == rule]


SLIDES = [
    f"{n}/6 {title}"
    for n, title in enumerate(
        ["Storm damage", "The gap", "Divers", "Night work", "Old stones", "The crane"], 1
    )
]


def test_a_gallery_of_numbered_slides_goes_in_html():
    items = "".join(f"<li>{slide} Seen from the quay on Monday morning.</li>" for slide in SLIDES)
    page = (
        "<html><head><title>Harbour wall</title></head><body><article><h1>Harbour wall</h1>"
        f"<p>{BODY[1]}</p><p>{BODY[2]}</p><ul>{items}</ul><p>{LAST}</p></article></body></html>"
    )
    article = clean(page, format="html")
    assert len(_removed(article, GALLERY_RULE)) == 6
    assert article.paragraphs[-1] == LAST
    assert BODY[2] in article.paragraphs


def test_a_gallery_in_copied_text_goes_with_each_slides_caption_and_credit():
    slides = []
    for slide in SLIDES:
        slides += [slide, "Crews at the harbour wall on Monday, seen from the quay.", "PA"]
    article = clean_text(_text(*slides))
    assert len(_removed(article, GALLERY_RULE)) == 18
    assert article.paragraphs == [*BODY, LAST]


def test_fractions_a_short_thread_and_a_numbered_list_stay():
    recipe = ["- 1/2 cup of flour", "- 1/4 teaspoon of salt", "- 3/4 cup of milk", "- 1/3 cup"]
    thread = [f"{n}/3 The council met again today about the harbour wall." for n in (1, 2, 3)]
    scores = [f"{n}/10 for the team's defence" for n in (7, 4, 9, 6, 8)]
    for lines in (recipe, thread, scores):
        assert gallery_lines([*BODY, *lines, LAST]) == set()
        assert clean_text(_text(*lines)).paragraphs == [*BODY, *lines, LAST]


def test_slides_out_of_order_are_not_a_gallery():
    shuffled = [SLIDES[i] for i in (0, 2, 1, 4, 3, 5)]
    assert gallery_lines(shuffled) == set()


def _page_with_list(items: str, canonical: str = "https://news.example/a") -> str:
    return (
        f'<html><head><title>Harbour wall</title><link rel="canonical" href="{canonical}">'
        "</head><body><article><h1>Harbour wall</h1>"
        f"<p>{BODY[1]}</p><p>{BODY[2]}</p><ul>{items}</ul><p>{LAST}</p></article></body></html>"
    )


SUMMARIES = [
    "The school on the hill will close in July after the council failed to find a buyer.",
    "Fishing boats will pay lower fees at the harbour from next year, the council said.",
    "A new bus route to the station starts in May and runs every twenty minutes.",
]


def _card(href: str, summary: str, heading: str = "Another story") -> str:
    return f'<li><h3><a href="{href}">{heading}</a></h3><p>{summary}</p></li>'


def test_summaries_in_a_list_of_the_sites_other_stories_go():
    items = "".join(_card(f"/news/{n}", text) for n, text in enumerate(SUMMARIES))
    article = clean(_page_with_list(items), format="html")
    removed = " ".join(_removed(article, "link-only"))
    for summary in SUMMARIES:
        assert summary in removed
        assert not any(summary in line for line in article.paragraphs)
    assert article.paragraphs[-1] == LAST


def test_a_list_of_products_off_the_site_and_unlinked_headings_stay():
    offsite = "".join(
        _card(f"https://shop.example/item/{n}", text) for n, text in enumerate(SUMMARIES)
    )
    unlinked = "".join(
        f"<li><h3>Point {n}</h3><p>{text}</p></li>" for n, text in enumerate(SUMMARIES)
    )
    two_cards = "".join(_card(f"/news/{n}", text) for n, text in enumerate(SUMMARIES[:2]))
    for items in (offsite, unlinked, two_cards):
        article = clean(_page_with_list(items), format="html")
        for summary in SUMMARIES[: 2 if items is two_cards else 3]:
            assert any(summary in line for line in article.paragraphs), items
        assert not _removed(article, "link-only")


HIDDEN = "This paragraph is hidden from readers until they press a button on the page."


def _page(body: str) -> str:
    return (
        "<html><head><title>Harbour wall</title></head><body><article><h1>Harbour wall</h1>"
        f"{body}</article></body></html>"
    )


def test_what_the_page_hides_from_readers_is_not_read():
    for hidden in (
        f"<p hidden>{HIDDEN}</p>",
        f'<div style="display: none"><p>{HIDDEN}</p></div>',
        f'<p style="color: red; visibility:hidden">{HIDDEN}</p>',
    ):
        page = _page(f"<p>{BODY[1]}</p>{hidden}<p>{BODY[2]}</p><p>{LAST}</p>")
        article = clean(page, format="html")
        assert HIDDEN not in article.paragraphs, hidden
        assert article.paragraphs[1:] == [BODY[1], BODY[2], LAST]


def test_an_article_a_script_shows_is_read_though_the_page_hides_it():
    page = _page(f'<div style="display:none"><p>{BODY[1]}</p><p>{BODY[2]}</p><p>{LAST}</p></div>')
    assert clean(page, format="html").paragraphs[1:] == [BODY[1], BODY[2], LAST]


STORY = [
    f"Paragraph {n} of the story: the council met on Tuesday and agreed that the harbour "
    "wall would be rebuilt with stone from the old quarry above the town."
    for n in range(1, 9)
]
OTHERS = [f"Bus station number {n} to close for repairs until spring" for n in range(1, 13)]


def test_in_html_what_follows_a_closing_heading_late_in_the_article_goes():
    paragraphs = "".join(f"<p>{line}</p>" for line in [*STORY, "Related articles", *OTHERS])
    article = clean(_page(paragraphs), format="html")
    assert article.paragraphs[1:] == STORY
    assert {r.text for r in article.removed if r.rule == "page-outside"} >= set(OTHERS)


def test_in_html_a_closing_heading_early_in_the_article_ends_nothing():
    lines = [*STORY[:2], "Related articles", *STORY[2:], *OTHERS]
    article = clean(_page("".join(f"<p>{line}</p>" for line in lines)), format="html")
    assert article.paragraphs[1:] == [*STORY, *OTHERS]


def _page_with_cards(href: str) -> str:
    cards = "".join(
        f'<a href="{href}{n}"><div><p>{text}</p></div></a>' for n, text in enumerate(SUMMARIES)
    )
    story = "".join(f"<p>{line}</p>" for line in STORY[:6])
    return (
        '<html><head><title>Harbour wall</title><link rel="canonical" href="https://news.example/a">'
        f"</head><body><article><h1>Harbour wall</h1>{story}<div>{cards}</div><p>{LAST}</p>"
        "</article></body></html>"
    )


def test_cards_that_are_links_to_the_sites_other_pages_go():
    article = clean(_page_with_cards("/news/"), format="html")
    assert set(_removed(article, "link-only")) == set(SUMMARIES)
    assert article.paragraphs[1:] == [*STORY[:6], LAST]


def test_cards_that_link_off_the_site_stay():
    article = clean(_page_with_cards("https://shop.example/item/"), format="html")
    assert [line for line in article.paragraphs if line in SUMMARIES] == SUMMARIES
