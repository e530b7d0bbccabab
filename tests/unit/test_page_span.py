"""Finding the article in a whole page's copied text (workers/pipeline/clean/page_span.py)."""

from __future__ import annotations

from workers.pipeline.clean.page_span import CHROME, article_end, article_span, is_prose
from workers.pipeline.clean.plain import clean_text
from workers.pipeline.clean.rules import OUTSIDE_RULE

PARAGRAPHS = [
    f"Paragraph {n} of the story says what happened at the harbour on the day, in order."
    for n in range(1, 6)
]
MENU = ["Home", "News", "Sport", "Weather", "Business", "Culture", "Travel", "Money",
        "Opinion", "Podcasts", "Video", "Puzzles"]  # fmt: skip
FOOTER = [
    "Share this article",
    "About us",
    "Contact",
    "Careers",
    "Advertise",
    "Privacy",
    "Terms",
    "Cookies",
    "Accessibility",
    "Help",
    "Sitemap",
    "Newsletters",
    "Apps",
]
HEAD = ["Harbour wall to be rebuilt after storm", "By Jo Bloggs", "3 March 2024"]


def test_prose_is_a_long_line_with_a_sentence_in_it():
    assert is_prose(PARAGRAPHS[0])
    assert not is_prose("Harbour wall to be rebuilt after the storm of the century hits")
    assert not is_prose("Short, but ends.")
    assert is_prose(
        "肉をくわえたイヌが、橋を渡っていました。ふと下を見ると、川の中にも肉をくわえたイヌがいます。"
    )


def test_menus_and_footers_of_a_copied_page_are_outside_the_article():
    lines = [*MENU, *HEAD, *PARAGRAPHS, *FOOTER]
    start, end = article_span(lines)
    assert lines[start:end] == [*HEAD, *PARAGRAPHS, FOOTER[0]]


def test_the_longest_run_of_prose_wins_over_a_lone_prose_line_in_the_footer():
    cookie = "We use cookies on this site to give you the best experience, as our policy says."
    lines = [*HEAD, *PARAGRAPHS, *FOOTER, *FOOTER, cookie, *FOOTER]
    start, end = article_span(lines)
    assert start == 0
    assert lines[end - 1] == FOOTER[0]


def test_a_pasted_article_with_a_few_lines_around_its_prose_is_left_whole():
    lines = [*HEAD, "Share this article", *PARAGRAPHS, "Advertisement", "Join the conversation"]
    assert len(lines) - len(PARAGRAPHS) <= CHROME
    assert article_span(lines) == (0, len(lines))


def test_text_without_prose_is_left_whole():
    assert article_span(MENU) == (0, len(MENU))


def test_a_copied_page_is_cleaned_to_its_article_and_the_cut_is_reported():
    text = "\n\n".join([*MENU, *HEAD, *PARAGRAPHS, *FOOTER])
    article = clean_text(text)
    assert article.paragraphs == [HEAD[0], *PARAGRAPHS]
    outside = [removed.text for removed in article.removed if removed.rule == OUTSIDE_RULE]
    assert outside == MENU + FOOTER[1:]
    assert [r.rule for r in article.removed if r.text == FOOTER[0]] == ["share-prompt"]


def _closing(line: str) -> bool:
    return line in {"Share this article", "Leave a Reply"}


# A comment section: names, dates and replies, with less prose than the article.
COMMENTS = [
    line
    for n in range(4)
    for line in (f"Reader {n}", "3 March 2024", "Walked past it today, fine now.")
]


def test_a_closing_line_after_most_of_the_prose_ends_the_article():
    lines = [*HEAD, *PARAGRAPHS, "Leave a Reply", *COMMENTS]
    assert article_end(lines, _closing) == len(HEAD) + len(PARAGRAPHS)


def test_a_closing_line_before_most_of_the_prose_or_near_the_end_does_not():
    early = [*HEAD, PARAGRAPHS[0], "Share this article", *PARAGRAPHS[1:], *FOOTER[1:]]
    assert article_end(early, _closing) == len(early)
    pasted = [*HEAD, *PARAGRAPHS, "Share this article", "The end of the story, said the council."]
    assert article_end(pasted, _closing) == len(pasted)


def test_comments_under_a_copied_page_are_reported_outside_the_article():
    article = clean_text("\n\n".join([*HEAD, *PARAGRAPHS, "Leave a Reply", *COMMENTS]))
    assert article.paragraphs[-1] == PARAGRAPHS[-1]
    outside = [r.text for r in article.removed if r.rule == OUTSIDE_RULE]
    assert outside[-len(COMMENTS) :] == COMMENTS
    assert "Leave a Reply" in {r.text for r in article.removed}


def test_comments_with_prose_under_a_copied_page_go_at_the_form():
    replies = [f"Reply {n}: walked past the harbour wall today, it looks fine." for n in range(2)]
    names = [f"Reader {n}" for n in range(10)]
    lines = [*HEAD, *PARAGRAPHS, "Leave a Reply", *names, *replies]
    article = clean_text("\n\n".join(lines))
    assert article.paragraphs[-1] == PARAGRAPHS[-1]
    assert not set(replies) & set(article.paragraphs)
