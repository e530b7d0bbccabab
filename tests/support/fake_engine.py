"""A stand-in for espeak_child that speaks its protocol without pyttsx3.

Usage: fake_engine.py MODE STATE_FILE. Each word becomes 300 ms of a 220 Hz tone at
22050 Hz. STATE_FILE counts requests across restarts, so a fault can happen once.
MODE: ok | hang-once | crash-once | crash-always | die-at-start | unavailable | mute
| truncate-once | truncate-always | stop-early-once | gap-once | crash-second

Replies carry what espeak_child reports: the words spoken, where the last one ends in
the text and where it starts in the audio.
"""

from __future__ import annotations

import json
import math
import struct
import sys
import time
import wave
from pathlib import Path

RATE = 22050
MS_PER_WORD = 300


def tone(words: int) -> bytes:
    frames = RATE * MS_PER_WORD // 1000
    word = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 220 * i / RATE))) for i in range(frames)
    )
    return word * words


def main(mode: str, state: Path) -> None:
    if mode == "die-at-start":
        print("espeak-ng: no voice data", file=sys.stderr)
        sys.exit(1)
    if mode == "unavailable":
        print(json.dumps({"error": "engine-unavailable", "detail": "no engine here"}), flush=True)
        return
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        count = int(state.read_text() or 0) + 1 if state.exists() else 1
        state.write_text(str(count))
        if mode == "hang-once" and count == 1:
            time.sleep(3600)
        if mode == "crash-second" and count == 2:  # after answering the first
            sys.exit(1)
        if mode == "crash-always" or (mode == "crash-once" and count == 1):
            sys.exit(1)
        text = request["text"]
        words = 0 if mode == "mute" else len(text.split())
        spoken_to = len(text)
        audio = tone(words)
        last_word_ms = max(0, words - 1) * MS_PER_WORD
        if (mode == "truncate-once" and count == 1) or mode == "truncate-always":
            # speech at two fifths of the time: as if far too fast, or its end lost
            audio = audio[: len(audio) * 2 // 5 // 2 * 2]
            last_word_ms = last_word_ms * 2 // 5
        if mode == "stop-early-once" and count == 1:  # it spoke only the first 60% of words
            words = words * 3 // 5
            spoken_to = len(" ".join(text.split()[:words]))
            audio = tone(words)
            last_word_ms = max(0, words - 1) * MS_PER_WORD
        if mode == "gap-once" and count == 1:  # two seconds of nothing amid the speech
            middle = len(audio) // 2 // 2 * 2
            audio = audio[:middle] + bytes(RATE * 2 * 2) + audio[middle:]
        with wave.open(request["path"], "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(RATE)
            wav.writeframes(audio)
        reply = {"ok": True, "words": words, "spoken_to": spoken_to, "last_word_ms": last_word_ms}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
