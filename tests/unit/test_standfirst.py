"""The standfirst under the headline, found where the page's title says more than its <h1>
(the site's name after it) or its metadata holds the summary cut short."""

from __future__ import annotations

from lxml import html as lxml_html

from workers.pipeline.clean.metadata import find_standfirst

HEADLINE = "Harbour wall to be rebuilt after the winter storms"
SUMMARY = "The council says the work will take six months and the harbour stays open."


def _tree(after_h1: str):
    return lxml_html.fromstring(
        f"<html><body><article><h1>{HEADLINE}</h1>{after_h1}<p>The story.</p></article>"
        "</body></html>"
    )


def test_found_when_the_title_goes_on_with_the_sites_name():
    tree = _tree(f"<p>{SUMMARY}</p>")
    assert find_standfirst(tree, f"{HEADLINE} - Harbour Times", SUMMARY) == SUMMARY


def test_found_when_the_declared_summary_is_cut_short():
    tree = _tree(f"<p>{SUMMARY}</p>")
    assert find_standfirst(tree, HEADLINE, SUMMARY[:40] + "…") == SUMMARY


def test_not_found_under_a_heading_that_is_not_the_title():
    tree = _tree(f"<p>{SUMMARY}</p>")
    assert find_standfirst(tree, "Bus station to close for repairs", SUMMARY) is None
    short = "Harbour wall"  # too few words to stand for the title's start
    tree = lxml_html.fromstring(f"<html><body><h1>{short}</h1><p>{SUMMARY}</p></body></html>")
    assert find_standfirst(tree, f"{short} - Harbour Times", SUMMARY) is None


def test_not_found_when_the_paragraph_is_not_the_summary():
    tree = _tree("<p>The council met on Tuesday evening in the town hall to vote.</p>")
    assert find_standfirst(tree, HEADLINE, SUMMARY[:40] + "…") is None


SHARE_BAR = "".join(f'<li><a href="https://share.example/{n}">Share {n}</a></li>' for n in range(6))
FAR_PREFIX = (  # more than the three siblings under the headline that are always looked at
    f'<ul class="share">{SHARE_BAR}</ul><div class="tools"><button>Save</button></div>'
    '<div class="date">2 May</div><figure><img src="x.jpg"><figcaption>The wall.</figcaption>'
    "</figure>"
)


def test_found_past_share_buttons_and_picture_when_marked_and_declared():
    tree = _tree(f'{FAR_PREFIX}<div class="entry-excerpt"><p>{SUMMARY}</p></div>')
    assert find_standfirst(tree, HEADLINE, SUMMARY) == SUMMARY


def test_not_found_far_off_when_only_one_mark_holds():
    unmarked = _tree(f"{FAR_PREFIX}<div><p>{SUMMARY}</p></div>")
    assert find_standfirst(unmarked, HEADLINE, SUMMARY) is None
    other = f"{SUMMARY[:30]} ended here."
    other_text = _tree(f'{FAR_PREFIX}<div class="entry-excerpt"><p>{other}</p></div>')
    assert find_standfirst(other_text, HEADLINE, SUMMARY) is None


def test_not_found_once_the_article_has_begun():
    body = "<p>" + " ".join(["The council met on Tuesday to talk about the wall."] * 3) + "</p>"
    tree = _tree(f'{FAR_PREFIX}{body}<div class="summary"><p>{SUMMARY}</p></div>')
    assert find_standfirst(tree, HEADLINE, SUMMARY) is None
