"""The `narrate` command as a user runs it (a subprocess), for everything but synthesis."""

from __future__ import annotations

import argparse
import json

import pytest

from tests.support.cli import narrate
from tests.support.paths import SEED, SEED_EXPECTED


def test_clean_prints_exactly_the_expected_seed_text():
    result = narrate("clean", str(SEED))
    assert result.returncode == 0, result.stderr
    assert result.stdout == SEED_EXPECTED.read_text(encoding="utf-8")


def test_clean_reads_stdin():
    result = narrate("clean", "-", stdin=SEED.read_text(encoding="utf-8"))
    assert result.stdout == SEED_EXPECTED.read_text(encoding="utf-8")


def test_clean_json_reports_metadata_and_removed_lines():
    report = json.loads(narrate("clean", str(SEED), "--json").stdout)
    assert set(report) == {"title", "byline", "published", "paragraphs", "removed", "language"}
    assert report["byline"] == "Emma Soteriou"
    assert report["language"] == "en"
    assert report["paragraphs"][0] == report["title"]
    listen = {"text": "Listen to this article", "rule": "player-widget", "position": 2}
    assert listen in report["removed"]


def test_clean_spoken_prints_what_the_engine_is_given():
    spoken = narrate("clean", "-", "--spoken", stdin="Headline\n\nMr Smith paid £20m in 2023.")
    assert spoken.returncode == 0, spoken.stderr
    lines = spoken.stdout.strip().split("\n\n")
    assert lines[0] == "Headline"
    assert "Mister Smith" in lines[1]
    assert "twenty million pounds" in lines[1]
    assert "£" not in spoken.stdout


def test_missing_file_is_one_clear_line_and_exit_2(tmp_path):
    result = narrate("convert", str(tmp_path / "nope.txt"), "-o", str(tmp_path / "out.mp3"))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "no such file" in result.stderr
    assert not (tmp_path / "out.mp3").exists()


def test_article_with_nothing_to_read_is_one_clear_line_and_exit_1(tmp_path):
    article = tmp_path / "junk.txt"
    article.write_text("Share this article\n\nAdvertisement\n", encoding="utf-8")
    result = narrate("convert", str(article), "-o", str(tmp_path / "out.mp3"))
    assert result.returncode == 1
    assert result.stderr.startswith("narrate: error: nothing left to read")
    assert result.stderr.strip().count("\n") == 0


def test_output_must_be_an_mp3_name(tmp_path):
    result = narrate("convert", str(SEED), "-o", str(tmp_path / "out.wav"))
    assert result.returncode == 2
    assert "must be an .mp3" in result.stderr


def test_bad_options_are_refused_before_any_work(tmp_path):
    result = narrate("convert", str(SEED), "-o", str(tmp_path / "o.mp3"), "--bitrate", "999")
    assert result.returncode == 2
    assert "'999' is not a whole number in 8..160" in result.stderr


def test_non_utf8_input_says_how_to_fix_it(tmp_path):
    article = tmp_path / "latin1.txt"
    article.write_bytes("Caf\xe9 society\n\nA story.".encode("latin-1"))
    result = narrate("clean", str(article))
    assert result.returncode == 2
    assert "save it as UTF-8" in result.stderr


@pytest.mark.parametrize("bitrate", ["6_4", "64.9", " 64", "+64"])
def test_a_number_int_would_round_or_read_is_refused(bitrate):
    from service.cli.usage import positive_int

    with pytest.raises(argparse.ArgumentTypeError, match="not a whole number"):
        positive_int(8, 160)(bitrate)
    assert positive_int(8, 160)("64") == 64


def test_convert_loads_neither_the_web_nor_the_catalog(tmp_path):
    """`narrate convert` pays only for what it uses: Flask, SQLAlchemy, Celery, the
    broker's and the rate limiter's packages stay unloaded. (The output name is refused
    after the command has loaded what a conversion needs, so no engine is started.)"""
    import subprocess
    import sys

    probe = (
        "import sys, runpy\n"
        "sys.argv = ['narrate', 'convert', sys.argv[1], '-o', sys.argv[2]]\n"
        "try:\n"
        "    runpy.run_module('service.cli', run_name='__main__')\n"
        "except SystemExit as exit:\n"
        "    print(exit.code)\n"
        "heavy = ('flask', 'sqlalchemy', 'celery', 'kombu', 'redis', 'limits', 'werkzeug')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n"
    )
    article = tmp_path / "a.txt"
    article.write_text("A headline\n\nOne short paragraph to say.\n")
    done = subprocess.run(
        [sys.executable, "-c", probe, str(article), str(tmp_path / "a.wav")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "must be an .mp3" in done.stderr
    assert done.stdout.split() == ["2", "[]"]
