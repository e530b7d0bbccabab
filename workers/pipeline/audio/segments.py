"""Paragraphs as MP3 segments, joined into an article without re-encoding.

Each paragraph's shaped speech is encoded on its own (a fresh LAME encoder, so its
first frame needs no bit reservoir from before it) and the article's MP3 is its ID3 tag
followed by the segments and encoded silences, byte for byte. Joins fall in silence
(every clip is faded at both ends and LAME pads with zeros), so they cannot click.

The timing map is exact in decoded samples. A decoder that meets no gapless tag (none
is written, so the same rule holds at the start of the file and at every join) plays
each segment as all of its frames, `ENCODER_DELAY` samples of which come before the
first input sample: LAME's 576-sample look-ahead plus the 529 of its filter bank.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import closing, nullcontext, suppress
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from workers.pipeline.article import Continued
from workers.pipeline.audio.shape import (
    SAMPLE_RATE,
    Encoded,
    Mp3Stream,
    Pauses,
    Tags,
    Timing,
    atomic_output,
    id3_tag,
)

ENCODER_DELAY = 576 + 529  # samples before the first input sample, in decoded audio
SEGMENT_ENCODER = "lame-q5-cbr"  # part of a segment's key: a change here re-encodes all


def frame_samples(sample_rate: int) -> int:
    """Samples per MPEG Layer III frame: MPEG-1 from 32 kHz up, else MPEG-2/2.5."""
    return 1152 if sample_rate >= 32000 else 576


def _frame_bytes(bitrate_kbps: int, sample_rate: int) -> float:
    """The mean length of a constant-bitrate frame (LAME pads single frames to keep it)."""
    return frame_samples(sample_rate) * bitrate_kbps * 125 / sample_rate


@dataclass(frozen=True)
class Segment:
    """What the join needs to know of one encoded piece of audio."""

    frames: int  # MP3 frames: the piece plays for frames * frame_samples samples
    speech_samples: int  # input samples (the paragraph's shaped PCM)
    size: int  # bytes


def encode_segment(
    pcm: Iterable[bytes], out: BinaryIO, *, bitrate_kbps: int, sample_rate: int = SAMPLE_RATE
) -> Segment:
    """Encode one paragraph's shaped PCM (mono 16-bit chunks) into `out` on its own."""
    counted = _CountingWriter(out)
    stream = Mp3Stream(counted, bitrate_kbps, sample_rate)
    try:
        for chunk in pcm:
            stream.write(chunk)
    finally:
        stream.finish()
    return _segment(counted.written, stream.frames, bitrate_kbps, sample_rate)


def _segment(size: int, speech_samples: int, bitrate_kbps: int, sample_rate: int) -> Segment:
    return Segment(round(size / _frame_bytes(bitrate_kbps, sample_rate)), speech_samples, size)


class _CountingWriter:
    def __init__(self, out: BinaryIO) -> None:
        self._out, self.written = out, 0

    def write(self, data: bytes) -> int:
        self.written += len(data)
        return self._out.write(data)


MIN_SILENCE_FRAMES = 3  # LAME makes no fewer of one sample, so a pause is never shorter


