from __future__ import annotations

import math
import subprocess
import wave

import numpy as np
import pyloudnorm
import pytest
import scipy.signal

from workers.pipeline.audio.kweighting import KWeighting, k_weighting_sos
from workers.pipeline.audio.loudness import LoudnessMeter, integrated_loudness

RATE = 22050
SPEECH = (
    "The West is at risk of running out of ammunition as Putin prepares for more war in "
    "Ukraine, the secretary-general warned. Defence ministers met in Brussels on Tuesday."
)


def _speechlike(seconds: float, seed: int) -> np.ndarray:
    """Noise bursts with gaps: gating matters, unlike for a steady tone."""
    rng = np.random.default_rng(seed)
    signal = rng.normal(0, 0.1, int(seconds * RATE))
    envelope = (np.sin(2 * np.pi * 1.3 * np.arange(signal.size) / RATE) > -0.2).astype(float)
    return signal * envelope


def _white(seconds: float) -> np.ndarray:
    return np.random.default_rng(7).normal(0, 0.05, int(seconds * RATE))


def _pink(seconds: float) -> np.ndarray:
    """1/f noise: white noise shaped in the frequency domain, so the 38 Hz high pass and
    the low end matter more than in white noise."""
    size = int(seconds * RATE)
    spectrum = np.fft.rfft(np.random.default_rng(8).normal(0, 1, size))
    freqs = np.fft.rfftfreq(size, 1 / RATE)
    spectrum[1:] /= np.sqrt(freqs[1:])
    spectrum[0] = 0
    pink = np.fft.irfft(spectrum, size)
    return 0.2 * pink / np.abs(pink).max()


@pytest.fixture(scope="module")
def speech(tmp_path_factory) -> np.ndarray:
    """A few seconds of real speech: espeak-ng, mono 16-bit at 22,050 Hz."""
    path = tmp_path_factory.mktemp("speech") / "speech.wav"
    subprocess.run(["espeak-ng", "-v", "en-gb", "-w", str(path), SPEECH], check=True)
    with wave.open(str(path)) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (RATE, 1, 2)
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2") / 32768.0
    assert samples.size > 5 * RATE
    return samples


def _gated_by_silences(speech: np.ndarray) -> np.ndarray:
    """Speech, then 6 s of hiss 15 dB under it (above the absolute gate, under the relative
    one), speech again, then 8 s of digital silence (under the absolute gate)."""
    hiss = np.random.default_rng(9).normal(0, 1, 6 * RATE) * np.sqrt(np.mean(speech**2))
    hiss *= 10 ** (-15 / 20)
    return np.concatenate((speech, hiss, speech, np.zeros(8 * RATE)))


def _reference(signal: np.ndarray, rate: int = RATE) -> float:
    return pyloudnorm.Meter(rate).integrated_loudness(signal.copy())


@pytest.mark.parametrize(
    ("signal", "rate"),
    [
        (0.1 * np.sin(2 * np.pi * 1000 * np.arange(RATE * 3) / RATE), RATE),
        (0.3 * np.sin(2 * np.pi * 100 * np.arange(RATE * 2) / RATE), RATE),
        (0.3 * np.sin(2 * np.pi * 40 * np.arange(RATE * 3) / RATE), RATE),
        (0.2 * np.sin(2 * np.pi * 8000 * np.arange(RATE * 3) / RATE), RATE),
        (_white(10), RATE),
        (_pink(10), RATE),
        (_speechlike(5, 1), RATE),
        (_speechlike(4, 2)[: 44100 * 2], 44100),
    ],
    ids=["1kHz", "100Hz", "40Hz", "8kHz", "white", "pink", "speechlike-22k", "speechlike-44k"],
)
def test_matches_the_reference_implementation(signal, rate):
    assert integrated_loudness(signal, rate) == pytest.approx(_reference(signal, rate), abs=0.05)


def test_real_speech_matches_the_reference_implementation(speech):
    assert integrated_loudness(speech, RATE) == pytest.approx(_reference(speech), abs=0.05)


def test_gates_long_silences_and_quiet_hiss_as_the_reference_does(speech):
    signal = _gated_by_silences(speech)
    loudness = integrated_loudness(signal, RATE)
    assert loudness == pytest.approx(_reference(signal), abs=0.05)
    assert loudness == pytest.approx(
        integrated_loudness(np.concatenate((speech, speech)), RATE), abs=0.1
    )
    # Each gate matters here: the silence and the hiss, let in, would read quieter.
    step = RATE // 10
    weighted = KWeighting(RATE)(signal)
    power = (weighted[: weighted.size // step * step] ** 2).reshape(-1, step).mean(axis=1)
    blocks = np.convolve(power, np.ones(4) / 4, "valid")  # 400 ms, every 100 ms
    with np.errstate(divide="ignore"):
        above_absolute = blocks[-0.691 + 10 * np.log10(blocks) > -70]
    assert loudness - (-0.691 + 10 * math.log10(blocks.mean())) > 2
    assert loudness - (-0.691 + 10 * math.log10(above_absolute.mean())) > 1


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
    meter = LoudnessMeter(RATE)
    for _ in range(30):
        meter.add(np.zeros(1000))
    assert meter.integrated() == -math.inf


def _fed_in(signal: np.ndarray, sizes: list[int]) -> float:
    meter = LoudnessMeter(RATE)
    start = 0
    for index in range(signal.size):
        if start >= signal.size:
            break
        size = sizes[index % len(sizes)]
        meter.add(signal[start : start + size])
        start += size
    return meter.integrated()


@pytest.mark.parametrize(
    "sizes", [[37], [4096], [1, 63, 64, 65, 4095, 4097, 30_000]], ids=["37", "4096", "mixed"]
)
def test_reads_the_same_however_the_signal_is_cut(speech, sizes):
    signal = _gated_by_silences(speech)
    assert _fed_in(signal, sizes) == pytest.approx(integrated_loudness(signal, RATE), abs=1e-9)


@pytest.mark.parametrize("rate", [8000, 16000, 22050, 44100, 48000])
def test_k_weighting_is_the_reference_filter(rate):
    meter = pyloudnorm.Meter(rate)
    stages = [np.concatenate((f.b, f.a)) / f.a[0] for f in meter._filters.values()]
    assert k_weighting_sos(rate) == pytest.approx(np.array(stages), abs=1e-12)


@pytest.mark.parametrize("sizes", [[4 * RATE], [37], [4096], [1, 63, 64, 65, 4095, 4097]])
def test_filters_as_scipy_does_with_its_state_carried(sizes):
    """The block-wise filter is the IIR recursion itself: sample for sample what
    scipy.signal.sosfilt gives, and the same state (sosfilt's zi) at the end."""
    signal = (_pink(10) + _white(10))[: 4 * RATE]
    expected, state = scipy.signal.sosfilt(k_weighting_sos(RATE), signal, zi=np.zeros((2, 2)))
    weigh = KWeighting(RATE)
    out, start = [], 0
    for index in range(signal.size):
        if start >= signal.size:
            break
        out.append(weigh(signal[start : start + sizes[index % len(sizes)]]))
        start += sizes[index % len(sizes)]
    assert np.abs(np.concatenate(out) - expected).max() < 1e-9
    assert np.abs(weigh.state - state.ravel()).max() < 1e-9
