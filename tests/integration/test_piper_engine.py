"""The real Piper voice behind the synthesiser's process isolation."""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time

import pytest

from workers.pipeline.engines.factory import synthesizer_for_voice
from workers.pipeline.engines.voices import BUNDLED_PIPER_VOICE, find_piper_voice
from workers.pipeline.errors import EngineUnavailable

pytestmark = pytest.mark.integration
JOE = f"piper:{BUNDLED_PIPER_VOICE}"
LONG = " ".join(
    f"Sentence {word} of this paragraph goes on for a while, so speaking it takes seconds."
    for word in ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
)


def test_piper_speaks_each_paragraph_at_its_own_rate():
    with synthesizer_for_voice(JOE) as synth:
        clips = list(synth.synthesize_many(["Hello.", "A longer sentence takes longer to say."]))
    assert [clip.sample_rate for clip in clips] == [22050, 22050]
    assert 300 < clips[0].duration_ms < clips[1].duration_ms < 5000


def test_a_faster_rate_is_shorter_speech():
    text = ["The council said the bridge would reopen in the spring."]
    with synthesizer_for_voice(JOE, 175) as normal, synthesizer_for_voice(JOE, 263) as quick:
        normal_ms = next(iter(normal.synthesize_many(text))).duration_ms
        quick_ms = next(iter(quick.synthesize_many(text))).duration_ms
    assert quick_ms == pytest.approx(normal_ms * 175 / 263, rel=0.15)


def test_a_hung_voice_is_killed_and_replaced():
    with synthesizer_for_voice(JOE, timeout_s=3) as synth:
        assert next(iter(synth.synthesize_many(["Ready."]))).duration_ms > 200
        hung = synth._child
        os.kill(hung.pid, signal.SIGSTOP)  # the model stops answering, as a wedged one would
        clip = next(iter(synth.synthesize_many(["Still here after a hang."])))
        assert synth._child is not hung and hung.poll() is not None
    assert clip.duration_ms > 800


def test_a_voice_that_crashes_mid_utterance_is_replaced_and_the_utterance_retried():
    with synthesizer_for_voice(JOE) as synth:
        next(iter(synth.synthesize_many(["Ready."])))
        crashed = synth._child
        threading.Timer(0.3, os.kill, (crashed.pid, signal.SIGKILL)).start()
        started = time.monotonic()
        clip = next(iter(synth.synthesize_many([LONG])))
        assert synth._child is not crashed
    assert crashed.returncode == -signal.SIGKILL
    assert time.monotonic() - started > 0.3  # the kill landed while it was speaking
    assert clip.duration_ms > 30_000  # the whole paragraph, said by the replacement


def test_a_broken_model_file_is_one_clear_error(tmp_path):
    joe = find_piper_voice(BUNDLED_PIPER_VOICE)
    model = tmp_path / "broken.onnx"
    model.write_bytes(b"this is not an ONNX model")
    shutil.copy(joe.config, tmp_path / "broken.onnx.json")
    with (
        synthesizer_for_voice(f"piper:{model}") as synth,
        pytest.raises(EngineUnavailable, match=r"Piper voice broken\.onnx could not be loaded"),
    ):
        list(synth.synthesize_many(["Hello."]))
