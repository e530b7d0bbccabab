from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.paths import DATA, SEED, SEED_EXPECTED
from workers.pipeline.clean.cleaner import clean, detect_format
from workers.pipeline.clean.plain import clean_text
from workers.pipeline.clean.rules import load_rules
from workers.pipeline.errors import NoSpeakableText

ARTICLES = DATA / "articles"
CORPUS = sorted(ARTICLES.glob("*.expected.txt"))


def _name(path: Path) -> str:
    return path.name.removesuffix(".expected.txt")


def _sources(expected: Path) -> list[Path]:
    """The article as pasted text and/or as a whole HTML page."""
    candidates = (expected.with_name(f"{_name(expected)}.{kind}") for kind in ("txt", "html"))
    return [path for path in candidates if path.exists()]


SOURCES = [source for expected in CORPUS for source in _sources(expected)]


def test_seed_is_cleaned_to_exactly_its_expected_text():
    article = clean(SEED.read_text(encoding="utf-8"), filename=SEED.name)
    assert "\n\n".join(article.paragraphs) + "\n" == SEED_EXPECTED.read_text(encoding="utf-8")


def test_seed_keeps_byline_and_date_as_metadata_not_text():
    article = clean(SEED.read_text(encoding="utf-8"))
    assert article.title.startswith("West risks running out of ammunition")
    assert article.byline == "Emma Soteriou"
    assert article.published == "2023-02-15T00:36"
    assert not any("Soteriou" in p for p in article.paragraphs)


def test_seed_reports_every_removed_line_with_a_rule():
    removed = clean(SEED.read_text(encoding="utf-8")).removed
    rules = {r.text.split(":")[0][:25]: r.rule for r in removed}
    assert rules["By Emma Soteriou"] == "byline"
    assert rules["Listen to this article"] == "player-widget"
    assert rules["Read more"] == "related-link"
    assert {r.rule for r in removed} >= {"dateline", "caption", "photo-credit"}
    assert len(removed) == 10


@pytest.mark.parametrize("source", SOURCES, ids=[p.name for p in SOURCES])
def test_corpus_article_is_cleaned_to_its_expected_text(source: Path):
    expected = source.with_name(f"{source.stem}.expected.txt")
    article = clean(source.read_text(encoding="utf-8"), filename=source.name)
    assert "\n\n".join(article.paragraphs) == expected.read_text(encoding="utf-8").strip()


@pytest.mark.parametrize("expected", CORPUS, ids=[_name(p) for p in CORPUS])
def test_corpus_article_metadata(expected: Path):
    meta = json.loads(expected.with_name(f"{_name(expected)}.meta.json").read_text())
    source = _sources(expected)[0]
    article = clean(source.read_text(encoding="utf-8"), filename=source.name)
    assert article.title == meta["title"]
    if meta.get("byline"):
        assert article.byline == meta["byline"]
    if meta.get("published"):
        assert (article.published or "")[:10] == meta["published"]


def test_there_is_a_corpus_of_at_least_forty_articles_five_not_in_english():
    assert len(CORPUS) >= 40
    assert all(_sources(expected) for expected in CORPUS)
    languages = [
        json.loads(p.with_name(f"{_name(p)}.meta.json").read_text()).get("language", "en")
        for p in CORPUS
    ]
    assert {"pt", "de", "es", "it", "fr"} <= set(languages)


def test_related_links_block_is_dropped_up_to_the_next_paragraph():
    text = (
        "A headline\n\nFirst paragraph.\n\nMore on this story\n\nFloods hit the north\n\n"
        "Council leader resigns\n\nThe story goes on after the links."
    )
    assert clean_text(text).paragraphs == [
        "A headline",
        "First paragraph.",
        "The story goes on after the links.",
    ]


def test_html_paragraph_that_is_only_a_link_is_a_teaser():
    page = (
        "<html><body><article><h1>Bridge to reopen</h1>"
        "<p>The bridge will reopen in <a href='/may'>May</a>, the council said.</p>"
        "<p><a href='/other'>Council tax to rise by five per cent next year</a></p>"
        "<p>Work began last spring and has cost more than expected.</p>"
        "</article></body></html>"
    )
    article = clean(page, format="html")
    assert article.paragraphs == [
        "Bridge to reopen",
        "The bridge will reopen in May, the council said.",
        "Work began last spring and has cost more than expected.",
    ]
    assert [r.rule for r in article.removed] == ["link-only"]


def test_hard_wrapped_lines_are_joined_into_their_paragraph():
    text = "A headline\n\nThe council said the road would\nreopen in the spring, after repairs.\n"
    assert clean_text(text).paragraphs[1] == (
        "The council said the road would reopen in the spring, after repairs."
    )


def test_text_with_nothing_to_read_says_why():
    with pytest.raises(NoSpeakableText, match="nothing left to read"):
        clean_text("Share this article\n\nAdvertisement\n\n")


