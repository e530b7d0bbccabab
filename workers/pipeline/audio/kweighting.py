"""BS.1770's K-weighting (a high shelf, then a high pass: two biquads) as a streaming IIR
filter, with numpy alone.

Sample by sample an IIR filter is a Python loop, and scipy.signal.sosfilt, which runs it in
C, costs about 0.7 s to import in every process (scipy.signal imports scipy.stats and more),
more than the filter itself costs on a long article, and its loop slows several-fold on
digital silence (measured). So the filter runs BLOCK samples at a time on its state-space
form (state s, input x, output y: y = C s + D x, s' = A s + B x):

- a block's output is its own input through the first BLOCK taps of the impulse response, plus
  the free response to the state at the block's start;
- the state at a block's start is the state before the chunk through F = A**BLOCK, plus the
  pushes of the blocks before it (their input's share of the state at their end), through
  powers of F. F's powers decay below float rounding after `depth` blocks, so only the last
  `depth` pushes count.

That is the recursion itself, regrouped (the tests hold it to scipy.signal.sosfilt within
float rounding). The state carried from chunk to chunk is sosfilt's `zi` (two values per
biquad, transposed direct form II), so the output does not depend on how the signal is cut.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.lib.stride_tricks import as_strided

BLOCK = 64  # samples
# Blocks filtered per set of matrix products. 64 keeps every product within 2**18
# multiply-adds, which OpenBLAS runs on the calling thread: it threads larger ones, which
# made the filter several times slower on two busy cores (measured).
MAX_BLOCKS = 64
_NEGLIGIBLE = 1e-18  # a power of F this small no longer changes a float64 state
_STATE = 4  # two biquads, two values each


def k_weighting_sos(sample_rate: int) -> np.ndarray:
    """The two stages as second-order sections, rows (b0, b1, b2, 1, a1, a2), designed for
    `sample_rate` as pyloudnorm does: RBJ cookbook biquads, a +4 dB high shelf at 1500 Hz
    (Q 1/sqrt 2) for the head, then a high pass at 38 Hz (Q 0.5), BS.1770's RLB curve."""
    sections = []
    # Stage 1: high shelf.
    gain, q = 10 ** (4.0 / 40), 1 / math.sqrt(2)
    w0 = 2 * math.pi * 1500.0 / sample_rate
    alpha, cos_w0, root = math.sin(w0) / (2 * q), math.cos(w0), math.sqrt(gain)
    sections.append(
        (
            gain * ((gain + 1) + (gain - 1) * cos_w0 + 2 * root * alpha),
            -2 * gain * ((gain - 1) + (gain + 1) * cos_w0),
            gain * ((gain + 1) + (gain - 1) * cos_w0 - 2 * root * alpha),
            (gain + 1) - (gain - 1) * cos_w0 + 2 * root * alpha,
            2 * ((gain - 1) - (gain + 1) * cos_w0),
            (gain + 1) - (gain - 1) * cos_w0 - 2 * root * alpha,
        )
    )
    # Stage 2: high pass.
    q, w0 = 0.5, 2 * math.pi * 38.0 / sample_rate
    alpha, cos_w0 = math.sin(w0) / (2 * q), math.cos(w0)
    sections.append(
        ((1 + cos_w0) / 2, -(1 + cos_w0), (1 + cos_w0) / 2, 1 + alpha, -2 * cos_w0, 1 - alpha)
    )
    sos = np.array(sections)
    return sos / sos[:, 3:4]


