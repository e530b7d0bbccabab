"""Where a clip is speech and where it is silence, in 5 ms chunks, computed a second at
a time so that no more than a second of samples is ever held as floats."""

from __future__ import annotations

import numpy as np

SILENCE_THRESHOLD_DBFS = -45.0
CHUNK_MS = 5


def chunk_size(sample_rate: int) -> int:
    return max(1, sample_rate * CHUNK_MS // 1000)


def loud_chunks(samples: np.ndarray, sample_rate: int, lo: int = 0, hi: int | None = None):
    """For chunks lo..hi of `samples` (int16), whether each is above the silence threshold."""
    chunk = chunk_size(sample_rate)
    hi = -(-samples.size // chunk) if hi is None else hi
    threshold = (32768 * 10 ** (SILENCE_THRESHOLD_DBFS / 20)) ** 2  # as a mean square
    per_window = max(1, sample_rate // chunk)
    parts = []
    for start in range(lo, hi, per_window):
        block = samples[start * chunk : min(hi, start + per_window) * chunk].astype(np.float64)
        starts = np.arange(0, block.size, chunk)
        sizes = np.diff(np.append(starts, block.size))
        parts.append(np.add.reduceat(block * block, starts) / sizes >= threshold)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)


def longest_inner_silence_ms(pcm: bytes, sample_rate: int) -> float:
    """The longest silence between the first and the last sound of a 16-bit mono clip."""
    loud = np.flatnonzero(loud_chunks(np.frombuffer(pcm, dtype="<i2"), sample_rate))
    if loud.size < 2:
        return 0.0
    return float((np.diff(loud) - 1).max()) * chunk_size(sample_rate) * 1000 / sample_rate
