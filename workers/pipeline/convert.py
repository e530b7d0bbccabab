"""The rest of the pipeline for one article once it is spoken (workers/pipeline/speaking.py):
synthesis, each paragraph an MP3 segment joined into one MP3, and its timings."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from workers.pipeline.article import Article
from workers.pipeline.audio.segments import encode_mp3
from workers.pipeline.audio.shape import (
    Pauses,
    article_tags,
    atomic_output,
    shape_chunks,
    silence,
    timings_json,
    webvtt,
)
from workers.pipeline.engines.synth import Clip, Synthesizer
from workers.pipeline.errors import SynthesisFailed
from workers.pipeline.speech.utterances import split_utterances

Progress = Callable[[int, int], None]  # (paragraphs done, paragraphs in all)


@dataclass(frozen=True)
class Outputs:
    mp3: Path
    timings: Path
    captions: Path

    @classmethod
    def beside(cls, mp3: Path) -> Outputs:
        """OUT.mp3 -> OUT.timings.json and OUT.vtt next to it."""
        return cls(mp3, mp3.with_suffix(".timings.json"), mp3.with_suffix(".vtt"))


@dataclass(frozen=True)
class Conversion:
    outputs: Outputs
    duration_ms: int
    paragraphs: int


def paragraph_audio(
    synthesizer: Synthesizer, paragraphs: Iterable[str], pauses: Pauses | None = None
) -> Iterator[Iterator[bytes]]:
    """Each spoken paragraph's shaped PCM, as chunks: the paragraph is cut into bounded
    utterances, which the synthesiser speaks one after another (working ahead as it
    likes), and each is shaped as it arrives. Read each paragraph's chunks to the end
    before taking the next paragraph."""
    gap_ms = (pauses or Pauses()).between_utterances_ms
    plan = [split_utterances(text) for text in paragraphs]
    clips = iter(synthesizer.synthesize_many(piece for pieces in plan for piece in pieces))
    for index, pieces in enumerate(plan):
        yield _utterances_audio(clips, len(pieces), gap_ms, index)


def _utterances_audio(
    clips: Iterator[Clip], count: int, gap_ms: int, index: int
) -> Iterator[bytes]:
    spoken = False
    for _ in range(count):
        try:
            clip = next(clips)
        except SynthesisFailed as exc:
            raise SynthesisFailed(f"paragraph {index + 1}: {exc}") from exc
        first = True
        for chunk in shape_chunks(clip):
            if first and spoken:
                yield silence(gap_ms)
            first, spoken = False, True
            yield chunk


def convert_article(
    article: Article,
    outputs: Outputs,
    synthesizer: Synthesizer,
    *,
    spoken: list[tuple[str, str]],
    bitrate_kbps: int = 64,
    on_progress: Progress | None = None,
) -> Conversion:
    """Synthesise the article's `spoken` paragraphs, (written, spoken) as
    workers/pipeline/speaking.py `speak` makes them, into `outputs`."""
    pairs = spoken
    total = len(pairs)

    def clips():
        audio = paragraph_audio(synthesizer, (spoken for _, spoken in pairs))
        for done, ((written, _), chunks) in enumerate(zip(pairs, audio, strict=True), 1):
            yield written, chunks
            if on_progress:
                on_progress(done, total)

    tags = article_tags(article.title, article.byline, article.published)
    encoded = encode_mp3(clips(), outputs.mp3, tags=tags, bitrate_kbps=bitrate_kbps)
    with atomic_output(outputs.timings, "w") as handle:
        handle.write(timings_json(encoded.timings, encoded.duration_ms))
    with atomic_output(outputs.captions, "w") as handle:
        handle.write(webvtt(encoded.timings))
    return Conversion(outputs, encoded.duration_ms, total)
