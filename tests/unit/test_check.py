"""`narrate check`: risky tokens found before any audio is made (asks the real espeak-ng)."""

from __future__ import annotations

import json

import pytest

from tests.support.cli import narrate
from tests.support.paths import SEED
from workers.pipeline.clean.cleaner import clean
from workers.pipeline.speech.check import check, in_espeak_dictionary, phonemes_of
from workers.pipeline.speech.lexicon import Entry, Lexicon

SEED_NAMES = ["Jens", "Stoltenberg", "Kyiv", "Stoltenberg", "Stoltenberg", "Kyiv", "Volodymyr",
              "Zelenskyy"]  # fmt: skip


def _seed_paragraphs() -> list[str]:
    return clean(SEED.read_text(encoding="utf-8"), filename=SEED.name).paragraphs


def test_espeak_is_asked_which_words_its_dictionary_has():
    assert in_espeak_dictionary(["to", "Stoltenberg", "the", "Kyiv"]) == {"to", "the"}


def test_on_the_seed_only_names_are_risky_each_where_it_is_written():
    """The false-positive measure on the seed: 8 tokens, all names espeak-ng guesses
    from its rules; no ordinary word, acronym, number or symbol."""
    paragraphs = _seed_paragraphs()
    risks = check(paragraphs)
    assert [r.token for r in risks] == SEED_NAMES
    assert {r.kind for r in risks} == {"name"}
    for risk in risks:
        assert paragraphs[risk.paragraph][risk.offset :].startswith(risk.token)
    assert risks[1].phonemes == "st'oUlt@nb,3:g"


def test_a_lexicon_entry_makes_a_name_safe():
    lexicon = Lexicon([Entry("Kyiv", "Keev"), Entry("Stoltenberg", "[[st'0lt@nb3:g]]")])
    tokens = [r.token for r in check(_seed_paragraphs(), lexicon)]
    assert tokens == ["Jens", "Volodymyr", "Zelenskyy"]


def test_every_kind_with_position_and_what_will_be_said():
    text = "The PVM report said Rt. Hon. Smith had 3x4y units ^ in ICU, as NATO and the BBC said."
    risks = check([text])
    found = [(r.kind, r.token, r.offset, r.said) for r in risks]
    assert found == [
        ("acronym", "PVM", 4, "PVM"),
        ("abbreviation", "Rt.", 20, "Rt."),
        ("code", "3x4y", 39, "3x4y"),
        ("symbol", "^", 50, "^"),
    ]
    assert risks[0].phonemes == "p,i:v,i:;'Em"  # spelled, as in a sentence
    assert risks[-1].phonemes == ""  # espeak-ng says nothing for "^"


def test_ordinary_words_codes_and_what_rules_rewrote_are_not_risky():
    text = (
        "Seafront affordability rose as the G7 met on the M25 in Q3; Henry VIII, "
        "COVID-19 and the FTSE 100 were all fine, e.g. in 2023."
    )
    assert check([text]) == []


def test_a_code_or_abbreviation_no_style_reads_is_flagged_once_as_written():
    text = "The 9XK4 prototype and BA.2.86 reached Toronto, Ont., and Regina, Sask., today."
    found = [(r.kind, r.token, r.offset) for r in check([text])]
    assert found == [
        ("code", "9XK4", 4),
        ("code", "BA.2.86", 23),
        ("abbreviation", "Ont.", 48),
        ("abbreviation", "Sask.", 66),
    ]


def test_the_formats_of_us_news_are_known_tokens():
    text = (
        "Call 1-800-273-8255 from Phoenix, Ariz., or 1211 E. Arques Ave. about the F-150, "
        "Flight 1549, the Boeing 737 MAX, I-95, your 401(k), $20/mo, 12KG and 3 Mbps; "
        "Sen. Warren, D-Mass., ran it in 2:01:09 and 3:43.13 after a 5-4 decision."
    )
    assert [(r.kind, r.token) for r in check([text]) if r.kind != "name"] == []


def test_phonemes_are_said_in_a_sentence_so_capitals_are_spelled():
    assert phonemes_of(["ICU", "Kyiv"]) == {"ICU": ",aIs,i:j'u:", "Kyiv": "kj'Iv"}


@pytest.fixture
def lexicon_env(tmp_path) -> dict[str, str]:
    path = tmp_path / "lexicon.tsv"
    path.write_text("Kyiv\tKeev\nZelenskyy\tZelensky\tany\tworld\n", encoding="utf-8")
    return {"NARRATE_LEXICON": str(path)}


def test_cli_lists_each_risk_on_a_line_and_exits_1_only_with_strict(lexicon_env):
    plain = narrate("check", str(SEED), env=lexicon_env)
    assert plain.returncode == 0, plain.stderr
    lines = plain.stdout.strip().splitlines()
    assert lines[-1] == "6 risky tokens in 15 paragraphs"  # Kyiv has an entry
    assert lines[1].startswith("paragraph 2, character 105: name 'Stoltenberg' said")
    assert "[st'oUlt@nb,3:g]" in lines[1]
    strict = narrate("check", "--strict", str(SEED), env=lexicon_env)
    assert strict.returncode == 1
    calm = narrate("check", "--strict", "-", stdin="Ministers met on Tuesday.", env=lexicon_env)
    assert (calm.returncode, calm.stdout) == (0, "0 risky tokens in 1 paragraphs\n")


def test_cli_json_and_a_collection_s_own_entries(lexicon_env):
    result = narrate("check", "--json", "--collection", "world", str(SEED), env=lexicon_env)
    report = json.loads(result.stdout)
    assert (report["paragraphs"], report["count"]) == (15, 5)
    assert "Zelenskyy" not in [r["token"] for r in report["risks"]]
    assert set(report["risks"][0]) == {
        "kind", "token", "paragraph", "offset", "said", "phonemes", "why"
    }  # fmt: skip


def test_clean_spoken_applies_the_deployment_lexicon(lexicon_env):
    result = narrate(
        "clean", "-", "--spoken", stdin="Talks in Kyiv and Zelenskyy.", env=lexicon_env
    )
    assert result.stdout.strip() == "Talks in Keev and Zelenskyy."  # the second is 'world' only
