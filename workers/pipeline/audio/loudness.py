"""Integrated loudness (ITU-R BS.1770-4, mono) with numpy alone.

The K-weighting filter's response is computed in the frequency domain and applied as a
convolution in blocks, which streams (the signal is fed in chunks of any size) and keeps
scipy out of the worker's import path.
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


@lru_cache(maxsize=16)
def _k_weighting_taps(sample_rate: int) -> np.ndarray:
    """The K-weighting filter's impulse response, to half a second: both stages have
    decayed by then, so convolving with these taps is the filter to within float noise."""
    n = 1 << (sample_rate * 2 - 1).bit_length()
    return np.fft.irfft(_k_weighting(sample_rate, n), n)[: sample_rate // 2]


class LoudnessMeter:
    """Integrated loudness of a signal fed in chunks of any size, in memory that does not
    grow with the signal's length beyond one float per 100 ms.

    K-weighting is an overlap-add convolution in blocks, so each chunk costs
    O(chunk log chunk); the gated 400 ms blocks are sums of four 100 ms steps.
    """

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self._taps = _k_weighting_taps(sample_rate)
        self._step = int(_STEP_S * sample_rate)
        self._steps_per_block = round(_BLOCK_S / _STEP_S)
        self._tail = np.zeros(self._taps.size - 1)  # the filter's ringing into later chunks
        self._pending = np.zeros(0)  # weighted power not yet a whole 100 ms step
        self._step_sums: list[float] = []
        self._count = 0

    def add(self, samples: np.ndarray) -> None:
        """Feed mono float samples in [-1, 1]."""
        for start in range(0, samples.size, _CHUNK):
            self._add_weighted(self._weigh(samples[start : start + _CHUNK]))

    def _weigh(self, chunk: np.ndarray) -> np.ndarray:
        n = 1 << (chunk.size + self._taps.size - 2).bit_length()
        full = np.fft.irfft(np.fft.rfft(chunk, n) * np.fft.rfft(self._taps, n), n)
        full = full[: chunk.size + self._taps.size - 1]
        full[: self._tail.size] += self._tail
        self._tail = full[chunk.size :].copy()
        return full[: chunk.size]

    def _add_weighted(self, weighted: np.ndarray) -> None:
        self._count += weighted.size
        power = np.concatenate((self._pending, weighted * weighted))
        whole = power.size // self._step * self._step
        self._step_sums.extend(power[:whole].reshape(-1, self._step).sum(axis=1).tolist())
        self._pending = power[whole:]

    def integrated(self) -> float:
        """LUFS of everything fed so far; -inf for silence or nothing."""
        if self._count == 0:
            return -math.inf
        steps = np.array(self._step_sums)
        block = self._steps_per_block
        if steps.size < block:  # shorter than one block: the mean of what there is
            blocks = np.array([(steps.sum() + self._pending.sum()) / self._count])
        else:
            sums = np.concatenate(([0.0], np.cumsum(steps)))
            blocks = (sums[block:] - sums[:-block]) / (block * self._step)
        return _gated_loudness(blocks)


_CHUNK = 1 << 16  # samples per convolution block


def _lufs(mean_square: float | np.ndarray) -> float | np.ndarray:
    with np.errstate(divide="ignore"):
        return -0.691 + 10 * np.log10(mean_square)


def _gated_loudness(blocks: np.ndarray) -> float:
    gated = blocks[_lufs(blocks) > _ABSOLUTE_GATE_LUFS]
    if gated.size == 0:
        return -math.inf
    relative_gate = _lufs(gated.mean()) + _RELATIVE_GATE_LU
    gated = gated[_lufs(gated) > relative_gate]
    return float(_lufs(gated.mean()))


def integrated_loudness(samples: np.ndarray, sample_rate: int) -> float:
    """Integrated loudness in LUFS of mono float samples in [-1, 1]; -inf for silence."""
    meter = LoudnessMeter(sample_rate)
    meter.add(samples)
    return meter.integrated()
