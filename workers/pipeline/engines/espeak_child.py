"""The process that owns the speech engine (see `synth.Pyttsx3Synthesizer`).

It speaks the line protocol of `child` ({"ready": true}, then one {"text", "path", "rate"}
request per line, `rate` in words a minute; without it, the rate it started with). Its
reply once the whole WAV is at `path` is {"ok": true, "words", "spoken_to",
"last_word_ms"}: `words` counts the words the engine reported speaking, `spoken_to` is
the character (1-based) where its last word ends and `last_word_ms` where that word
starts in the audio, so the parent can check that all of the text was spoken.

The engine is libespeak-ng through pyttsx3's ctypes binding, in espeak's synchronous
mode: `espeak_Synth` returns when the last sample has been handed over, and parameters
apply at once. pyttsx3's own driver runs espeak asynchronously and is not used: its
`runAndWait` returns before speech is made, and the rate it sets is a command queued to
espeak's thread that the `espeak_Cancel` in every `runAndWait` discards when that thread
is late (a loaded machine); speech then came out at the driver's 200 words a minute
instead of the 175 asked, which is how the seed once came out at 1:45.3, not 1:58.0.
"""

from __future__ import annotations

import ctypes
import os
import sys
import wave
from pathlib import Path
from typing import Any

from workers.pipeline.engines import child
from workers.pipeline.engines.child import NotReady, Speak


class UnknownVoice(Exception):
    pass


class Engine:
    """libespeak-ng, synchronous: one utterance in, its PCM and word events out."""

    def __init__(self, voice: str, rate: int) -> None:
        from pyttsx3.drivers import _espeak  # raises when libespeak-ng is missing

        self._espeak = _espeak
        self.sample_rate = _espeak.Initialize(_espeak.AUDIO_OUTPUT_SYNCHRONOUS, 1000)
        if self.sample_rate <= 0:
            raise RuntimeError("espeak_Initialize failed")
        self._chunks: list[bytes] = []
        self._words = self._spoken_to = self._last_word_ms = 0
        _espeak.SetSynthCallback(self._on_synth)
        voice_id = self._voice_id(voice)
        if voice_id is None or _espeak.SetVoiceByName(voice_id.encode()) != 0:
            raise UnknownVoice(voice)
        _espeak.SetParameter(_espeak.VOLUME, 100, 0)
        # pyttsx3 binds espeak_GetParameter without its `current` argument; ask properly.
        self._get_parameter = _espeak.dll.espeak_GetParameter
        self._get_parameter.argtypes = [ctypes.c_int, ctypes.c_int]
        self._get_parameter.restype = ctypes.c_int
        self.rate = 0
        self.set_rate(rate)

    def set_rate(self, rate: int) -> None:
        """Synchronous mode applies it at once, to the next utterance."""
        if rate == self.rate:
            return
        self._espeak.SetParameter(self._espeak.RATE, rate, 0)
        if (applied := self._get_parameter(self._espeak.RATE, 1)) != rate:
            raise RuntimeError(f"espeak-ng took rate {rate} as {applied}")
        self.rate = rate

    def _voice_id(self, voice: str) -> str | None:
        known: dict[str, list[str]] = {}
        for v in self._espeak.ListVoices(None):
            languages = v.languages[1:].decode(errors="ignore") if v.languages else ""
            known[v.identifier.decode().lower()] = [languages]
        if voice in known:
            return voice
        return next((vid for vid, langs in known.items() if voice in langs), None)

    def _on_synth(self, wav: Any, numsamples: int, events: Any) -> int:
        if numsamples > 0:
            self._chunks.append(ctypes.string_at(wav, numsamples * 2))
        i = 0
        while (event := events[i]).type != self._espeak.EVENT_LIST_TERMINATED:
            if event.type == self._espeak.EVENT_WORD:
                self._words += 1
                self._spoken_to = max(self._spoken_to, event.text_position + event.length - 1)
                self._last_word_ms = event.audio_position
            i += 1
        return 0

    def speak(self, text: str) -> tuple[bytes, dict[str, int]]:
        self._chunks = []
        self._words = self._spoken_to = self._last_word_ms = 0
        status = self._espeak.Synth(
            text.encode(),
            # PHONEMES: the lexicon's [[...]] reach espeak-ng as phonemes; the normaliser
            # turns any "[[" of the article's own text into "[", so only entries write them
            flags=self._espeak.CHARS_UTF8 | self._espeak.ENDPAUSE | self._espeak.PHONEMES,
        )
        if status != 0:
            raise RuntimeError(f"espeak_Synth returned {status}")
        facts = {
            "words": self._words,
            "spoken_to": self._spoken_to,
            "last_word_ms": self._last_word_ms,
        }
        return b"".join(self._chunks), facts


def write_wav(path: Path, pcm: bytes, sample_rate: int) -> None:
    """Whole or not at all: written beside `path`, then renamed onto it."""
    partial = path.with_name(path.name + ".part")
    with wave.open(str(partial), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm)
    os.replace(partial, path)


def serve(voice: str, rate: int) -> None:
    """Speak `voice` at `rate` words a minute (see `child.serve`)."""

    def load() -> Speak:
        try:
            engine = Engine(voice, rate)
        except UnknownVoice:
            raise NotReady("unknown-voice", f"unknown voice {voice!r}") from None
        except Exception as exc:  # any failure here means there is no usable engine
            raise NotReady(
                "engine-unavailable",
                f"speech engine unavailable ({exc}): install espeak-ng (apt-get install espeak-ng)",
            ) from exc

        def speak(text: str, path: Path, rate: int | None) -> dict[str, int]:
            engine.set_rate(rate or engine.rate)
            pcm, facts = engine.speak(text)
            write_wav(path, pcm, engine.sample_rate)
            return facts

        return speak

    child.serve(load)


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]))
