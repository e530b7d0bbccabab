"""The seed article through the real CLI, the real pyttsx3 engine and a real listener."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
from mutagen.id3 import ID3

from tests.support.decode import decode_mp3
from tests.support.listening import hear, normalise_words
from tests.support.paths import SEED, SEED_EXPECTED
from workers.pipeline.audio.shape import Pauses

pytestmark = pytest.mark.integration

EXPECTED_PARAGRAPHS = SEED_EXPECTED.read_text(encoding="utf-8").strip().split("\n\n")


@pytest.fixture(scope="module")
def converted(artifacts):
    out = artifacts / "seed.mp3"
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "convert", str(SEED), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    timings = json.loads(out.with_suffix(".timings.json").read_text(encoding="utf-8"))
    return out, timings, result.stdout


def test_cli_reports_what_it_wrote(converted):
    out, _timings, stdout = converted
    assert f"wrote {out}" in stdout
    assert f"{len(EXPECTED_PARAGRAPHS)} paragraphs" in stdout


def test_mp3_decodes_mono_and_as_long_as_the_timing_map_says(converted):
    out, timings, _ = converted
    samples, rate, channels = decode_mp3(out)
    assert (rate, channels) == (22050, 1)
    assert len(samples) / rate * 1000 == pytest.approx(timings["duration_ms"], abs=150)


def test_duration_is_plausible_for_the_word_count(converted):
    _, timings, _ = converted
    words = len(normalise_words(SEED_EXPECTED.read_text(encoding="utf-8")).split())
    words_per_minute = words / (timings["duration_ms"] / 60_000)
    assert 130 <= words_per_minute <= 200  # 175 wpm speech plus pauses


def test_timing_map_covers_every_paragraph_in_order_and_ends_at_the_end(converted):
    _, timings, _ = converted
    paragraphs = timings["paragraphs"]
    assert [p["text"] for p in paragraphs] == EXPECTED_PARAGRAPHS
    assert [p["index"] for p in paragraphs] == list(range(len(EXPECTED_PARAGRAPHS)))
    for before, after in itertools.pairwise(paragraphs):
        assert before["start_ms"] < before["end_ms"] < after["start_ms"]
    frame_ms = 576 / 22050 * 1000  # a pause is whole MP3 frames: within one of what is asked
    tail = timings["duration_ms"] - paragraphs[-1]["end_ms"]
    assert tail == pytest.approx(Pauses().tail_ms, abs=frame_ms)


def test_each_paragraph_is_about_minus_16_lufs(converted):
    from workers.pipeline.audio.loudness import integrated_loudness

    out, timings, _ = converted
    samples, rate, _ = decode_mp3(out)
    for paragraph in timings["paragraphs"]:
        clip = samples[paragraph["start_ms"] * rate // 1000 : paragraph["end_ms"] * rate // 1000]
        assert integrated_loudness(clip, rate) == pytest.approx(-16, abs=1.5)


def test_pauses_between_paragraphs_are_silent(converted):
    out, timings, _ = converted
    samples, rate, _ = decode_mp3(out)
    for before, after in zip(timings["paragraphs"], timings["paragraphs"][1:], strict=False):
        gap = samples[(before["end_ms"] + 60) * rate // 1000 :][
            : (after["start_ms"] - before["end_ms"] - 120) * rate // 1000
        ]
        assert np.abs(gap).max() < 0.02


def test_captions_and_tags(converted):
    out, _, _ = converted
    vtt = out.with_suffix(".vtt").read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT\n\n1\n00:00:00.155 --> ")  # the lead-in, to a whole frame
    assert vtt.count(" --> ") == len(EXPECTED_PARAGRAPHS)
    tags = ID3(out)
    assert str(tags["TIT2"]) == EXPECTED_PARAGRAPHS[0]
    assert str(tags["TPE1"]) == "Emma Soteriou"
    assert str(tags["TDRC"]) == "2023-02-15"


@pytest.fixture(scope="module")
def baseline(artifacts):
    """espeak-ng (en-gb) speaking the expected text straight to WAV: the bar to meet."""
    espeak = shutil.which("espeak-ng")
    assert espeak, "espeak-ng must be installed (the set-up command installs it)"
    wav = artifacts / "seed-baseline.wav"
    subprocess.run([espeak, "-v", "en-gb", "-w", str(wav), "-f", str(SEED_EXPECTED)], check=True)
    return hear(wav, SEED_EXPECTED.read_text(encoding="utf-8"))


def test_a_listener_hears_the_article_and_nothing_else(converted, baseline, artifacts):
    out, _, _ = converted
    ours = hear(out, SEED_EXPECTED.read_text(encoding="utf-8"))
    (artifacts / "seed.transcript.txt").write_text(
        f"WER {ours.wer:.3f} (baseline {baseline.wer:.3f}); insertions {ours.insertions}, "
        f"deletions {ours.deletions}, substitutions {ours.substitutions}\n\n{ours.transcript}\n"
    )
    assert ours.wer <= baseline.wer + 0.05, ours.transcript
    assert ours.insertions < 20, ours.transcript
