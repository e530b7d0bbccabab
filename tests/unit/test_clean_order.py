"""The order the junk rules are tried in, and the passes over the lines (lines.py): the
first rule of the table that applies names a removed line; a before_body rule applies only
under the headline, and long prose is spared the patterns but at the article's edges; a
line can go in a later pass, once a neighbour has gone."""

from __future__ import annotations

from workers.pipeline.clean.lines import clean_lines
from workers.pipeline.clean.rules import Line, Rule, load_rules

HEADLINE = "Harbour wall to be rebuilt after winter storms"
BODY = [
    "The council will rebuild the harbour wall this spring, after two storms in January.",
    "Work starts in March and should take about six months, the council said.",
    "Divers have already mapped the stones that fell into the water.",
    "The harbour will stay open while the work goes on.",
    "One berth will be closed at a time, the harbour master said.",
]
# Prose (25 words and more, with a sentence in it) that a newsletter pattern matches.
LONG_PROMPT = (
    "If you enjoyed this story, sign up for our daily newsletter. It arrives every morning "
    "with the news you need, the weather, the tides and the ferry times for the week ahead."
)


def _removed(article) -> list[tuple[str, str]]:
    return [(removed.text, removed.rule) for removed in article.removed]


def _index(name: str, text: str) -> int:
    """Where in the table the first pattern rule of that name matching the text stands."""
    return next(
        index
        for index, rule in enumerate(load_rules())
        if rule.name == name and rule.pattern is not None and rule.pattern.fullmatch(text)
    )


def _test_index(name: str) -> int:
    return next(i for i, rule in enumerate(load_rules()) if rule.name == name)


def test_a_structural_rule_before_a_matching_pattern_in_the_table_names_the_line():
    # "Submit" is a sign-up form's button, a pattern that stands after the test for a
    # paragraph that is only a link; "Advertisement" is a pattern that stands before it.
    assert _test_index("link-only") < _index("newsletter-prompt", "Submit")
    assert _index("advert", "Advertisement") < _test_index("link-only")
    lines = [HEADLINE, BODY[0], "Submit", BODY[1], "Advertisement", BODY[2], BODY[3]]
    article = clean_lines(lines, link_only=frozenset({"Submit", "Advertisement"}))
    assert _removed(article) == [("Submit", "link-only"), ("Advertisement", "advert")]
    assert article.paragraphs == [HEADLINE, *BODY[:4]]


def test_extra_rules_name_only_lines_the_table_leaves():
    everything = Rule("publisher-boilerplate", lambda line: True)
    lines = [HEADLINE, BODY[0], "Advertisement", BODY[1]]
    article = clean_lines(lines, extra_rules=[everything])
    assert ("Advertisement", "advert") in _removed(article)
    assert ("Advertisement", "publisher-boilerplate") not in _removed(article)


def test_a_before_body_rule_removes_its_line_under_the_headline_only():
    byline = "Jane Smith, Political Editor"  # a byline rule that reads the top of a story
    assert next(r for r in load_rules() if r.pattern and r.pattern.fullmatch(byline)).before_body
    lines = [HEADLINE, byline, BODY[0], BODY[1], byline, BODY[2], BODY[3], BODY[4]]
    article = clean_lines(lines)
    assert _removed(article) == [(byline, "byline")]
    assert article.paragraphs == [HEADLINE, BODY[0], BODY[1], byline, *BODY[2:]]
    assert article.byline == "Jane Smith"


def test_long_prose_is_spared_the_patterns_in_the_middle_but_not_at_the_edges():
    lines = [HEADLINE, BODY[0], BODY[1], LONG_PROMPT, BODY[2], BODY[3], BODY[4], LONG_PROMPT]
    article = clean_lines(lines)
    assert _removed(article) == [(LONG_PROMPT, "newsletter-prompt")]
    assert article.paragraphs == [HEADLINE, BODY[0], BODY[1], LONG_PROMPT, *BODY[2:]]
    assert article.removed[0].position == 7  # the last line, not the one in the middle


def test_prose_of_sixty_words_is_spared_the_patterns_even_at_the_edges():
    long_prompt = f"{LONG_PROMPT} {BODY[0]} {BODY[1]} {BODY[3]}"
    assert len(long_prompt.split()) >= 60
    article = clean_lines([HEADLINE, BODY[0], BODY[1], BODY[2], long_prompt])
    assert article.paragraphs[-1] == long_prompt
    assert not article.removed


def test_a_line_comes_to_an_edge_and_goes_once_the_junk_above_it_has_gone():
    # At the fourth line, long prose is spared; the byline above it goes in the first
    # pass, and in the next the prompt is the third line: at the edge, with the same
    # lines before and after it as before.
    lines = [HEADLINE, "By Jo Bloggs", BODY[0], LONG_PROMPT, BODY[1], BODY[2], BODY[3], BODY[4]]
    article = clean_lines(lines)
    assert _removed(article) == [("By Jo Bloggs", "byline"), (LONG_PROMPT, "newsletter-prompt")]
    assert article.paragraphs == [HEADLINE, *BODY]


def test_excerpts_apart_go_once_the_advert_between_them_has_gone():
    first = "The ferry company has a new timetable for the winter, and the first boat leaves at […]"
    second = "A bakery on the quay has won a prize for its bread, and the secret is […]"
    lines = [HEADLINE, BODY[0], BODY[1], first, "Advertisement", second, BODY[2], BODY[3]]
    article = clean_lines(lines)
    assert _removed(article) == [
        ("Advertisement", "advert"),
        (first, "excerpt-teaser"),
        (second, "excerpt-teaser"),
    ]
    assert article.paragraphs == [HEADLINE, *BODY[:4]]


def test_a_rule_that_reads_the_line_before_sees_the_new_one_in_a_later_pass():
    def third_right_after_second(line: Line) -> bool:
        return line.text == BODY[2] and line.previous == BODY[1]

    rule = Rule("after-second", third_right_after_second)
    lines = [HEADLINE, BODY[0], BODY[1], "Advertisement", BODY[2], BODY[3], BODY[4]]
    article = clean_lines(lines, extra_rules=[rule])
    # First pass: the advert goes. Second: the third paragraph, whose next line and place
    # are as they were, now follows the second, and goes.
    assert _removed(article) == [("Advertisement", "advert"), (BODY[2], "after-second")]
    assert article.paragraphs == [HEADLINE, BODY[0], BODY[1], BODY[3], BODY[4]]


def test_once_a_pass_removes_a_line_the_lines_after_it_are_decided_afresh():
    def first_right_before_second(line: Line) -> bool:
        return line.text == BODY[0] and line.next == BODY[1]

    def fourth_without_the_first_kept(line: Line) -> bool:
        return line.text == BODY[3] and BODY[0] not in line.kept

    rules = [Rule("before-second", first_right_before_second)]
    rules.append(Rule("without-first", fourth_without_the_first_kept))
    lines = [HEADLINE, BODY[0], "Advertisement", BODY[1], BODY[2], BODY[3], BODY[4]]
    article = clean_lines(lines, extra_rules=rules)
    # The second pass removes the first paragraph; the fourth has the same lines around
    # it as in the first pass, but no longer the first paragraph above it.
    assert _removed(article) == [
        ("Advertisement", "advert"),
        (BODY[0], "before-second"),
        (BODY[3], "without-first"),
    ]
