"""bench/service.py pools the throughput rounds it takes in turn."""

from __future__ import annotations

import pytest

from bench.service import pooled


def figures(seconds: float, audio_rate: float, cores: float, rss_mb: float) -> dict:
    return {
        "seconds": seconds,
        "posted_s": 1.0,
        "articles_per_min": 0.0,  # recomputed from the totals, never averaged
        "audio_min_per_min": audio_rate,
        "paragraphs": 100,
        "cores": cores,
        "web_cores": 0.0,
        "bench_cores": 0.1,
        "rss_mb": rss_mb,
    }


def test_rates_come_from_the_totals_and_the_peak_is_the_highest():
    both = pooled([figures(60, 100, 1.0, 200), figures(120, 40, 1.6, 250)], articles=200)
    assert both["seconds"] == 180 and both["paragraphs"] == 200 and both["posted_s"] == 2
    assert both["articles_per_min"] == pytest.approx(400 / 180 * 60)
    assert both["audio_min_per_min"] == pytest.approx((100 * 60 + 40 * 120) / 180)
    assert both["cores"] == pytest.approx((60 + 1.6 * 120) / 180)
    assert both["rss_mb"] == 250
