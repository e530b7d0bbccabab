"""Integrated loudness (ITU-R BS.1770-4, mono) with numpy alone.

The K-weighting filter is applied in the frequency domain, which is exact for a
power measurement and keeps scipy out of the worker's import path.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

_BLOCK_S = 0.400
_STEP_S = 0.100
_ABSOLUTE_GATE_LUFS = -70.0
_RELATIVE_GATE_LU = -10.0


def _biquad_response(b: tuple[float, ...], a: tuple[float, ...], z: np.ndarray) -> np.ndarray:
    return (b[0] + b[1] * z + b[2] * z * z) / (a[0] + a[1] * z + a[2] * z * z)


@lru_cache(maxsize=16)
def _k_weighting(sample_rate: int, n: int) -> np.ndarray:
    """Frequency response of BS.1770's two stages at the bins of an n-point real FFT."""
    z = np.exp(-2j * np.pi * np.arange(n // 2 + 1) / n)
    # Stage 1: high shelf, +4 dB above ~1.5 kHz (head effects).
    gain_db, q, fc = 4.0, 1 / math.sqrt(2), 1500.0
    a_ = 10 ** (gain_db / 40)
    w0 = 2 * math.pi * fc / sample_rate
    alpha = math.sin(w0) / (2 * q)
    cos_w0, sqrt_a = math.cos(w0), math.sqrt(a_)
    shelf_b = (
        a_ * ((a_ + 1) + (a_ - 1) * cos_w0 + 2 * sqrt_a * alpha),
        -2 * a_ * ((a_ - 1) + (a_ + 1) * cos_w0),
        a_ * ((a_ + 1) + (a_ - 1) * cos_w0 - 2 * sqrt_a * alpha),
    )
    shelf_a = (
        (a_ + 1) - (a_ - 1) * cos_w0 + 2 * sqrt_a * alpha,
        2 * ((a_ - 1) - (a_ + 1) * cos_w0),
        (a_ + 1) - (a_ - 1) * cos_w0 - 2 * sqrt_a * alpha,
    )
    # Stage 2: high pass at 38 Hz (RLB weighting).
    q, fc = 0.5, 38.0
    w0 = 2 * math.pi * fc / sample_rate
    alpha, cos_w0 = math.sin(w0) / (2 * q), math.cos(w0)
    pass_b = ((1 + cos_w0) / 2, -(1 + cos_w0), (1 + cos_w0) / 2)
    pass_a = (1 + alpha, -2 * cos_w0, 1 - alpha)
    return _biquad_response(shelf_b, shelf_a, z) * _biquad_response(pass_b, pass_a, z)


def integrated_loudness(samples: np.ndarray, sample_rate: int) -> float:
    """Integrated loudness in LUFS of mono float samples in [-1, 1]; -inf for silence."""
    if samples.size == 0:
        return -math.inf
    # Room for the filters' tails, rounded up to a power of two for a fast FFT.
    n = 1 << (samples.size + sample_rate // 2 - 1).bit_length()
    spectrum = np.fft.rfft(samples, n)
    weighted = np.fft.irfft(spectrum * _k_weighting(sample_rate, n), n)[: samples.size]
    power = weighted * weighted

    block, step = int(_BLOCK_S * sample_rate), int(_STEP_S * sample_rate)
    if power.size < block:
        blocks = np.array([power.mean()])
    else:
        sums = np.concatenate(([0.0], np.cumsum(power)))
        starts = np.arange(0, power.size - block + 1, step)
        blocks = (sums[starts + block] - sums[starts]) / block

    def lufs(mean_square: float | np.ndarray) -> float | np.ndarray:
        with np.errstate(divide="ignore"):
            return -0.691 + 10 * np.log10(mean_square)

    gated = blocks[lufs(blocks) > _ABSOLUTE_GATE_LUFS]
    if gated.size == 0:
        return -math.inf
    relative_gate = lufs(gated.mean()) + _RELATIVE_GATE_LU
    gated = gated[lufs(gated) > relative_gate]
    return float(lufs(gated.mean()))
