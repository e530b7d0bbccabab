from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from mutagen.id3 import ID3

from tests.support.audio import RATE, quiet, tone
from tests.support.decode import decode_mp3
from workers.pipeline.audio.loudness import integrated_loudness
from workers.pipeline.audio.segments import encode_mp3
from workers.pipeline.audio.shape import (
    TARGET_LUFS,
    Pauses,
    Tags,
    Timing,
    article_tags,
    shape_clip,
    silence,
    timings_json,
    webvtt,
)
from workers.pipeline.engines.synth import Clip


def as_float(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, dtype="<i2") / 32768.0


def test_shaping_trims_silence_but_keeps_a_margin():
    shaped = shape_clip(Clip(quiet(0.3) + tone(1.0) + quiet(0.5), RATE))
    seconds = len(shaped) / 2 / RATE
    assert 1.0 < seconds < 1.0 + 0.03 + 0.06 + 0.02


def test_shaping_normalises_loudness():
    for amplitude in (0.01, 0.05, 0.3):
        shaped = shape_clip(Clip(tone(2.0, amplitude), RATE))
        assert integrated_loudness(as_float(shaped), RATE) == pytest.approx(TARGET_LUFS, abs=0.3)


def test_shaping_never_lifts_peaks_above_the_ceiling():
    pcm = bytearray(tone(2.0, 0.002))
    pcm[20000:20002] = (30000).to_bytes(2, "little", signed=True)  # one sharp click
    shaped = as_float(shape_clip(Clip(bytes(pcm), RATE)))
    assert np.abs(shaped).max() <= 10 ** (-1 / 20) + 1e-3


def test_shaped_clip_starts_and_ends_at_rest_so_joins_do_not_click():
    shaped = as_float(shape_clip(Clip(tone(1.0, 0.3, hz=1000), RATE)))
    assert abs(shaped[0]) < 0.01
    assert abs(shaped[-1]) < 0.01


def test_shaping_resamples_to_one_rate():
    shaped = shape_clip(Clip(tone(1.0, rate=16000), 16000), RATE)
    assert len(shaped) / 2 / RATE == pytest.approx(1.0, abs=0.1)


def test_a_silent_clip_shapes_to_nothing():
    assert shape_clip(Clip(quiet(1.0), RATE)) == b""


