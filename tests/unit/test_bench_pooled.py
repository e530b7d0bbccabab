"""bench/service.py pools the throughput rounds it takes in turn."""

from __future__ import annotations

import pytest

from bench.service import cores_between, pooled


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
        "idle_cores": 2 - cores,
        "steal_cores": 0.05,
        "rss_mb": rss_mb,
    }


def test_rates_come_from_the_totals_and_the_peak_is_the_highest():
    both = pooled([figures(60, 100, 1.0, 200), figures(120, 40, 1.6, 250)], articles=200)
    assert both["seconds"] == 180 and both["paragraphs"] == 200 and both["posted_s"] == 2
    assert both["articles_per_min"] == pytest.approx(400 / 180 * 60)
    assert both["audio_min_per_min"] == pytest.approx((100 * 60 + 40 * 120) / 180)
    assert both["cores"] == pytest.approx((60 + 1.6 * 120) / 180)
    assert both["idle_cores"] == pytest.approx((1.0 * 60 + 0.4 * 120) / 180)
    assert both["rss_mb"] == 250


def test_idle_and_stolen_cores_are_shares_of_the_machines_time(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    # 1,000 ticks of both cores: 250 idle or waiting on a disk, 40 taken by the host
    shares = cores_between((5_000, 1_000, 100), (6_000, 1_250, 140))
    assert shares["idle_cores"] == pytest.approx(0.5)
    assert shares["steal_cores"] == pytest.approx(0.08)
