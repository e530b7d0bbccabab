"""The whole pipeline for one article: spoken text, synthesis, one MP3 and its timings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from workers.pipeline.article import Article
from workers.pipeline.audio import (
    Tags,
    atomic_output,
    encode_mp3,
    shape_clip,
    timings_json,
    webvtt,
)
from workers.pipeline.errors import NoSpeakableText
from workers.pipeline.lexicon import Lexicon
from workers.pipeline.speech import to_spoken
from workers.pipeline.synth import Synthesizer

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


def spoken_paragraphs(
    article: Article, lexicon: Lexicon | None = None, *, phonemes: bool = True
) -> list[tuple[str, str]]:
    """(written, spoken) for every paragraph that has something to say, with the
    lexicon's entries applied to the spoken text (its phoneme entries only if the
    engine reads espeak-ng phonemes)."""
    lexicon = lexicon or Lexicon()
    pairs = [
        (text, lexicon.apply(to_spoken(text), phonemes=phonemes)) for text in article.paragraphs
    ]
    pairs = [(text, spoken) for text, spoken in pairs if any(c.isalnum() for c in spoken)]
    if not pairs:
        raise NoSpeakableText("the article has no words to read aloud")
    return pairs


def convert_article(
    article: Article,
    outputs: Outputs,
    synthesizer: Synthesizer,
    *,
    bitrate_kbps: int = 64,
    on_progress: Progress | None = None,
    lexicon: Lexicon | None = None,
) -> Conversion:
    pairs = spoken_paragraphs(article, lexicon)
    total = len(pairs)

    def clips():
        clip_stream = synthesizer.synthesize_many(spoken for _, spoken in pairs)
        for done, ((written, _), clip) in enumerate(zip(pairs, clip_stream, strict=True), 1):
            yield written, shape_clip(clip)
            if on_progress:
                on_progress(done, total)

    tags = Tags(
        title=article.title,
        artist=article.byline or "Narrate",
        date=article.published[:10] if article.published else None,
    )
    encoded = encode_mp3(clips(), outputs.mp3, tags=tags, bitrate_kbps=bitrate_kbps)
    with atomic_output(outputs.timings, "w") as handle:
        handle.write(timings_json(encoded.timings, encoded.duration_ms))
    with atomic_output(outputs.captions, "w") as handle:
        handle.write(webvtt(encoded.timings))
    return Conversion(outputs, encoded.duration_ms, total)