def test_shaping_writes_nothing_to_stderr_without_ffmpeg(tmp_path):
    """Workers report a dead process by its last stderr line; pydub must not fill it with
    an ffmpeg warning, since raw PCM never needs ffmpeg."""
    script = (
        "import shutil; assert shutil.which('ffmpeg') is None\n"
        "from workers.pipeline.audio.shape import shape_clip\n"
        "from workers.pipeline.engines.synth import Clip\n"
        "print(len(shape_clip(Clip(bytes(4410) + b'\\x10\\x20' * 2205, 22050))))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        env={"PATH": str(tmp_path)},  # an empty directory: no ffmpeg, no avconv
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert int(run.stdout) > 0
    assert run.stderr == ""


def test_silence_is_exactly_as_long_as_asked():
    assert len(silence(650)) == RATE * 650 // 1000 * 2


@pytest.fixture
def encoded(tmp_path):
    clips = [
        ("Headline", shape_clip(Clip(tone(1.0), RATE))),
        ("First paragraph.", shape_clip(Clip(quiet(0.2) + tone(2.0, 0.2) + quiet(0.2), RATE))),
        ("Second paragraph.", shape_clip(Clip(tone(1.5, 0.01), RATE))),
    ]
    out = tmp_path / "article.mp3"
    tags = Tags(title="Headline", artist="Jane Smith", date="2023-02-15")
    return out, encode_mp3(clips, out, tags=tags, bitrate_kbps=48)


def test_mp3_is_mono_at_the_pipeline_rate_and_as_long_as_its_timings(encoded):
    out, result = encoded
    samples, rate, channels = decode_mp3(out)
    assert (rate, channels) == (RATE, 1)
    assert len(samples) / rate * 1000 == pytest.approx(result.duration_ms, abs=0.5)


def test_timings_follow_the_pauses_to_within_half_a_frame(encoded):
    _, result = encoded
    pauses = Pauses()
    half_frame_ms = 576 / RATE * 1000 / 2
    first, second, third = result.timings
    assert first.start_ms == pytest.approx(pauses.lead_in_ms, abs=half_frame_ms + 1)
    assert second.start_ms - first.end_ms == pytest.approx(
        pauses.after_title_ms, abs=half_frame_ms + 1
    )
    assert third.start_ms - second.end_ms == pytest.approx(
        pauses.between_paragraphs_ms, abs=half_frame_ms + 1
    )
    assert result.duration_ms - third.end_ms == pytest.approx(pauses.tail_ms, abs=2 * half_frame_ms)
    assert [t.text for t in result.timings] == ["Headline", "First paragraph.", "Second paragraph."]


def test_paragraph_audio_sits_inside_its_timing_and_pauses_are_silent(encoded):
    out, result = encoded
    samples, rate, _ = decode_mp3(out)

    def window(start_ms: int, end_ms: int) -> np.ndarray:
        return samples[start_ms * rate // 1000 : end_ms * rate // 1000]

    first, second, _ = result.timings
    pause = window(first.end_ms + 100, second.start_ms - 100)
    speech = window(second.start_ms + 100, second.end_ms - 100)
    assert np.abs(pause).max() < 0.01
    assert np.sqrt(np.mean(speech**2)) > 0.05


def test_mp3_carries_id3_tags(encoded):
    out, _ = encoded
    tags = ID3(out)
    assert str(tags["TIT2"]) == "Headline"
    assert str(tags["TPE1"]) == "Jane Smith"
    assert str(tags["TDRC"]) == "2023-02-15"


def test_bitrate_is_what_was_asked(encoded):
    out, result = encoded
    audio_bytes = out.stat().st_size - ID3(out).size
    kbps = audio_bytes * 8 / result.duration_ms
    assert kbps == pytest.approx(48, rel=0.15)


def test_failure_mid_article_leaves_no_file_behind(tmp_path):
    def clips():
        yield "Headline", tone(1.0)
        raise RuntimeError("engine gave up")

    out = tmp_path / "article.mp3"
    with pytest.raises(RuntimeError):
        encode_mp3(clips(), out, tags=Tags(title="Headline"))
    assert list(tmp_path.iterdir()) == []


def test_timing_map_as_json_and_webvtt():
    timings = [Timing(0, 150, 2150, "Headline"), Timing(1, 3250, 3_725_004, "Body --> text")]
    document = json.loads(timings_json(timings, 3_725_404))
    assert document["duration_ms"] == 3_725_404
    assert document["paragraphs"][1] == {
        "index": 1,
        "start_ms": 3250,
        "end_ms": 3_725_004,
        "text": "Body --> text",
    }
    assert webvtt(timings) == (
        "WEBVTT\n\n1\n00:00:00.150 --> 00:00:02.150\nHeadline\n\n"
        "2\n00:00:03.250 --> 01:02:05.004\nBody -> text\n"
    )


def test_shaping_streams_in_chunks_of_a_second_at_most():
    from workers.pipeline.audio.shape import shape_chunks

    clip = Clip(quiet(0.2) + tone(5.5, 0.1) + quiet(0.3), RATE)
    chunks = list(shape_chunks(clip))
    assert len(chunks) == 6
    assert max(len(chunk) for chunk in chunks) == RATE * 2
    assert b"".join(chunks) == shape_clip(clip)


def test_shaping_memory_does_not_grow_with_the_clip():
    """Besides the clip itself, shaping holds about a second of floats, whether the clip
    lasts 20 s or 80 s (it once held many copies of the whole clip)."""
    import tracemalloc

    from workers.pipeline.audio.shape import shape_chunks

    def extra_peak_bytes(seconds: float) -> int:
        clip = Clip(tone(seconds, 0.1), RATE)
        tracemalloc.start()
        for _chunk in shape_chunks(clip):
            pass
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return peak

    short, long = extra_peak_bytes(20), extra_peak_bytes(80)
    assert long < 4_000_000  # the 80 s clip alone is 3.5 MB of int16
    assert long < short * 1.5


class ToneSynthesizer:
    """One tone per text, 60 ms per character, at a level that changes from text to text."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def synthesize_many(self, texts):
        for text in texts:
            self.texts.append(text)
            amplitude = 0.02 * (1 + len(self.texts) % 5)
            yield Clip(tone(len(text) * 0.06, amplitude), RATE)

    def close(self) -> None:
        pass


def test_a_long_paragraph_is_spoken_as_bounded_utterances_each_at_the_target_loudness():
    from workers.pipeline.convert import paragraph_audio
    from workers.pipeline.speech.utterances import MAX_UTTERANCE_CHARS

    sentence = "A sentence of news that goes on for a while, as they do. "
    paragraphs = ["Headline", sentence * 120]  # the second is about 6,800 characters
    synthesizer = ToneSynthesizer()
    audio = [b"".join(chunks) for chunks in paragraph_audio(synthesizer, paragraphs)]

    assert len(synthesizer.texts) == 1 + 6
    assert all(len(text) <= MAX_UTTERANCE_CHARS for text in synthesizer.texts)
    assert integrated_loudness(as_float(audio[1]), RATE) == pytest.approx(TARGET_LUFS, abs=0.3)
    body = as_float(audio[1])
    quiet_runs = np.flatnonzero(np.diff(np.flatnonzero(np.abs(body) > 1e-4)) > RATE * 0.3)
    assert len(quiet_runs) == 5  # a pause between each two utterances


def test_an_articles_tags_are_its_headline_byline_and_day():
    """One function for the command line's MP3 and the worker's (they built them apart)."""
    assert article_tags("Harbour wall", "By Ana Silva", "2023-02-15T09:30:00+00:00") == Tags(
        "Harbour wall", "By Ana Silva", "2023-02-15"
    )
    assert article_tags("Harbour wall", None, None) == Tags("Harbour wall", "Narrate", None)
    assert article_tags("Harbour wall", "", "") == Tags("Harbour wall", "Narrate", None)
