"""The synthesiser a voice name calls for."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from workers.pipeline.engines.piper import PiperSynthesizer
from workers.pipeline.engines.synth import (
    DEFAULT_RATE,
    Pyttsx3Synthesizer,
    RestartHook,
    Synthesizer,
)
from workers.pipeline.engines.voices import PIPER, find_piper_voice, parse_voice


def synthesizer_for_voice(
    voice: str,
    rate: int = DEFAULT_RATE,
    *,
    piper_voice_dirs: Iterable[Path] = (),
    timeout_s: float = 20.0,
    attempts: int = 3,
    on_restart: RestartHook | None = None,
) -> Synthesizer:
    """The synthesiser for a voice name. Nothing is loaded yet: each engine starts its
    process (and Piper loads its model) at the first utterance or at `start()`."""
    engine, ident = parse_voice(voice)
    if engine == PIPER:
        files = find_piper_voice(ident, piper_voice_dirs)
        return PiperSynthesizer(
            files, rate, timeout_s=timeout_s, attempts=attempts, on_restart=on_restart
        )
    return Pyttsx3Synthesizer(
        ident, rate, timeout_s=timeout_s, attempts=attempts, on_restart=on_restart
    )
