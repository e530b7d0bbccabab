"""The cleaner's measuring tape: shingle scores, the three corpus layouts, and
`narrate eval-clean` on tiny corpora written here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from workers.pipeline.clean.evaluation import (
    Page,
    Score,
    decode_page,
    evaluate,
    guess_format,
    read_corpus,
    score_snippets,
    score_text,
    shingles,
)
from workers.pipeline.errors import InvalidInput

BODY = (
    "The lifeboat crew launched twice on Sunday, first to a yacht with a broken rudder "
    "and then to two walkers cut off by the tide below the cliffs."
)
SECOND = "Both calls ended safely, the station said, and nobody needed hospital treatment."


def _page(title: str, *paragraphs: str, junk: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html><head><title>{title}</title></head><body><nav>{junk}</nav>"
        f"<article><h1>{title}</h1>{body}</article></body></html>"
    )


def test_shingles_are_four_word_runs_of_lowercased_words():
    assert shingles("The Cat sat, on the mat.") == {
        ("the", "cat", "sat", "on"): 1,
        ("cat", "sat", "on", "the"): 1,
        ("sat", "on", "the", "mat"): 1,
    }
    assert shingles("Two words") == {("two", "words"): 1}
    assert shingles("") == {}


def test_text_score_counts_shared_shingles_once_each():
    score = score_text("a b c d e f", "a b c d e x y")
    # output: abcd bcde cdef; reference: abcd bcde cdex dexy
    assert (score.true_positive, score.false_positive, score.false_negative) == (2, 1, 2)
    assert score.precision == pytest.approx(2 / 3)
    assert score.recall == pytest.approx(0.5)
    assert score.f1 == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))


def test_an_empty_output_scores_zero_not_an_error():
    score = score_text("", "some reference words here")
    assert (score.precision, score.recall, score.f1) == (0.0, 0.0, 0.0)


def test_snippet_score_finds_wanted_snippets_and_counts_unwanted_ones():
    output = "The crew launched twice on Sunday. Share this page."
    score = score_snippets(output, ["crew launched twice on Sunday", "nobody was hurt"], ["Share"])
    # wanted: 2 shingles found, 1 missed (the 3-word snippet is one shingle); unwanted: 1
    assert (score.true_positive, score.false_negative, score.false_positive) == (2, 1, 1)


def test_scores_add_up_over_pages():
    total = Score()
    total += Score(1, 2, 3)
    total += Score(4, 5, 6)
    assert (total.true_positive, total.false_positive, total.false_negative) == (5, 7, 9)


def test_readability_layout_is_read(tmp_path: Path):
    case = tmp_path / "lifeboat"
    case.mkdir()
    (case / "source.html").write_text(_page("Lifeboat", BODY), encoding="utf-8")
    (case / "expected.html").write_text(f"<div><p>{BODY}</p></div>", encoding="utf-8")
    (tmp_path / "no-expected").mkdir()
    (tmp_path / "no-expected" / "source.html").write_text("<p>x</p>", encoding="utf-8")
    assert guess_format(tmp_path) == "readability"
    [page] = read_corpus(tmp_path)
    assert page.name == "lifeboat"
    assert page.reference.strip() == BODY
    assert not page.by_snippets


def test_trafilatura_layout_is_read_with_its_snippets(tmp_path: Path):
    (tmp_path / "a.html").write_bytes(_page("Rettung", "Größe").encode("latin-1"))
    (tmp_path / "evaldata.json").write_text(
        json.dumps(
            {
                "https://example.org/a": {"file": "a.html", "with": ["Größe"], "without": ["Menü"]},
                "https://example.org/gone": {"file": "gone.html", "with": ["x"], "without": []},
            }
        ),
        encoding="utf-8",
    )
    assert guess_format(tmp_path) == "trafilatura"
    [page] = read_corpus(tmp_path)
    assert (page.name, page.wanted, page.unwanted) == ("a.html", ("Größe",), ("Menü",))
    assert "Größe" in page.html  # not UTF-8 on disk: decoded as the page's Latin-1
    assert page.by_snippets


def test_trafilatura_layout_without_its_index_says_where_it_looked(tmp_path: Path):
    (tmp_path / "a.html").write_text("<p>x</p>", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"evaldata\.json"):
        read_corpus(tmp_path, "trafilatura")


def test_pairs_layout_takes_html_or_text_beside_the_expected_text(tmp_path: Path):
    (tmp_path / "one.html").write_text(_page("One", BODY), encoding="utf-8")
    (tmp_path / "one.expected.txt").write_text(f"One\n\n{BODY}\n", encoding="utf-8")
    (tmp_path / "two.txt").write_text(f"Two\n\n{BODY}\n", encoding="utf-8")
    (tmp_path / "two.expected.txt").write_text(f"Two\n\n{BODY}\n", encoding="utf-8")
    (tmp_path / "orphan.expected.txt").write_text("nothing beside it", encoding="utf-8")
    assert guess_format(tmp_path) == "pairs"
    assert [page.name for page in read_corpus(tmp_path)] == ["one.html", "two.txt"]


def test_pages_in_a_declared_charset_are_decoded_with_it():
    data = '<meta charset="windows-1251"><p>мост</p>'.encode("windows-1251")
    assert "мост" in decode_page(data)


def test_an_exception_in_a_system_is_recorded_against_its_page_and_the_run_goes_on():
    pages = [Page("good", "x", reference=BODY), Page("bad", "y", reference=BODY)]

    def system(page: Page) -> str:
        if page.name == "bad":
            raise RuntimeError("boom")
        return BODY

    report = evaluate(pages, {"s": system})
    assert [r.page for r in report.errors("s")] == ["bad"]
    assert report.errors("s")[0].errors["s"] == "RuntimeError: boom"
    assert report.overall("s").recall == pytest.approx(0.5)
    assert report.worst("s", 1)[0].page == "bad"


def _narrate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _lifeboat_corpus(folder: Path, junk: str) -> None:
    title = "Lifeboat called out twice"
    (folder / "lifeboat.html").write_text(_page(title, BODY, SECOND, junk=junk), encoding="utf-8")
    (folder / "lifeboat.expected.txt").write_text(
        f"{title}\n\n{BODY}\n\n{SECOND}\n", encoding="utf-8"
    )


def test_eval_clean_prints_per_page_and_overall_figures_beside_the_peer(tmp_path: Path):
    _lifeboat_corpus(tmp_path, junk="Home | News | Sport")
    result = _narrate("eval-clean", str(tmp_path), "--peer", "trafilatura")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["page", "|", "narrate", "|", "trafilatura"]
    assert lines[2].startswith("lifeboat.html")
    assert "  narrate      P 1.000  R 1.000  F1 1.000  exceptions 0" in lines
    assert any(line.startswith("  trafilatura  P ") for line in lines)
    assert "worst 10 pages for narrate (F1):" in lines


def test_eval_clean_as_text_scores_the_copied_text_too(tmp_path: Path):
    _lifeboat_corpus(tmp_path, junk="Share this article")
    result = _narrate("eval-clean", str(tmp_path), "--as-text", "--quiet")
    assert result.returncode == 0, result.stderr
    narrate_line = next(line for line in result.stdout.splitlines() if "narrate   " in line)
    copied_line = next(line for line in result.stdout.splitlines() if "as-copied" in line)
    assert "R 1.000" in narrate_line
    assert "P 1.000" in narrate_line  # "Share this article" is cleaned away
    assert "P 1.000" not in copied_line  # and is still in the copied text


def test_eval_clean_on_a_folder_with_no_pages_says_what_it_reads(tmp_path: Path):
    result = _narrate("eval-clean", str(tmp_path))
    assert result.returncode == 1
    assert "no pages with a reference" in result.stderr
    assert "--format" in result.stderr
