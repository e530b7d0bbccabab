"""bench/run.py's verdict: a row meets its case's targets on wall time, CPU time and
memory, or says MISSED."""

from __future__ import annotations

from pathlib import Path

from bench.run import Case, verdict

LONG = Case("200 paragraphs", Path("article.txt"), 3, 0.8, None, 1.1)


def row(case: Case, ratio: float, cpu_ratio: float, rss_mb: float = 100.0) -> dict:
    return {"target": case, "ratio": ratio, "cpu_ratio": cpu_ratio, "rss_mb": rss_mb}


def test_a_row_within_every_target_is_ok():
    assert verdict(row(LONG, 0.7, 1.0)) == ("wall <= 0.8x, CPU <= 1.1x", True)


def test_cpu_over_its_bound_is_missed_though_wall_time_is_within():
    assert verdict(row(LONG, 0.5, 1.2)) == ("wall <= 0.8x, CPU <= 1.1x", False)


def test_wall_over_its_bound_is_missed():
    assert verdict(row(LONG, 0.81, 0.9))[1] is False


def test_a_case_without_a_cpu_target_judges_wall_time_and_memory():
    seed = Case("seed", Path("seed.txt"), 5, 1.5)
    assert verdict(row(seed, 1.4, 3.0)) == ("wall <= 1.5x", True)
    with_memory = Case("1000 paragraphs", Path("a.txt"), 1, 0.8, 300.0, 1.1)
    assert verdict(row(with_memory, 0.7, 1.0, rss_mb=301.0)) == (
        "wall <= 0.8x, CPU <= 1.1x, <= 300 MB",
        False,
    )
