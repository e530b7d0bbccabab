from __future__ import annotations

import math

import numpy as np
import pyloudnorm
import pytest

from workers.pipeline.audio.loudness import integrated_loudness

RATE = 22050


def _speechlike(seconds: float, seed: int) -> np.ndarray:
    """Noise bursts with gaps: gating matters, unlike for a steady tone."""
    rng = np.random.default_rng(seed)
    signal = rng.normal(0, 0.1, int(seconds * RATE))
    envelope = (np.sin(2 * np.pi * 1.3 * np.arange(signal.size) / RATE) > -0.2).astype(float)
    return signal * envelope


@pytest.mark.parametrize(
    ("signal", "rate"),
    [
        (0.1 * np.sin(2 * np.pi * 1000 * np.arange(RATE * 3) / RATE), RATE),
        (0.3 * np.sin(2 * np.pi * 100 * np.arange(RATE * 2) / RATE), RATE),
        (_speechlike(5, 1), RATE),
        (_speechlike(4, 2)[: 44100 * 2], 44100),
    ],
    ids=["1kHz", "100Hz", "speechlike-22k", "speechlike-44k"],
)
def test_matches_the_reference_implementation(signal, rate):
    expected = pyloudnorm.Meter(rate).integrated_loudness(signal)
    assert integrated_loudness(signal, rate) == pytest.approx(expected, abs=0.05)


def test_1khz_sine_at_full_scale_reads_about_minus_3_lufs():
    # BS.1770: a 0 dBFS 997 Hz sine in one channel reads -3.01 LKFS.
    sine = np.sin(2 * np.pi * 997 * np.arange(RATE * 2) / RATE)
    assert integrated_loudness(sine, RATE) == pytest.approx(-3.01, abs=0.1)


def test_halving_amplitude_lowers_loudness_by_6_db():
    signal = _speechlike(3, 3)
    assert integrated_loudness(signal, RATE) - integrated_loudness(signal / 2, RATE) == (
        pytest.approx(6.02, abs=0.01)
    )


def test_silence_is_minus_infinity():
    assert integrated_loudness(np.zeros(RATE), RATE) == -math.inf
    assert integrated_loudness(np.zeros(0), RATE) == -math.inf


def test_fed_in_chunks_of_any_size_it_reads_as_fed_at_once():
    from workers.pipeline.audio.loudness import LoudnessMeter

    signal = _speechlike(7, 4)
    rng = np.random.default_rng(5)
    meter = LoudnessMeter(RATE)
    start = 0
    while start < signal.size:
        size = int(rng.integers(1, 30_000))
        meter.add(signal[start : start + size])
        start += size
    assert meter.integrated() == pytest.approx(
        pyloudnorm.Meter(RATE).integrated_loudness(signal), abs=0.05
    )
    assert meter.integrated() == pytest.approx(integrated_loudness(signal, RATE), abs=1e-6)
