from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.support.paths import DATA, ROOT, SEED_EXPECTED
from workers.pipeline import speech
from workers.pipeline.speech import STEPS, Spoken, normalise, to_spoken

CASES_DIR = DATA / "speech"  # one file per family of steps; en-GB, the default style
# Another house style's cases live in a folder named for it (tests/data/speech/en-US/).
STYLE_DIRS = {"en-GB": CASES_DIR} | {d.name: d for d in CASES_DIR.iterdir() if d.is_dir()}
FAMILIES = (
    "abbreviations", "acronyms", "addresses", "ages", "dates", "decades", "money", "news",
    "numerals", "phones", "ranges", "scores", "times", "typography", "units",
    "durations", "numbered", "rates", "states",
)  # fmt: skip
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def _unescape(cell: str) -> str:
    """'\\u00a0' in a cell stands for that character (so invisible ones stay visible)."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), cell)


def _cases(style: str) -> list[pytest.param]:
    """(written, expected, style) of every case in `style`'s folder; ids are FILE:ID,
    with the style in front for any but en-GB."""
    cases = []
    prefix = "" if style == "en-GB" else f"{style}/"
    for path in sorted(STYLE_DIRS[style].glob("*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            written, expected, note = line.split("\t")
            cases.append(
                pytest.param(
                    _unescape(written), _unescape(expected), style, id=f"{prefix}{path.stem}:{note}"
                )
            )
    return cases


CASES = _cases("en-GB")
STYLED_CASES = [case for style in STYLE_DIRS for case in _cases(style)]


def test_the_case_tables_are_big_grouped_by_family_and_their_ids_unique():
    ids = [case.id for case in CASES]
    assert len(ids) >= 300
    assert len(set(ids)) == len(ids)
    per_family = {family: sum(i.startswith(f"{family}:") for i in ids) for family in FAMILIES}
    assert sorted(path.stem for path in CASES_DIR.glob("*.tsv")) == sorted(FAMILIES)
    assert min(per_family.values()) >= 8, per_family


def test_every_other_style_has_its_own_cases_and_unique_ids():
    assert "en-US" in STYLE_DIRS
    for style in set(STYLE_DIRS) - {"en-GB"}:
        ids = [case.id for case in _cases(style)]
        assert len(set(ids)) == len(ids) >= 100, style
        per_file = {path.stem: 0 for path in STYLE_DIRS[style].glob("*.tsv")}
        for case_id in ids:
            per_file[case_id.split("/", 1)[1].split(":")[0]] += 1
        assert min(per_file.values()) >= 8, per_file


@pytest.mark.parametrize(("written", "expected", "style"), STYLED_CASES)
def test_spoken_form(written: str, expected: str, style: str):
    assert to_spoken(written, style) == expected


@pytest.mark.parametrize(("written", "expected", "style"), STYLED_CASES)
def test_spoken_form_is_stable(written: str, expected: str, style: str):
    """Spoken text has nothing left to rewrite: normalising it again changes nothing."""
    del expected
    once = to_spoken(written, style)
    assert to_spoken(once, style) == once


def test_fired_names_the_steps_that_changed_something_in_pipeline_order():
    result = normalise("Mr Smith paid £5 on 15 February 2023 \u2014 “twice”.")
    assert result == Spoken(
        'Mister Smith paid five pounds on the fifteenth of February, twenty twenty-three, "twice".',
        ("quotes", "dashes", "abbreviations", "dates", "money"),
    )


def test_fired_for_typography_only():
    assert normalise("<i>Hello</i>\u00a0world\u2026").fired == ("markup", "invisible", "ellipsis")


def test_fired_for_numbers_only():
    assert normalise("It took 12 days.").fired == ("numbers",)


@pytest.mark.parametrize(
    "text",
    [
        "Both Ukraine and NATO are in danger of running out of ammunition.",
        "The UK will be the first nation to train pilots, and the US agreed.",
        'He said: "We will not give up," and left.',
        "Nato, the NHS and the BBC: all spelled or read well by espeak-ng.",
        "",
    ],
)
def test_nothing_to_change_comes_back_unchanged(text: str):
    assert normalise(text) == Spoken(text, ())


def test_seed_article_only_changes_where_it_should():
    paragraphs = SEED_EXPECTED.read_text(encoding="utf-8").split("\n\n")
    fired = {name for p in paragraphs for name in normalise(p.strip()).fired}
    assert fired == {"quotes", "abbreviations"}
    spoken = "\n".join(to_spoken(p) for p in paragraphs)
    assert "Mister Stoltenberg" in spoken
    assert not re.search(r"[“”‘’<>&]", spoken)


def test_steps_have_unique_names_listed_in_the_module_docstring_in_order():
    names = [step.name for step in STEPS]
    assert len(set(names)) == len(names)
    documented = re.findall(r"^\s*\d+\.\s+(\w+)", speech.__doc__ or "", re.MULTILINE)
    assert documented == names


def test_each_step_is_pure_and_total_on_plain_text():
    for step in STEPS:
        assert step.apply("plain words") == "plain words", step.name


def test_no_markup_or_typographic_characters_reach_the_engine():
    text = '<div class="x"><p>“Yes” — <a href="/x">it’s</a> &hellip;&#8203;</p></div>'
    spoken = to_spoken(text)
    assert spoken == '"Yes", it\'s...'
    assert not re.search(r"[<>“”’—\u200b]", spoken)


def test_year_words():
    assert speech.year_words(1990) == "nineteen ninety"
    assert speech.year_words(2000) == "two thousand"
    assert speech.year_words(2005) == "two thousand and five"
    assert speech.year_words(2010) == "twenty ten"
    assert speech.year_words(1900) == "nineteen hundred"
    assert speech.year_words(1066) == "ten sixty-six"


def test_importing_the_module_is_light():
    code = (
        "import sys; import workers.pipeline.speech; "
        "import workers.pipeline.speech.tables as t; "
        "assert 'num2words' not in sys.modules; "
        "t._words.cache_info().currsize == 0 or sys.exit(1)"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_every_step_is_linear_a_megabyte_takes_under_15_times_a_tenth_of_it():
    """The ratio the issue asks for: 1 MB against 100 KB, measured side by side. Steps
    that copied the text before or after each match (`_starts_sentence`, the year, date
    and time context checks) made this text's ratio 17.7 (0.52 s, 9.27 s); it is 10.0."""
    import time

    sample = " ".join(case.values[0] for case in CASES) + " "
    sample += "Mr Smith paid £5 on 15 February 2023. It took 12 days and cost $4. " * 20

    def text_of(size: int) -> str:
        return (sample * (size // len(sample) + 1))[:size]

    def seconds(text: str) -> float:  # CPU seconds: what other processes do is not counted
        start = time.process_time()
        normalise(text)
        return time.process_time() - start

    seconds(text_of(10_000))  # tables read and patterns compiled before timing
    small = min(seconds(text_of(100_000)) for _ in range(3))
    large = seconds(text_of(1_000_000))
    assert large / small < 15, (small, large)
