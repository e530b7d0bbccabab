"""Laying an article out again with lines flipped between read and removed."""

from __future__ import annotations

import pytest

from workers.pipeline.article import Article, Removed
from workers.pipeline.clean.boilerplate import fingerprint, normalise, strip_boilerplate
from workers.pipeline.clean.cleaner import clean
from workers.pipeline.clean.revise import InvalidEdit, apply_edits, remove_lines

ARTICLE = Article(
    title="Headline",
    paragraphs=["Headline", "First.", "Second.", "Third."],
    removed=[
        Removed("By A Writer", "byline", 0),  # above the headline
        Removed("Read more: elsewhere", "teaser", 2),  # between First and Second
        Removed("Share this", "share", 4),  # at the end
    ],
)


def test_keep_puts_a_removed_line_back_where_it_stood():
    edited = apply_edits(ARTICLE, keep={1}, drop=set())
    assert edited.paragraphs == ["Headline", "First.", "Read more: elsewhere", "Second.", "Third."]
    assert edited.removed == [
        Removed("By A Writer", "byline", 1),
        Removed("Share this", "share", 5),
    ]


def test_a_line_from_above_the_headline_comes_back_after_it():
    edited = apply_edits(ARTICLE, keep={0}, drop=set())
    assert edited.title == "Headline"
    assert edited.paragraphs[:2] == ["Headline", "By A Writer"]


def test_drop_records_the_paragraph_as_the_editors_and_undoing_restores_the_article():
    edited = apply_edits(ARTICLE, keep=set(), drop={2})
    assert edited.paragraphs == ["Headline", "First.", "Third."]
    assert Removed("Second.", "editor", 2) in edited.removed
    index = edited.removed.index(Removed("Second.", "editor", 2))
    restored = apply_edits(edited, keep={index}, drop=set())
    assert restored.paragraphs == ARTICLE.paragraphs
    assert [r.text for r in restored.removed] == [r.text for r in ARTICLE.removed]


def test_keep_and_drop_at_once_count_positions_afresh():
    edited = apply_edits(ARTICLE, keep={1, 2}, drop={1, 3})
    assert edited.paragraphs == ["Headline", "Read more: elsewhere", "Second.", "Share this"]
    positions = {r.text: r.position for r in edited.removed}
    assert positions == {"By A Writer": 1, "First.": 1, "Third.": 3}


def test_a_line_of_unknown_position_is_placed_at_the_end():
    article = Article("H", ["H", "Body."], removed=[Removed("Old report line", "rule")])
    assert apply_edits(article, keep={0}, drop=set()).paragraphs == [
        "H",
        "Body.",
        "Old report line",
    ]


@pytest.mark.parametrize(
    ("keep", "drop", "says"),
    [({3}, set(), "indexes 0 to 2"), (set(), {0}, "0 is the headline"), (set(), {4}, "1 to 3")],
)
def test_indexes_outside_the_article_are_refused(keep, drop, says):
    with pytest.raises(InvalidEdit, match=says):
        apply_edits(ARTICLE, keep=keep, drop=drop)


def test_remove_lines_never_takes_the_headline_or_every_paragraph():
    everything = remove_lines(ARTICLE, "x", lambda index, text: True)
    assert everything == ARTICLE  # the body would be gone: nothing is removed
    some = remove_lines(ARTICLE, "x", lambda index, text: text == "Second.")
    assert some.paragraphs == ["Headline", "First.", "Third."]
    assert some.removed[1:3] == [
        Removed("Read more: elsewhere", "teaser", 2),
        Removed("Second.", "x", 2),
    ]


def test_the_cleaner_records_where_each_removed_line_stood():
    article = clean(
        "Headline\n\nBy Ann Other\n\nFirst paragraph here.\n\nAdvertisement\n\nLast one."
    )
    assert [(r.text, r.position) for r in article.removed] == [
        ("By Ann Other", 1),
        ("Advertisement", 2),
    ]


def test_copies_of_a_line_share_a_fingerprint_whatever_their_case_spacing_and_edges():
    line = "Sign up for the Morning Briefing."
    for copy in (
        "sign up for the  morning briefing",
        "“Sign up for the Morning Briefing”",
        " SIGN UP FOR THE MORNING BRIEFING! ",
    ):
        assert fingerprint(copy) == fingerprint(line)
    assert fingerprint("Sign up for the Evening Briefing.") != fingerprint(line)
    assert normalise("Ｆｕｌｌ width") == "full width"


def test_strip_boilerplate_removes_known_lines_under_its_rule():
    article = Article("H", ["H", "Body one.", "Join our newsletter today", "Body two."])
    stripped = strip_boilerplate(article, {fingerprint("join our newsletter today")})
    assert stripped.paragraphs == ["H", "Body one.", "Body two."]
    assert stripped.removed == [Removed("Join our newsletter today", "publisher-boilerplate", 2)]
    assert strip_boilerplate(article, set()) is article


GAZETTE = "host:harbour-gazette.example"


@pytest.mark.parametrize(
    "line",
    [
        "Get the Morning Letter in your inbox every weekday at 7am.",
        "Our reporters are paid by readers like you.",
        "This article was produced with support from the Quay Trust.",
        "To report an error, write to corrections@harbour.example.",
        "The Harbour Gazette is an independent newspaper owned by its readers.",
    ],
)
def test_a_learned_line_that_reads_like_a_notice_is_removed(line: str):
    article = Article("H", ["H", "Body one.", line, "Body two.", "Body three.", "Body four."])
    stripped = strip_boilerplate(article, {fingerprint(line)}, GAZETTE)
    assert line not in stripped.paragraphs
    assert [r.rule for r in stripped.removed] == ["publisher-boilerplate"]


def test_a_learned_sentence_of_reporting_stays_unless_it_stands_at_the_foot():
    fact = "Harbourtown has about 12,000 residents and one secondary school."
    bio = "Mara Quinn has covered the council since 2011 and lives in Eastcliff."
    article = Article("H", ["H", "Body one.", fact, "Body two.", "Body three.", bio])
    stripped = strip_boilerplate(article, {fingerprint(fact), fingerprint(bio)}, GAZETTE)
    assert fact in stripped.paragraphs
    assert bio not in stripped.paragraphs  # among the last two paragraphs


def test_the_us_in_a_report_is_not_the_publisher_speaking():
    line = "The US has about 330 million residents, the census found."
    article = Article("H", ["H", "Body one.", line, "Body two.", "Body three.", "Body four."])
    assert strip_boilerplate(article, {fingerprint(line)}, GAZETTE) is article
