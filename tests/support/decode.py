"""Decode an MP3 back to samples with PyAV (installed with faster-whisper)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def decode_mp3(path: Path) -> tuple[np.ndarray, int, int]:
    """(mono float samples, sample rate, channel count) of the file's audio stream."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        channels = stream.codec_context.channels
        rate = stream.codec_context.sample_rate
        chunks = [frame.to_ndarray() for frame in container.decode(stream)]
    samples = np.concatenate(chunks, axis=1) if chunks else np.zeros((channels, 0))
    return samples.mean(axis=0), rate, channels
