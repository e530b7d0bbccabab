"""Paragraph segments: encoded on their own, joined byte for byte, timed exactly."""

from __future__ import annotations

from io import BytesIO
from itertools import pairwise

import numpy as np
import pytest

from tests.support.decode import decode_mp3
from workers.pipeline.article import Continued
from workers.pipeline.audio.segments import (
    ENCODER_DELAY,
    copy_segment,
    encode_mp3,
    encode_segment,
    frame_samples,
    join_segments,
    silence_frames,
)
from workers.pipeline.audio.shape import SAMPLE_RATE, Tags

RATE = SAMPLE_RATE
TAGS = Tags(title="Headline")
LOUD = 0.02  # of full scale: speech is well above it, decoded silence well below


def burst(seconds: float, hz: float, amplitude: float = 0.3) -> bytes:
    """A tone from its first sample to its last, with 8 ms fades as shaped clips have."""
    count = int(seconds * RATE)
    wave = amplitude * np.sin(2 * np.pi * hz * np.arange(count) / RATE)
    fade = np.minimum(1.0, np.minimum(np.arange(count), np.arange(count)[::-1]) / (0.008 * RATE))
    return (wave * fade * 32767).astype("<i2").tobytes()


PARAGRAPHS = [
    ("Headline", burst(0.8, 440)),
    ("First paragraph.", burst(1.3, 330)),
    ("Second paragraph.", burst(0.45, 550)),
    ("Third paragraph.", burst(2.05, 260)),
]


def decoded(tmp_path, data: bytes) -> np.ndarray:
    path = tmp_path / "joined.mp3"
    path.write_bytes(data)
    samples, rate, _ = decode_mp3(path)
    assert rate == RATE
    return samples


def stored(pcm: bytes, bitrate: int = 64):
    out = BytesIO()
    segment = encode_segment([pcm], out, bitrate_kbps=bitrate)
    return out.getvalue(), segment


def join_stored(pieces, bitrate: int = 64):
    out = BytesIO()
    encoded = join_segments(
        ((text, copy_segment(iter([data]), segment)) for text, (data, segment) in pieces),
        out,
        tags=TAGS,
        bitrate_kbps=bitrate,
    )
    return out.getvalue(), encoded


@pytest.mark.parametrize("seconds", [0.001, 0.3, 1.0, 2.7])
@pytest.mark.parametrize("bitrate", [32, 64, 96])
def test_a_segment_decodes_to_its_frames_with_the_speech_after_the_encoder_delay(
    tmp_path, seconds, bitrate
):
    data, segment = stored(burst(seconds, 400), bitrate)
    samples = decoded(tmp_path, data)
    assert len(samples) == segment.frames * frame_samples(RATE)
    assert segment.speech_samples == int(seconds * RATE)
    loud = np.flatnonzero(np.abs(samples) > LOUD)
    if seconds > 0.01:
        assert abs(loud[0] - ENCODER_DELAY) < 0.003 * RATE


def test_silence_frames_are_as_many_as_asked_and_silent(tmp_path):
    for frames in (3, 4, 17, 40):
        samples = decoded(tmp_path, silence_frames(frames, 64))
        assert len(samples) == frames * frame_samples(RATE)
        assert np.abs(samples).max() < 1e-4


def test_the_timing_map_is_where_each_paragraph_is_heard(tmp_path):
    data, encoded = join_stored([(text, stored(pcm)) for text, pcm in PARAGRAPHS])
    samples = decoded(tmp_path, data)
    assert len(samples) * 1000 / RATE == pytest.approx(encoded.duration_ms, abs=0.5)
    tolerance_ms = 4  # a frame's pre-echo and the fades, well under a syllable
    for timing, (_, pcm) in zip(encoded.timings, PARAGRAPHS, strict=True):
        window = samples[
            (timing.start_ms - 100) * RATE // 1000 : (timing.end_ms + 100) * RATE // 1000
        ]
        loud = np.flatnonzero(np.abs(window) > LOUD) * 1000 / RATE + timing.start_ms - 100
        assert loud[0] == pytest.approx(timing.start_ms, abs=tolerance_ms)
        assert loud[-1] == pytest.approx(timing.end_ms, abs=tolerance_ms)
        assert timing.end_ms - timing.start_ms == round(len(pcm) / 2 * 1000 / RATE)


