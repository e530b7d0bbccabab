"""Synthetic speech-like PCM: a modulated tone and silence, 16-bit mono."""

from __future__ import annotations

import numpy as np

RATE = 22050


def tone(seconds: float, amplitude: float = 0.05, rate: int = RATE, hz: float = 300) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    wave = amplitude * np.sin(2 * np.pi * hz * t) * (1 + 0.5 * np.sin(2 * np.pi * 3 * t))
    return (wave * 32767).astype("<i2").tobytes()


def quiet(seconds: float, rate: int = RATE) -> bytes:
    return bytes(int(seconds * rate) * 2)
