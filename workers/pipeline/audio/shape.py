"""Shape synthesised clips for encoding, and the MP3 encoder and timing formats.

Each clip (one utterance, of bounded length) is shaped on its own (silence trimmed,
converted to one sample rate, loudness-normalised, faded at both ends so joins never
click) in chunks of a second, which stream into a LAME encoder
(workers.pipeline.audio.segments encodes each paragraph on its own and joins them). No
step holds more than one utterance of PCM, so memory stays flat however long the
paragraph or the article is.
"""

from __future__ import annotations

import json
import os
import queue
import tempfile
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from workers.pipeline.audio.levels import chunk_size, loud_chunks
from workers.pipeline.audio.loudness import LoudnessMeter
from workers.pipeline.engines.synth import SAMPLE_WIDTH, Clip

SAMPLE_RATE = 22050
TARGET_LUFS = -16.0
PEAK_CEILING_DBFS = -1.0
KEEP_LEAD_MS = 30  # of the trimmed silence: keeps soft onsets and release tails
KEEP_TAIL_MS = 60
FADE_MS = 8
CHUNK_S = 1.0  # seconds of audio shaped and encoded at a time


@dataclass(frozen=True)
class Pauses:
    lead_in_ms: int = 150
    after_title_ms: int = 1100
    between_paragraphs_ms: int = 650
    between_utterances_ms: int = 400  # within a paragraph: about a sentence's pause
    tail_ms: int = 400


@dataclass(frozen=True)
class Timing:
    index: int
    start_ms: int
    end_ms: int
    text: str


@dataclass(frozen=True)
class Encoded:
    timings: list[Timing]
    duration_ms: int


@dataclass(frozen=True)
class Tags:
    title: str
    artist: str | None = None
    date: str | None = None
    album: str | None = None


def article_tags(title: str, byline: str | None, published: str | None) -> Tags:
    """An article's MP3 tags: its headline as title, its byline as artist (else
    "Narrate") and the day it was published (YYYY-MM-DD) as date."""
    return Tags(title=title, artist=byline or "Narrate", date=published[:10] if published else None)


def _resample(pcm: bytes, from_rate: int, to_rate: int) -> bytes:
    """One utterance's PCM at another rate (audioop's ratecv, through pydub, imported
    quietly: pydub warns about a missing ffmpeg, which raw PCM never needs)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Couldn't find ffmpeg", RuntimeWarning)
        from pydub import AudioSegment
    segment = AudioSegment(data=pcm, sample_width=SAMPLE_WIDTH, frame_rate=from_rate, channels=1)
    return segment.set_frame_rate(to_rate).raw_data


def _speech_bounds(samples: np.ndarray, sample_rate: int) -> tuple[int, int]:
    """First and one-past-last sample of the speech, keeping a margin of the silence
    around it; (0, 0) when it is all silence. Scanned a second at a time from each end."""
    chunk = chunk_size(sample_rate)
    count = -(-samples.size // chunk)
    per_scan = max(1, sample_rate // chunk)
    first = last = None
    for lo in range(0, count, per_scan):
        loud = np.flatnonzero(loud_chunks(samples, sample_rate, lo, min(count, lo + per_scan)))
        if loud.size:
            first = lo + int(loud[0])
            break
    if first is None:
        return 0, 0
    for hi in range(count, first, -per_scan):
        lo = max(first, hi - per_scan)
        loud = np.flatnonzero(loud_chunks(samples, sample_rate, lo, hi))
        if loud.size:
            last = lo + int(loud[-1])
            break
    assert last is not None  # the chunk at `first` is loud
    lead = first * chunk
    tail = samples.size - min(samples.size, (last + 1) * chunk)
    start = max(0, lead - sample_rate * KEEP_LEAD_MS // 1000)
    end = samples.size - max(0, tail - sample_rate * KEEP_TAIL_MS // 1000)
    return start, end


def shape_chunks(
    clip: Clip, sample_rate: int = SAMPLE_RATE, chunk_s: float = CHUNK_S
) -> Iterator[bytes]:
    """`clip` trimmed, resampled, normalised to TARGET_LUFS (never above the peak
    ceiling) and faded at both ends, as PCM chunks of at most `chunk_s` seconds.

    A clip is one utterance (bounded by `utterances.MAX_UTTERANCE_CHARS`); besides its
    own PCM, shaping holds one chunk at a time in floats.
    """
    samples = np.frombuffer(clip.pcm, dtype="<i2")
    start, end = _speech_bounds(samples, clip.sample_rate)
    if start >= end:
        return
    if clip.sample_rate != sample_rate:
        speech = clip.pcm[start * SAMPLE_WIDTH : end * SAMPLE_WIDTH]
        samples = np.frombuffer(_resample(speech, clip.sample_rate, sample_rate), dtype="<i2")
    else:
        samples = samples[start:end]
    step = max(1, int(chunk_s * sample_rate))
    meter = LoudnessMeter(sample_rate)
    for offset in range(0, samples.size, step):
        meter.add(samples[offset : offset + step] / 32768.0)
    loudness = meter.integrated()
    gain = 10 ** ((TARGET_LUFS - loudness) / 20) if np.isfinite(loudness) else None
    fade = sample_rate * FADE_MS // 1000
    for offset in range(0, samples.size, step):
        block = samples[offset : offset + step] / 32768.0
        if gain is not None:
            block = soft_limit(block * gain)
        _fade(block, offset, samples.size, fade)
        yield (np.round(block * 32767).astype("<i2")).tobytes()


def _fade(block: np.ndarray, offset: int, total: int, length: int) -> None:
    """Linear fade in over the first `length` samples of the whole, and out over the last;
    `block` is the whole's samples from `offset` on."""
    positions = np.arange(offset, offset + block.size)
    head = positions < length
    if head.any():
        block[head] *= positions[head] / length
    tail = positions >= total - length
    if tail.any():
        block[tail] *= (total - 1 - positions[tail]) / length


