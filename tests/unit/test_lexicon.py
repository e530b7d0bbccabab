"""The pronunciation lexicon: file format, matching, collections, and the clip keys it changes."""

from __future__ import annotations

import os

import pytest

from workers.catalog.content import VoiceOptions, clip_key
from workers.pipeline.article import Article
from workers.pipeline.speaking import spoken_paragraphs
from workers.pipeline.speech.lexicon import (
    Entry,
    Lexicon,
    LexiconError,
    entry_from_json,
    load,
    parse_tsv,
    save,
)

OPTIONS = VoiceOptions("gmw/en", 175, 64)


def test_the_file_format_with_defaults_comments_and_every_column():
    lexicon = parse_tsv(
        "# a comment\nZelenskyy\tZelensky\nNguyen\t[[w'In]]\texact\nKyiv\tKeev\tany\tworld\n\n"
    )
    assert lexicon.entries == (
        Entry("Zelenskyy", "Zelensky"),
        Entry("Nguyen", "[[w'In]]", case_sensitive=True),
        Entry("Kyiv", "Keev", collection="world"),
    )
    assert lexicon.entries[1].phonemes and not lexicon.entries[0].phonemes
    assert parse_tsv(lexicon.to_tsv()).entries == lexicon.entries


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("Kyiv", "line 1: expected word, say"),
        ("Kyiv\tKeev\tsometimes", "case must be 'any' or 'exact'"),
        ("Kyiv\t[[k'i:v]", "one [[...]] group"),
        ("Kyiv\tKeev\tany\tWorld News", "collection 'World News' must be *"),
        ("[x]\tKeev", "no tabs, line breaks or square brackets"),
    ],
)
def test_a_bad_line_is_refused_with_its_number_and_what_to_change(line: str, says: str):
    with pytest.raises(LexiconError, match=r"line 1: .*") as error:
        parse_tsv(line)
    assert says in str(error.value)


def test_the_same_word_twice_in_one_collection_is_refused():
    with pytest.raises(LexiconError, match="twice"):
        parse_tsv("Kyiv\tKeev\nkyiv\tKiev\n")
    assert len(parse_tsv("Kyiv\tKeev\nKyiv\tKiev\tany\tworld\n")) == 2


def test_whole_words_only_any_case_by_default_and_possessives_included():
    lexicon = Lexicon([Entry("Kyiv", "Keev")])
    assert lexicon.apply("Kyiv, KYIV and Kyiv's mayor") == "Keev, Keev and Keev's mayor"
    assert lexicon.apply("Kyivan and Kyivstar") == "Kyivan and Kyivstar"


def test_a_case_sensitive_entry_leaves_other_spellings_alone():
    lexicon = Lexicon([Entry("Polish", "Poe-lish", case_sensitive=True)])
    assert lexicon.apply("Polish voters polish shoes") == "Poe-lish voters polish shoes"


def test_an_entry_matches_the_word_as_the_normaliser_rewrote_it_too():
    lexicon = Lexicon([Entry("ICU", "intensive care")])
    assert lexicon.apply("She is in I.C.U. now") == "She is in intensive care now"


def test_phonemes_are_never_touched_by_the_normaliser():
    article = Article(title="Nguyen wins", paragraphs=["Nguyen wins", "Mr Nguyen won 2-1."])
    lexicon = Lexicon([Entry("Nguyen", "[[w'In]]")])
    spoken = [said for _, said in spoken_paragraphs(article, lexicon)]
    assert spoken == ["[[w'In]] wins", "Mister [[w'In]] won two-one."]


def test_a_collection_entry_replaces_the_deployment_wide_one_for_that_collection_only():
    lexicon = Lexicon(
        [
            Entry("Kyiv", "Keev"),
            Entry("Kyiv", "Kiev", collection="history"),
            Entry("Lviv", "L-veev"),
        ]
    )
    assert lexicon.for_collection("history").apply("Kyiv, Lviv") == "Kiev, L-veev"
    assert lexicon.for_collection("world").apply("Kyiv, Lviv") == "Keev, L-veev"
    assert lexicon.for_collection(None).apply("Kyiv, Lviv") == "Keev, L-veev"