@pytest.mark.parametrize(
    ("raw", "filename", "kind"),
    [
        ("<p>x</p>", "a.txt", "text"),
        ("plain words", "a.html", "html"),
        ("<!DOCTYPE html><html><body><p>Hi</p></body></html>", None, "html"),
        ("A headline\n\nUse <b> for bold.", None, "text"),
    ],
)
def test_format_detection(raw: str, filename: str | None, kind: str):
    assert detect_format(raw, filename) == kind


def test_every_rule_has_a_name_and_either_a_pattern_or_a_test():
    rules = load_rules()
    assert len({r.name for r in rules}) >= 12
    assert all(r.name and r.matches for r in rules)


def test_an_unpunctuated_standfirst_under_the_headline_is_read():
    standfirst = "Rates have come down since the autumn but millions will still pay more"
    text = f"A headline\n\nBy Jo Bloggs\n\n{standfirst}\n\nThe story begins here."
    assert clean_text(text).paragraphs == ["A headline", standfirst, "The story begins here."]


def test_html_footnotes_are_not_read_and_their_numbers_leave_the_text():
    html = (
        "<html><head><title>Fixed rates will still hurt</title></head><body><article>"
        "<h1>Fixed rates will still hurt</h1>"
        "<p>The typical borrower pays more than £3,500 a year extra, the lender said."
        '<a class="footnote-anchor" href="https://x.example/p#footnote-1">1</a> '
        "That is a rise of about a third on what they pay now for the same home.</p>"
        "<p>Most of those deals were agreed when rates were below one per cent and the "
        "economy was still recovering from the pandemic.</p>"
        '<div class="footnote"><a href="https://x.example/p#footnote-anchor-1">1</a>'
        "<p>Figures use a 25-year term and assume no fees are added to the loan.</p></div>"
        "</article></body></html>"
    )
    article = clean(html, format="html")
    assert article.paragraphs[1].startswith("The typical borrower pays more than £3,500")
    assert "said. That is a rise" in article.paragraphs[1]
    assert not any("25-year term" in p for p in article.paragraphs)
    assert "footnote" in {r.rule for r in article.removed}


def test_a_byline_in_an_element_marked_as_one_is_found_without_by():
    html = (
        "<html><head><title>Reservoir plan divides village</title></head><body><article>"
        "<h1>Reservoir plan divides village</h1>"
        '<div data-component="byline-block"><time>14 May 2024</time><span>Share</span>'
        "<div>Laura Penhale</div><div>BBC News, Somerset</div></div>"
        "<p>Villagers fear they will lose two hundred acres of farmland to a new reservoir, "
        "which the water company says is needed to secure supplies for the next fifty years.</p>"
        "<p>The company will hold a public meeting in the village hall on Thursday evening, "
        "and says it will publish its full plans in the autumn.</p>"
        "</article></body></html>"
    )
    assert clean(html, format="html").byline == "Laura Penhale"


def _page_with_link_paragraph(href: str) -> str:
    return (
        "<html><head><link rel='canonical' href='https://www.harbour.example/news/bridge'>"
        "</head><body><article><h1>Bridge to reopen</h1>"
        "<p>The bridge will reopen in May, the council said, after a year of repairs.</p>"
        f"<p><a href='{href}'>Sign the residents' petition for a second crossing</a></p>"
        "<p>Work began last spring and has cost more than expected.</p>"
        "</article></body></html>"
    )


@pytest.mark.parametrize(
    ("href", "kept"),
    [
        ("https://petitions.example.org/crossing", True),
        ("https://www.harbour.example/news/other", False),
        ("https://shop.harbour.example/crossing", False),
        ("/news/other", False),
    ],
)
def test_a_link_paragraph_is_a_teaser_only_when_it_stays_on_the_site(href: str, kept: bool):
    article = clean(_page_with_link_paragraph(href), format="html")
    line = "Sign the residents' petition for a second crossing"
    assert (line in article.paragraphs) is kept
    assert ([r.rule for r in article.removed] == ["link-only"]) is not kept


def test_an_embedded_post_is_read_without_its_short_link_or_attribution():
    text = (
        "Storm hits the coast\n\nThe first waves reached the promenade at noon.\n\n"
        "Huge waves at the front this afternoon. Stay away from the harbour wall "
        "pic.twitter.com/xY7pQ2aB1c\n\n"
        "— Saltmere Coastguard (@SaltmereCG) October 20, 2024\n\n"
        "Nobody was injured, the council said."
    )
    article = clean_text(text)
    assert article.paragraphs[2] == (
        "Huge waves at the front this afternoon. Stay away from the harbour wall"
    )
    assert [r.rule for r in article.removed] == ["embedded-post"]


@pytest.mark.parametrize(
    "link", ["https://t.co/Ab12Cd", "t.co/Ab12Cd", "http://pic.twitter.com/xY7pQ2aB1c"]
)
def test_an_embedded_post_s_short_link_of_any_form_leaves_its_text(link: str):
    post = "Huge waves at the front this afternoon. Stay away from the harbour wall"
    text = f"Storm hits the coast\n\nThe waves came at noon.\n\n{post} {link}\n\nNobody was hurt."
    assert clean_text(text).paragraphs[2] == post
