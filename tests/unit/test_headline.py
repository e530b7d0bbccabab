"""The headline read first: the page's <title> without the site's name (or the author's)
that it adds after a separator, where an <h1> holds the part before it."""

from __future__ import annotations

from lxml import html as lxml_html

from workers.pipeline.clean.cleaner import clean
from workers.pipeline.clean.metadata import page_headline

HEADLINE = "Harbour wall to be rebuilt after the winter storms"
BODY = " ".join(["The council says the work on the wall will take six months to finish."] * 4)


def _tree(h1: str):
    return lxml_html.fromstring(f"<html><body><h1>{h1}</h1><p>{BODY}</p></body></html>")


def test_the_sites_name_after_a_separator_goes():
    for tail in (
        " - Harbour Times",
        " | Jo Bloggs",
        " • harbourtimes.example",
        " – Harbour Times News",
    ):
        assert page_headline(_tree(HEADLINE), HEADLINE + tail) == HEADLINE


def test_the_title_stays_where_no_h1_is_its_start_before_a_separator():
    subtitle = f"{HEADLINE}: what the work means for the town"  # a colon is the headline's
    assert page_headline(_tree(HEADLINE), subtitle) == subtitle
    long_tail = f"{HEADLINE} - and the council says the ferry will run a longer timetable"
    assert page_headline(_tree(HEADLINE), long_tail) == long_tail
    short = "Harbour wall"  # too few words to stand for the headline
    assert page_headline(_tree(short), f"{short} - Harbour Times") == f"{short} - Harbour Times"
    assert page_headline(_tree("Bus station to close"), f"{HEADLINE} - Harbour Times") == (
        f"{HEADLINE} - Harbour Times"
    )


def test_a_page_is_read_from_its_headline_without_the_sites_name():
    page = (
        f"<html><head><title>{HEADLINE} - Harbour Times</title>"
        f'<meta property="og:title" content="{HEADLINE} - Harbour Times"></head><body><article>'
        f"<h1>{HEADLINE}</h1><p>{BODY}</p><p>{BODY.replace('wall', 'quay')}</p>"
        "</article></body></html>"
    )
    paragraphs = clean(page, format="html").paragraphs
    assert paragraphs[0] == HEADLINE
    assert not any("Harbour Times" in paragraph for paragraph in paragraphs)
