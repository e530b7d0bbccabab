"""Integrated loudness (ITU-R BS.1770-4, mono) with numpy alone.

The signal is K-weighted by a streaming IIR filter (workers.pipeline.audio.kweighting), so it
may be fed in chunks of any size with the same result; the mean square of each 100 ms step is
kept, and the gated 400 ms blocks (75 % overlap) are sums of four steps.
"""

from __future__ import annotations

import math

import numpy as np

from workers.pipeline.audio.kweighting import KWeighting

_BLOCK_S = 0.400
_STEP_S = 0.100
_ABSOLUTE_GATE_LUFS = -70.0
_RELATIVE_GATE_LU = -10.0


class LoudnessMeter:
    """Integrated loudness of a signal fed in chunks of any size, in memory that does not
    grow with the signal's length beyond one float per 100 ms.

    K-weighting is an IIR filter whose state is carried from chunk to chunk, so each
    chunk costs time in proportion to its length; the gated 400 ms blocks are sums of four
    100 ms steps.
    """

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self._weigh = KWeighting(sample_rate)
        self._step = int(_STEP_S * sample_rate)
        self._steps_per_block = round(_BLOCK_S / _STEP_S)
        self._pending = np.zeros(0)  # weighted power not yet a whole 100 ms step
        self._step_sums: list[float] = []
        self._count = 0

    def add(self, samples: np.ndarray) -> None:
        """Feed mono float samples in [-1, 1]."""
        self._add_weighted(self._weigh(samples))

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