def test_joins_are_silent_between_paragraphs_so_they_cannot_click(tmp_path):
    data, encoded = join_stored([(text, stored(pcm)) for text, pcm in PARAGRAPHS])
    samples = decoded(tmp_path, data)
    for before, after in zip(encoded.timings, encoded.timings[1:], strict=False):
        pause = samples[(before.end_ms + 5) * RATE // 1000 : (after.start_ms - 5) * RATE // 1000]
        assert len(pause) > 0.5 * RATE
        assert np.abs(pause).max() < 0.002  # -54 dBFS: no step, no click
        assert np.abs(np.diff(pause)).max() < 0.001


def test_stored_segments_join_into_the_same_bytes_as_encoding_in_one_go():
    whole = BytesIO()
    in_one_go = encode_mp3(PARAGRAPHS, whole, tags=TAGS, bitrate_kbps=64)
    joined, encoded = join_stored([(text, stored(pcm)) for text, pcm in PARAGRAPHS])
    assert joined == whole.getvalue()
    assert encoded == in_one_go


def test_an_edited_paragraph_changes_only_its_own_bytes_and_shifts_the_timings_after_it():
    pieces = [(text, stored(pcm)) for text, pcm in PARAGRAPHS]
    before, old = join_stored(pieces)
    edited = list(pieces)
    edited[2] = ("Second paragraph, longer.", stored(burst(1.1, 550)))
    after, new = join_stored(edited)
    first_two = pieces[1][1][0]
    head = before[: before.index(first_two) + len(first_two)]
    last = pieces[3][1][0]
    tail = before[before.index(last) :]
    assert after.startswith(head) and after.endswith(tail)
    assert edited[2][1][0] in after and pieces[2][1][0] not in after
    assert new.timings[:2] == old.timings[:2]
    shift = new.timings[3].start_ms - old.timings[3].start_ms
    assert shift == pytest.approx(650, abs=30)  # 0.65 s more speech, to a frame
    assert new.timings[3].end_ms - new.timings[3].start_ms == (
        old.timings[3].end_ms - old.timings[3].start_ms
    )


def test_a_paragraph_with_no_audio_is_an_empty_segment_and_joins_as_nothing():
    out = BytesIO()
    assert encode_segment([], out, bitrate_kbps=64).frames == 0 and out.getvalue() == b""
    (title, title_pcm), (body, body_pcm) = PARAGRAPHS[:2]
    _, with_empty = join_stored(
        [(title, stored(title_pcm)), ("Silent.", stored(b"")), (body, stored(body_pcm))]
    )
    assert [t.end_ms - t.start_ms for t in with_empty.timings] == [800, 0, 1300]


def test_an_engine_failure_mid_segment_is_raised_not_hung():
    def failing():
        yield burst(0.2, 300)
        raise RuntimeError("engine gave up")

    with pytest.raises(RuntimeError, match="engine gave up"):
        encode_segment(failing(), BytesIO(), bitrate_kbps=64)
    with pytest.raises(RuntimeError, match="before any audio"):
        encode_segment(_raises_at_once(), BytesIO(), bitrate_kbps=64)


def _raises_at_once():
    raise RuntimeError("before any audio")
    yield b""  # pragma: no cover


def test_the_next_paragraph_is_read_while_the_one_before_is_still_to_be_written():
    """The encoders of the paragraphs before run while the next is shaped: paragraph k+1's
    PCM is asked for before paragraph k's segment reaches the MP3."""
    out = BytesIO()
    written_when_read: list[int] = []

    def paragraphs():
        for text, pcm in PARAGRAPHS:
            written_when_read.append(out.tell())
            yield text, iter([pcm])

    encode_mp3(paragraphs(), out, tags=TAGS, bitrate_kbps=64)
    first_segment = stored(PARAGRAPHS[0][1])[0]
    assert out.getvalue().index(first_segment) >= written_when_read[1]
    assert written_when_read[:3] == [written_when_read[1]] * 3  # the tag and nothing more


def test_a_failure_mid_article_leaves_no_encoder_running():
    import threading

    def paragraphs():
        yield from PARAGRAPHS[:3]
        yield "Broken.", _raises_at_once()

    with pytest.raises(RuntimeError, match="before any audio"):
        encode_mp3(paragraphs(), BytesIO(), tags=TAGS, bitrate_kbps=64)
    assert not [t for t in threading.enumerate() if t.name == "mp3-encoder" and t.is_alive()]


def test_a_piece_that_continues_a_paragraph_follows_it_after_a_sentence_s_pause(tmp_path):
    """A paragraph too long to be one is read as pieces (workers/pipeline/speaking.py):
    between them the silence is a sentence's (400 ms), not a paragraph's (650 ms), in
    the joined MP3 as in its timings."""
    pieces = [
        ("Headline", burst(0.8, 440)),
        ("First paragraph.", burst(1.3, 330)),
        ("The long one begins.", burst(0.9, 550)),
        (Continued("And it goes on."), burst(0.7, 260)),
        (Continued("And on."), burst(0.5, 300)),
        ("Another paragraph.", burst(0.6, 350)),
    ]
    data, encoded = join_stored([(text, stored(pcm)) for text, pcm in pieces])
    gaps = [b.start_ms - a.end_ms for a, b in pairwise(encoded.timings)]
    frame_ms = frame_samples(RATE) * 1000 / RATE
    assert gaps[0] == pytest.approx(1100, abs=frame_ms)  # after the title
    assert gaps[1] == pytest.approx(650, abs=frame_ms)  # a paragraph's
    assert gaps[2] == pytest.approx(400, abs=frame_ms)  # a sentence's, within the paragraph
    assert gaps[3] == pytest.approx(400, abs=frame_ms)
    assert gaps[4] == pytest.approx(650, abs=frame_ms)
    samples = decoded(tmp_path, data)
    heard = np.flatnonzero(np.abs(samples) > LOUD) * 1000 / RATE
    silences = np.diff(heard)[np.diff(heard) > 100]  # the pauses as decoded
    assert silences == pytest.approx(gaps, abs=8)
