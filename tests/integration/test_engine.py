"""The real pyttsx3 engine behind the synthesiser's process isolation."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support.paths import SEED
from workers.pipeline.engines.synth import Pyttsx3Synthesizer
from workers.pipeline.errors import InvalidInput

pytestmark = pytest.mark.integration


def test_real_engine_speaks_each_paragraph_at_22050_hz():
    with Pyttsx3Synthesizer() as synth:
        clips = list(synth.synthesize_many(["Hello.", "A longer sentence takes longer to say."]))
    assert [clip.sample_rate for clip in clips] == [22050, 22050]
    assert 300 < clips[0].duration_ms < clips[1].duration_ms < 5000


def test_unknown_voice_says_how_to_pick_one():
    with (
        Pyttsx3Synthesizer(voice="klingon") as synth,
        pytest.raises(InvalidInput, match="espeak-ng --voices"),
    ):
        list(synth.synthesize_many(["Hello."]))


def test_missing_engine_library_is_one_clear_line(tmp_path):
    broken = tmp_path / "lib"
    broken.mkdir()
    (broken / "libespeak-ng.so.1").write_bytes(b"")  # shadows the real library
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "convert", str(SEED), "-o", str(tmp_path / "o.mp3")],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "LD_LIBRARY_PATH": str(broken)},
    )
    assert result.returncode == 1
    assert result.stderr.startswith("narrate: error: speech engine unavailable")
    assert "espeak" in result.stderr.lower()
    assert result.stderr.strip().count("\n") == 0
    assert not (tmp_path / "o.mp3").exists()


def test_speech_at_every_rate_the_cli_allows_passes_the_completeness_check():
    """At 450 words a minute espeak-ng speeds speech up after making it and its word
    events keep the earlier times; the check must not take that for lost speech."""
    texts = ["One very long paragraph", "A sentence of news, near the quarry lighthouse."]
    durations = {}
    for rate in (80, 175, 450):
        with Pyttsx3Synthesizer(rate=rate) as synth:
            durations[rate] = [clip.duration_ms for clip in synth.synthesize_many(texts)]
    for slow, fast in zip(durations[80], durations[450], strict=True):
        assert slow > 4 * fast


@pytest.mark.parametrize("voice", ["gmw/en", "piper:en_US-joe-medium"])
def test_one_engine_process_speaks_each_utterance_at_the_rate_it_was_asked(voice):
    from workers.pipeline.engines.factory import synthesizer_for_voice

    text = ["A sentence of news, near the quarry lighthouse, read at two speeds today."]
    with synthesizer_for_voice(voice, 175) as synth:
        usual = next(synth.synthesize_many(text)).duration_ms
        engine = synth._child.pid
        quicker = next(synth.at_rate(350).synthesize_many(text)).duration_ms
        again = next(synth.at_rate(175).synthesize_many(text)).duration_ms
        assert synth._child.pid == engine  # no new process for a new rate
    assert 0.35 < quicker / usual < 0.65, (usual, quicker)
    assert again == pytest.approx(usual, rel=0.02)