def test_an_entry_changes_the_clip_key_of_exactly_the_paragraphs_that_contain_it():
    article = Article(
        title="Talks in Kyiv",
        paragraphs=[
            "Talks in Kyiv",
            "Ministers met on Tuesday.",
            "Kyiv's mayor spoke.",
            "No news.",
        ],
    )
    before = spoken_paragraphs(article)
    after = spoken_paragraphs(article, Lexicon([Entry("Kyiv", "Keev")]))
    changed = [
        clip_key(a, OPTIONS) != clip_key(b, OPTIONS)
        for (_, a), (_, b) in zip(before, after, strict=True)
    ]
    assert changed == [True, False, True, False]


def test_json_entries_are_checked_and_say_what_to_change():
    assert entry_from_json({"word": "Kyiv", "say": "Keev", "collection": None}, "e") == Entry(
        "Kyiv", "Keev"
    )
    for item, says in [
        ({"word": "Kyiv"}, "e.say must be a non-empty string"),
        ({"word": "Kyiv", "say": "Keev", "sound": "x"}, "unknown fields ['sound']"),
        ({"word": "Kyiv", "say": "Keev", "case_sensitive": "yes"}, "true or false"),
        ("Kyiv", "must be an object"),
    ]:
        with pytest.raises(LexiconError, match=r".*") as error:
            entry_from_json(item, "e")
        assert says in str(error.value)


def test_the_file_is_saved_whole_and_read_again_when_it_changes(tmp_path):
    path = tmp_path / "lexicon.tsv"
    assert len(load(path)) == 0  # no file: an empty lexicon
    save(path, Lexicon([Entry("Kyiv", "Keev")]))
    assert load(path).apply("Kyiv") == "Keev"
    assert [p.name for p in tmp_path.iterdir()] == ["lexicon.tsv"]  # no temporary left
    save(path, Lexicon([Entry("Kyiv", "Kiev"), Entry("Lviv", "L-veev")]))
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert load(path).apply("Kyiv, Lviv") == "Kiev, L-veev"


def test_an_engine_that_reads_text_gets_only_the_respellings():
    lexicon = Lexicon([Entry("Kyiv", "Keev"), Entry("Nguyen", "[[w'In]]")])
    assert lexicon.apply("Nguyen in Kyiv") == "[[w'In]] in Keev"
    assert lexicon.apply("Nguyen in Kyiv", phonemes=False) == "Nguyen in Keev"


def test_the_lexicon_file_is_in_the_data_directory_unless_narrate_lexicon_says_where():
    from pathlib import Path

    from workers.config import Settings

    default = Settings.from_env({"NARRATE_DATA_DIR": "/srv/narrate"})
    assert default.lexicon_path == Path("/srv/narrate/lexicon.tsv")
    chosen = Settings.from_env(
        {"NARRATE_DATA_DIR": "/srv/narrate", "NARRATE_LEXICON": "/etc/n.tsv"}
    )
    assert chosen.lexicon_path == Path("/etc/n.tsv")


def test_the_cli_adds_lists_and_removes_entries_in_the_file_the_service_reads(tmp_path):
    from tests.support.cli import narrate

    env = {"NARRATE_LEXICON": str(tmp_path / "lexicon.tsv")}
    assert narrate("lexicon", "add", "Kyiv", "Keev", env=env).returncode == 0
    added = narrate(
        "lexicon", "add", "Nguyen", "[[w'In]]", "--exact", "--collection", "world", env=env
    )
    assert added.stdout == "Kyiv\tKeev\tany\t*\nNguyen\t[[w'In]]\texact\tworld\n"
    assert load(tmp_path / "lexicon.tsv").for_collection("world").apply("Nguyen, Kyiv") == (
        "[[w'In]], Keev"
    )
    missing = narrate("lexicon", "remove", "Nguyen", env=env)  # it is in 'world' only
    assert missing.returncode == 2
    assert "not in the lexicon for collection '*'" in missing.stderr
    bad = narrate("lexicon", "add", "Kyiv", "[[k'i:v", env=env)
    assert (bad.returncode, bad.stderr.count("\n")) == (1, 1)
    narrate("lexicon", "remove", "Nguyen", "--collection", "world", env=env)
    assert narrate("lexicon", env=env).stdout == "Kyiv\tKeev\tany\t*\n"
