"""A Piper neural voice behind the same `Synthesizer` interface as pyttsx3.

Piper reads text, not phonemes, so it gets the same spoken text as espeak-ng (it turns
that text into phonemes with its own copy of espeak-ng). The model runs in a child
process owned the way `Pyttsx3Synthesizer` owns its engine, with the same machinery:
started lazily, one utterance ahead, a deadline per utterance, and a hung or crashed
child killed, replaced and the utterance retried. Only the child differs: it speaks
`utterances_at_once()` utterances at a time, each on one thread, so the parent keeps one
more than that in flight.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from workers.pipeline.engines.pace import DEFAULT_RATE, length_scale_for
from workers.pipeline.engines.synth import Pyttsx3Synthesizer
from workers.pipeline.engines.voices import PIPER, PiperVoiceFiles


def utterances_at_once() -> int:
    """One per core this process may run on (as many threads as onnxruntime would give
    one utterance), at most 4."""
    return max(1, min(4, len(os.sched_getaffinity(0))))


class PiperSynthesizer(Pyttsx3Synthesizer):
    ENGINE = PIPER

    def __init__(self, voice: PiperVoiceFiles, rate: int = DEFAULT_RATE, **options: Any) -> None:
        self.at_once = utterances_at_once()
        options.setdefault("lookahead", self.at_once + 1)  # the next waits as one ends
        super().__init__(f"{PIPER}:{voice.name}", rate, **options)
        self.files = voice

    def _command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "workers.pipeline.engines.piper_child",
            str(self.files.model),
            str(self.files.config),
            f"{length_scale_for(self.rate):.4f}",
            str(self.at_once),
        ]