@lru_cache(maxsize=64)
def silence_frames(frames: int, bitrate_kbps: int, sample_rate: int = SAMPLE_RATE) -> bytes:
    """Exactly max(`frames`, MIN_SILENCE_FRAMES) MP3 frames of silence (the input length
    is found by trying: LAME's flush adds a frame for some lengths)."""
    frames = max(frames, MIN_SILENCE_FRAMES)
    size = frame_samples(sample_rate)
    samples = max(1, frames * size - ENCODER_DELAY - size // 2)
    for _ in range(16):
        out = BytesIO()
        made = encode_segment(
            [bytes(2 * samples)], out, bitrate_kbps=bitrate_kbps, sample_rate=sample_rate
        ).frames
        if made == frames:
            return out.getvalue()
        samples = max(1, samples + (frames - made) * size // 2)
    raise AssertionError(f"LAME made no {frames}-frame silence")  # pragma: no cover


WriteSegment = Callable[[BinaryIO], Segment]  # writes one paragraph's segment, says what


class Layout:
    """Where each piece of an article's MP3 falls, worked out piece by piece: the silent
    frames before each paragraph and at the end, and each paragraph's place in decoded
    samples. The join and the progressive segment list both follow it, so the audio a
    player streams paragraph by paragraph is the article's MP3, frame for frame.

    A pause is a whole number of silent frames, chosen so that the silence heard from the
    end of one paragraph's speech to the start of the next (the segment's padding, the
    silent frames and the next segment's delay) is as near the asked pause as a frame
    allows. Before a paragraph that continues the one before it (a piece of a written
    paragraph too long to be one, `Continued`) the pause is a sentence's, as between
    the utterances of one paragraph."""

    def __init__(self, pauses: Pauses | None = None, sample_rate: int = SAMPLE_RATE) -> None:
        self.pauses = pauses or Pauses()
        self.sample_rate = sample_rate
        self.frame = frame_samples(sample_rate)
        self.position = 0  # decoded samples so far
        self.placed = 0  # paragraphs placed
        self._trailing = 0  # silence at the end of what is placed, in samples

    def pause_before(self, continues: bool = False) -> int:
        """Silent frames before the next paragraph (the lead-in before the first); a
        sentence's pause if it `continues` the paragraph before it."""
        if self.placed == 0:
            ms = self.pauses.lead_in_ms
        elif continues:
            ms = self.pauses.between_utterances_ms
        else:
            ms = (
                self.pauses.after_title_ms
                if self.placed == 1
                else self.pauses.between_paragraphs_ms
            )
        return self._silence(ms, ENCODER_DELAY)

    def tail(self) -> int:
        """Silent frames after the last paragraph."""
        return self._silence(self.pauses.tail_ms, 0)

    def _silence(self, ms: int, ahead: int) -> int:
        wanted = ms * self.sample_rate / 1000 - self._trailing - ahead
        frames = max(MIN_SILENCE_FRAMES, round(wanted / self.frame))
        self.position += frames * self.frame
        self._trailing += frames * self.frame
        return frames

    def place(self, text: str, segment: Segment) -> Timing:
        """The next paragraph's timing, its pause having been taken."""
        start = self.position + ENCODER_DELAY
        end = start + segment.speech_samples
        self.position += segment.frames * self.frame
        self._trailing = self.position - end
        self.placed += 1
        return Timing(self.placed - 1, self.ms(start), self.ms(end), text)

    def ms(self, samples: int) -> int:
        return round(samples * 1000 / self.sample_rate)

    @property
    def duration_ms(self) -> int:
        return self.ms(self.position)


def join_segments(
    paragraphs: Iterable[tuple[str, WriteSegment]],
    out: BinaryIO,
    *,
    tags: Tags,
    bitrate_kbps: int,
    pauses: Pauses | None = None,
    sample_rate: int = SAMPLE_RATE,
) -> Encoded:
    """Write the article's MP3 into `out`: the tag, then each (text, segment writer) with
    its pause before it (a sentence's before a `Continued` text), and the closing pause,
    as `Layout` places them; return the timing map."""
    layout = Layout(pauses, sample_rate)
    out.write(id3_tag(tags))
    timings: list[Timing] = []
    for text, write in paragraphs:
        before = layout.pause_before(isinstance(text, Continued))
        out.write(silence_frames(before, bitrate_kbps, sample_rate))
        timings.append(layout.place(text, write(out)))
    out.write(silence_frames(layout.tail(), bitrate_kbps, sample_rate))
    return Encoded(timings, layout.duration_ms)


PCM = bytes | Iterable[bytes]  # one paragraph's shaped PCM: whole, or in chunks
ENCODED_AHEAD = 2  # paragraphs whose encoders may still be running while the next is read
SPILL_BYTES = 1 << 20  # an encoded segment waiting its turn past this goes to a temporary file


class _SegmentAhead:
    """One paragraph's segment, its PCM read now (shaped by the caller's thread) and
    encoded by its encoder's thread into a buffer, which it finishes while the caller
    goes on to the next paragraph; written out when its turn comes."""

    def __init__(self, pcm: PCM, bitrate_kbps: int, sample_rate: int) -> None:
        self._mp3 = tempfile.SpooledTemporaryFile(max_size=SPILL_BYTES)  # noqa: SIM115 (closed by write or abandon)
        self._stream = Mp3Stream(self._mp3, bitrate_kbps, sample_rate)
        self._bitrate, self._rate = bitrate_kbps, sample_rate
        try:
            for chunk in [pcm] if isinstance(pcm, bytes | bytearray) else pcm:
                self._stream.write(chunk)
        except BaseException:
            self.abandon()
            raise
        self._stream.end()

    def write(self, out: BinaryIO) -> Segment:
        self._stream.wait()
        size = self._mp3.tell()
        self._mp3.seek(0)
        shutil.copyfileobj(self._mp3, out, 1 << 16)
        self._mp3.close()
        return _segment(size, self._stream.frames, self._bitrate, self._rate)

    def abandon(self) -> None:
        """Let the encoder's thread end; its failure, if any, is not the one to report."""
        self._stream.end()
        with suppress(BaseException):
            self._stream.wait()
        self._mp3.close()


def encoded_ahead(
    paragraphs: Iterable[tuple[str, PCM]],
    *,
    bitrate_kbps: int,
    sample_rate: int = SAMPLE_RATE,
    ahead: int = ENCODED_AHEAD,
) -> Generator[tuple[str, WriteSegment], None, None]:
    """(text, segment writer) for each (text, PCM), in order, each paragraph's PCM read to
    its end before the next and encoded on a thread of its own: up to `ahead` paragraphs
    behind the one being read are still encoding, so LAME, the dearest step, runs on as
    many cores as there are while the caller shapes the next. Each segment is encoded
    exactly as `encode_segment` encodes it."""
    pending: deque[tuple[str, _SegmentAhead]] = deque()
    try:
        for text, pcm in paragraphs:
            pending.append((text, _SegmentAhead(pcm, bitrate_kbps, sample_rate)))
            while len(pending) > ahead:
                yield pending[0][0], pending[0][1].write
                pending.popleft()
        while pending:
            yield pending[0][0], pending[0][1].write
            pending.popleft()
    finally:
        for _, segment in pending:
            segment.abandon()


def encode_mp3(
    paragraphs: Iterable[tuple[str, PCM]],
    out: Path | BinaryIO,
    *,
    tags: Tags,
    bitrate_kbps: int = 64,
    pauses: Pauses | None = None,
    sample_rate: int = SAMPLE_RATE,
) -> Encoded:
    """Stream (text, shaped PCM) pairs into one MP3 at `out` (a path, written atomically,
    or an open binary file), each paragraph encoded as a segment as it comes
    (`encoded_ahead`: the encoders of the last few paragraphs run while the next is read).

    The PCM is mono 16-bit at `sample_rate`, as `shape_chunks` makes it: one bytes
    object, or an iterable of chunks that is read to its end before the next paragraph.
    """
    segments = encoded_ahead(paragraphs, bitrate_kbps=bitrate_kbps, sample_rate=sample_rate)
    with (
        closing(segments),
        atomic_output(out) if isinstance(out, Path) else nullcontext(out) as mp3,
    ):
        return join_segments(
            segments,
            mp3,
            tags=tags,
            bitrate_kbps=bitrate_kbps,
            pauses=pauses,
            sample_rate=sample_rate,
        )


def copy_segment(source: Iterator[bytes], segment: Segment) -> WriteSegment:
    """A writer for a segment stored already: its bytes, as they are."""

    def write(out: BinaryIO) -> Segment:
        for chunk in source:
            out.write(chunk)
        return segment

    return write
