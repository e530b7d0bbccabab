"""The process that owns the pyttsx3 engine (see `synth.Pyttsx3Synthesizer`).

Protocol: {"ready": true} once the engine is up; then one JSON request per line on stdin,
{"text", "path"}, and one JSON reply per line on the original stdout, {"ok": true} once
the WAV at `path` is complete on disk, or {"error"/"detail"} when it cannot be. The
engine and espeak-ng print to stdout themselves, so replies go over a private copy of
that descriptor and everything else is sent to stderr.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import wave
from pathlib import Path
from typing import TextIO

WAV_HEADER_BYTES = 44


def _wav_complete(path: Path) -> bool:
    try:
        with wave.open(str(path), "rb") as wav:
            expected = wav.getnframes() * wav.getsampwidth() * wav.getnchannels()
        return path.stat().st_size >= WAV_HEADER_BYTES + expected
    except (OSError, EOFError, wave.Error):
        return False


def _reply(channel: TextIO, **fields: object) -> None:
    channel.write(json.dumps(fields) + "\n")
    channel.flush()


def _exit_when_orphaned(poll_s: float = 0.5) -> None:
    """Leave if the parent dies, even while blocked inside the engine: an orphaned
    engine process would otherwise sleep forever waiting for requests."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_s)
        os._exit(0)

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()


def _accept_phonemes() -> None:
    """Let the lexicon's [[...]] reach libespeak-ng as phonemes. pyttsx3 (pinned 2.99)
    calls `_espeak.Synth` without espeakPHONEMES, so espeak would read the brackets'
    contents as letters; the normaliser turns any "[[" in article text into "[", so only
    lexicon entries ever write them."""
    from pyttsx3.drivers import _espeak

    synth = _espeak.Synth

    def synth_with_phonemes(text, *args, flags: int = 0, **kwargs):
        return synth(text, *args, flags=flags | _espeak.PHONEMES, **kwargs)

    _espeak.Synth = synth_with_phonemes


def serve(voice: str, rate: int) -> None:
    _exit_when_orphaned()
    replies = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        import pyttsx3

        _accept_phonemes()
        engine = pyttsx3.init()
        known = {v.id: v for v in engine.getProperty("voices")}
        by_language = {lang: v.id for v in known.values() for lang in v.languages or ()}
        voice_id = voice if voice in known else by_language.get(voice)
        if voice_id is None:
            _reply(replies, error="unknown-voice", detail=f"unknown voice {voice!r}")
            return
        engine.setProperty("voice", voice_id)
        engine.setProperty("rate", rate)
        _reply(replies, ready=True)
    except Exception as exc:  # any failure here means there is no usable engine
        _reply(
            replies,
            error="engine-unavailable",
            detail=f"speech engine unavailable ({exc}): install espeak-ng "
            "(apt-get install espeak-ng)",
        )
        return
    for line in sys.stdin:
        request = json.loads(line)
        path = Path(request["path"])
        engine.save_to_file(request["text"], str(path))
        engine.runAndWait()
        for _ in range(200):  # the driver writes the file from its callback; be sure it is whole
            if _wav_complete(path):
                _reply(replies, ok=True)
                break
            time.sleep(0.005)
        else:
            _reply(replies, ok=False, detail="engine produced no complete WAV")


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]))