def shape_clip(clip: Clip, sample_rate: int = SAMPLE_RATE) -> bytes:
    """`shape_chunks`, joined: one utterance's shaped PCM."""
    return b"".join(shape_chunks(clip, sample_rate))


def soft_limit(samples: np.ndarray, ceiling_dbfs: float = PEAK_CEILING_DBFS) -> np.ndarray:
    """Leave samples below a knee alone; bend the rest smoothly under the ceiling.

    Synthetic speech has sharp peaks: plain gain to the target loudness would clip them,
    and capping the gain at the peak leaves quiet voices quiet.
    """
    ceiling = 10 ** (ceiling_dbfs / 20)
    knee = ceiling * 0.85
    magnitude = np.abs(samples)
    over = magnitude > knee
    if not over.any():
        return samples
    span = ceiling - knee
    limited = samples.copy()
    limited[over] = np.sign(samples[over]) * (
        knee + span * np.tanh((magnitude[over] - knee) / span)
    )
    return limited


def silence(ms: int, sample_rate: int = SAMPLE_RATE) -> bytes:
    return bytes(sample_rate * ms // 1000 * SAMPLE_WIDTH)


@contextmanager
def atomic_output(path: Path, mode: str = "wb") -> Iterator:
    """Write to a temporary name beside `path`, fsync, then rename over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, mode) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def id3_tag(tags: Tags) -> bytes:
    from mutagen.id3 import ID3, TALB, TDRC, TIT2, TPE1

    frames = ID3()
    frames.add(TIT2(encoding=3, text=tags.title))
    if tags.artist:
        frames.add(TPE1(encoding=3, text=tags.artist))
    if tags.date:
        frames.add(TDRC(encoding=3, text=tags.date))
    if tags.album:
        frames.add(TALB(encoding=3, text=tags.album))
    with tempfile.NamedTemporaryFile(suffix=".id3") as scratch:
        frames.save(scratch.name, padding=lambda info: 0)
        return Path(scratch.name).read_bytes()


class Writable(Protocol):
    def write(self, data: bytes, /) -> int: ...


class Mp3Stream:
    """One LAME encoder fed from a bounded queue by a thread of its own.

    LAME releases the GIL, so encoding one clip overlaps shaping the next, and the
    encoders of several paragraphs run on several cores (each paragraph's MP3 segment
    has an encoder of its own); the bound keeps at most a few chunks of PCM in memory
    whatever the paragraph's length. `end` says no more PCM is coming and returns at
    once; `wait` waits for the last bytes; `finish` is both.
    """

    def __init__(self, handle: Writable, bitrate_kbps: int, sample_rate: int) -> None:
        import lameenc

        self._encoder = lameenc.Encoder()
        self._encoder.set_bit_rate(bitrate_kbps)
        self._encoder.set_in_sample_rate(sample_rate)
        self._encoder.set_out_sample_rate(sample_rate)
        self._encoder.set_channels(1)
        self._encoder.set_quality(5)
        self._handle = handle
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=4)
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="mp3-encoder", daemon=True)
        self._thread.start()
        self.frames = 0

    def _run(self) -> None:
        ended = False
        try:
            while (pcm := self._queue.get()) is not None:
                self._handle.write(self._encoder.encode(pcm))
            ended = True
            if self.frames:  # LAME refuses to flush an encoder that was given nothing
                self._handle.write(self._encoder.flush())
        except BaseException as exc:  # re-raised in the caller's thread
            self._failure = exc
            while not ended and self._queue.get() is not None:  # let the producer finish
                pass

    def write(self, pcm: bytes) -> None:
        if pcm:
            self.frames += len(pcm) // SAMPLE_WIDTH
            self._queue.put(pcm)

    def end(self) -> None:
        self._queue.put(None)

    def wait(self) -> None:
        self._thread.join()
        if self._failure is not None:
            raise self._failure

    def finish(self) -> None:
        self.end()
        self.wait()


def _vtt_time(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def timings_json(timings: list[Timing], total_ms: int) -> str:
    return json.dumps(
        {
            "duration_ms": total_ms,
            "paragraphs": [
                {"index": t.index, "start_ms": t.start_ms, "end_ms": t.end_ms, "text": t.text}
                for t in timings
            ],
        },
        ensure_ascii=False,
        indent=1,
    )


def webvtt(timings: list[Timing]) -> str:
    cues = [
        f"{t.index + 1}\n{_vtt_time(t.start_ms)} --> {_vtt_time(t.end_ms)}\n"
        + t.text.replace("-->", "->")
        for t in timings
    ]
    return "WEBVTT\n\n" + "\n\n".join(cues) + "\n"