def _state_space(sos: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """(A, B, C, D) of the sections in cascade; the state is sosfilt's zi, flattened."""
    size = 2 * len(sos)
    a, b = np.zeros((size, size)), np.zeros(size)
    feed, direct = np.zeros(size), 1.0  # this section's input = feed @ state + direct * x
    for index, (b0, b1, b2, _, a1, a2) in enumerate(sos):
        k = 2 * index
        section_b = np.array([b1 - a1 * b0, b2 - a2 * b0])
        a[k : k + 2] += np.outer(section_b, feed)
        a[k : k + 2, k : k + 2] = [[-a1, 1.0], [-a2, 0.0]]
        b[k : k + 2] = section_b * direct
        feed, direct = b0 * feed, b0 * direct
        feed[k] += 1.0  # the section's output is its first state plus b0 times its input
    return a, b, feed, direct


@dataclass(frozen=True)
class _Blocks:
    taps: np.ndarray  # (BLOCK, BLOCK): a block's input -> its zero-state output
    free: np.ndarray  # (n, BLOCK): the state at a block's start -> its free response
    push: np.ndarray  # (BLOCK, n): a block's input -> its share of the state at its end
    powers: np.ndarray  # (BLOCK + 1, n, n): A**k, for a last partial block
    decay: np.ndarray  # ((MAX_BLOCKS + 1) * n, n): F**j stacked, the chunk's first state at block j
    carry: np.ndarray  # (depth * n, n): the last `depth` pushes -> the next block's state
    depth: int


@lru_cache(maxsize=8)
def _blocks(sample_rate: int) -> _Blocks:
    a, b, c, d = _state_space(k_weighting_sos(sample_rate))
    size = a.shape[0]
    powers = [np.eye(size)]
    for _ in range(BLOCK):
        powers.append(a @ powers[-1])
    impulse = np.array([d] + [c @ powers[k] @ b for k in range(BLOCK - 1)])
    taps = np.zeros((BLOCK, BLOCK))
    for lag in range(BLOCK):
        taps[np.arange(BLOCK - lag), np.arange(lag, BLOCK)] = impulse[lag]
    f = powers[BLOCK]
    decay = [np.eye(size)]
    while len(decay) <= MAX_BLOCKS or np.abs(decay[-1]).max() >= _NEGLIGIBLE:
        decay.append(f @ decay[-1])
    depth = next(j for j, power in enumerate(decay) if np.abs(power).max() < _NEGLIGIBLE)
    return _Blocks(
        taps=taps,
        free=np.array([c @ powers[k] for k in range(BLOCK)]).T.copy(),
        push=np.array([powers[BLOCK - 1 - k] @ b for k in range(BLOCK)]),
        powers=np.array(powers),
        decay=np.concatenate(decay[: MAX_BLOCKS + 1]),
        carry=np.array(decay[depth - 1 :: -1]).transpose(0, 2, 1).reshape(-1, size),
        depth=depth,
    )


class KWeighting:
    """K-weights a signal fed in chunks of any size; the same output however it is cut."""

    def __init__(self, sample_rate: int) -> None:
        self._blocks = _blocks(sample_rate)
        self.state = np.zeros(_STATE)  # sosfilt's zi, flattened: (stage, value)

    def __call__(self, samples: np.ndarray) -> np.ndarray:
        samples = np.asarray(samples, dtype=np.float64)
        out = np.empty(samples.size)
        step = BLOCK * MAX_BLOCKS
        for start in range(0, samples.size, step):
            out[start : start + step] = self._filter(samples[start : start + step])
        return out

    def _filter(self, x: np.ndarray) -> np.ndarray:
        m = self._blocks
        whole = x.size // BLOCK
        blocks = x[: whole * BLOCK].reshape(whole, BLOCK)
        pushes = np.zeros((m.depth + whole, _STATE))
        pushes[m.depth :] = blocks @ m.push
        # Row j: the `depth` pushes before block j, side by side (rows of `pushes` overlap).
        rows = (whole + 1, m.depth * _STATE)
        recent = as_strided(pushes, rows, (pushes.strides[0], pushes.itemsize))
        states = np.ascontiguousarray(recent) @ m.carry
        states += (m.decay[: (whole + 1) * _STATE] @ self.state).reshape(whole + 1, _STATE)
        out = np.empty(x.size)
        out[: whole * BLOCK] = (blocks @ m.taps + states[:whole] @ m.free).ravel()
        state, rest = states[whole], x[whole * BLOCK :]
        if rest.size:
            out[whole * BLOCK :] = (
                rest @ m.taps[: rest.size, : rest.size] + state @ m.free[:, : rest.size]
            )
            state = m.powers[rest.size] @ state + rest @ m.push[BLOCK - rest.size :]
        self.state = state
        return out
