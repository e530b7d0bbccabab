"""Every junk rule against its own cases (workers/pipeline/clean/data/junk_rules.toml): the lines
it must remove, and body lines that resemble them and must stay."""

from __future__ import annotations

import html_text
import pytest

from workers.pipeline.clean.cleaner import clean
from workers.pipeline.clean.plain import clean_text
from workers.pipeline.clean.rules import Rule, load_rules

RULES = load_rules()
HTML_RULES = {"link-only", "footnote"}
FIRST = "A first paragraph of the story."
LAST = "The story goes on."
# Prose long enough that no text pattern may remove it from the middle of an article.
LONG_TAIL = (
    "and the council said on Tuesday that the work on the harbour wall would go on until "
    "the spring, when the weather should allow the crews to finish the job."
)


def _cases(kind: str) -> list[tuple[Rule, str]]:
    return [(rule, case) for rule in RULES for case in getattr(rule, kind)]


def _id(item: tuple[Rule, str]) -> str:
    rule, case = item
    return f"{rule.name}:{case[:40]}"


def _text_article(rule: Rule, case: str) -> str:
    # Rules that read only the top of a story meet their case under the headline.
    middle = [case, FIRST] if rule.before_body else [FIRST, case]
    return "\n\n".join(["A headline", *middle, LAST])


def _html_article(case: str) -> str:
    return (
        "<html><head><title>A headline</title></head><body><article><h1>A headline</h1>"
        "<p>A first paragraph of the story, long enough to be the body of a page.</p>"
        f"{case}<p>The story goes on, and it is long enough to be read as the body too.</p>"
        "</article></body></html>"
    )


def _clean(rule: Rule, case: str):
    if rule.name in HTML_RULES:
        return clean(_html_article(case), format="html")
    return clean_text(_text_article(rule, case))


def _case_lines(rule: Rule, case: str) -> list[str]:
    text = html_text.extract_text(case) if rule.name in HTML_RULES else case
    return [" ".join(line.split()) for line in text.split("\n\n") if line.strip()]


@pytest.mark.parametrize(("rule", "case"), _cases("drop"), ids=map(_id, _cases("drop")))
def test_rule_removes_its_drop_cases(rule: Rule, case: str):
    article = _clean(rule, case)
    by_rule = [removed.text for removed in article.removed if removed.rule == rule.name]
    assert by_rule and set(by_rule) <= set(_case_lines(rule, case))
    assert article.paragraphs[0] == "A headline"
    assert article.paragraphs[1].startswith("A first paragraph of the story")
    assert article.paragraphs[-1].startswith("The story goes on")


@pytest.mark.parametrize(("rule", "case"), _cases("keep"), ids=map(_id, _cases("keep")))
def test_rule_keeps_body_lines_that_resemble_its_junk(rule: Rule, case: str):
    article = _clean(rule, case)
    for line in _case_lines(rule, case):
        assert line in article.paragraphs
    assert not article.removed


PATTERN_DROPS = [(rule, case) for rule, case in _cases("drop") if rule.pattern is not None]


@pytest.mark.parametrize(("rule", "case"), PATTERN_DROPS, ids=map(_id, PATTERN_DROPS))
def test_long_prose_mid_article_is_never_removed_by_a_pattern(rule: Rule, case: str):
    prose = f"{case} {LONG_TAIL}"
    body = [f"Paragraph {n} of the story." for n in range(1, 7)]
    text = "\n\n".join(["A headline", *body[:3], prose, *body[3:]])
    assert prose in clean_text(text).paragraphs


def test_every_rule_says_what_it_removes_and_has_cases_both_ways():
    for rule in RULES:
        assert rule.kinds, rule.name
        assert rule.drop and rule.keep, rule.name


def test_a_long_prompt_at_the_foot_of_the_article_is_still_removed():
    prompt = (
        "Sign up to our morning newsletter to get the best of our journalism, the day's "
        "headlines and our pick of the weekend's reading delivered straight to your inbox."
    )
    text = "\n\n".join(["A headline", FIRST, "A second paragraph.", LAST, prompt])
    article = clean_text(text)
    assert prompt not in article.paragraphs
    assert article.removed[-1].rule == "newsletter-prompt"


@pytest.mark.parametrize(
    "line",
    [
        "Lesen Sie auch, was der Stadtrat am Dienstag über die neue Brücke beschlossen hat.",
        "Leia mais sobre a decisão do tribunal, que foi publicada na segunda-feira.",
        "Más información sobre las obras del puerto estará disponible en la web.",
        "Per saperne di più, il comune ha organizzato un incontro pubblico giovedì sera.",
        "Partager les frais entre les communes était, selon le maire, la seule solution.",
    ],
)
def test_body_lines_in_other_languages_are_kept(line: str):
    text = f"A headline\n\n{FIRST}\n\n{line}\n\n{LAST}"
    assert line in clean_text(text).paragraphs
