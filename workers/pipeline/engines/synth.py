"""Speech synthesis: text in, PCM out.

`Synthesizer` is the small interface the rest of the pipeline uses. `Pyttsx3Synthesizer`
drives pyttsx3 (libespeak-ng) in a child process that it owns: the engine is created
lazily inside that child, each utterance gets a deadline, and a child that hangs or
dies (espeak-ng calls `exit(1)` when voice data is missing) is killed, replaced and
the utterance retried, without taking the caller down. Whoever owns it may be told of
each replacement (`on_restart`), for its metrics.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import selectors
import shutil
import subprocess
import sys
import time
import wave
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from workers.pipeline.engines.pace import DEFAULT_RATE
from workers.pipeline.engines.workdirs import new_workdir
from workers.pipeline.errors import EngineUnavailable, InvalidInput, SynthesisFailed

SAMPLE_WIDTH = 2  # 16-bit signed little-endian, mono
DEFAULT_VOICE = "gmw/en"  # espeak-ng's British English
PACED_WORDS = 8  # from this many words on, speech keeps close to the asked rate
MAX_INNER_SILENCE_MS = 1500.0  # espeak-ng's longest pause inside speech is about 0.3 s
# From this rate on espeak-ng speeds speech up afterwards (sonic), and its word events
# keep the times from before: they say nothing about where the audio ends.
SPED_UP_FROM_RATE = 450
# Told (engine, reason) when an engine process is replaced; the reason is "timeout"
# (missed its deadline), "crash" (died), "error" (answered with one) or "bad_audio"
# (its audio failed the checks of Pyttsx3Synthesizer._problem).
RestartHook = Callable[[str, str], None]


@dataclass(frozen=True)
class Clip:
    """Mono 16-bit PCM."""

    pcm: bytes
    sample_rate: int

    @property
    def duration_ms(self) -> float:
        return len(self.pcm) / SAMPLE_WIDTH / self.sample_rate * 1000


class Synthesizer(Protocol):
    def synthesize_many(self, texts: Iterable[str]) -> Iterator[Clip]:
        """One clip per text, in order. Implementations may work ahead."""
        ...

    def start(self) -> None:
        """Start the engine now, while other work goes on (else on first use)."""
        ...

    def at_rate(self, rate: int) -> Synthesizer:
        """The same engine, speaking at `rate` (words a minute) from now on."""
        ...

    def close(self) -> None: ...


def read_wav(path: Path) -> Clip:
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != SAMPLE_WIDTH or wav.getnchannels() != 1:
            raise SynthesisFailed(f"engine wrote an unexpected WAV format: {path.name}")
        return Clip(wav.readframes(wav.getnframes()), wav.getframerate())


@dataclass
class _Request:
    paragraph: int
    text: str
    path: Path
    attempts: int = 0


class Pyttsx3Synthesizer:
    """pyttsx3 in a killable child process, working one utterance ahead of the caller."""

    ENGINE = "espeak"

    def __init__(
        self,
        voice: str = DEFAULT_VOICE,
        rate: int = DEFAULT_RATE,
        *,
        timeout_s: float = 20.0,
        attempts: int = 3,
        lookahead: int = 2,
        on_restart: RestartHook | None = None,
    ) -> None:
        self.voice = voice
        self.rate = rate
        self.timeout_s = timeout_s
        self.attempts = attempts
        self.lookahead = lookahead
        self.on_restart = on_restart
        self._child: subprocess.Popen[bytes] | None = None
        self._child_ready = False
        self._unread = b""
        self._workdir = new_workdir()
        self._serial = 0

    # -- child process -------------------------------------------------------------------

    def _command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "workers.pipeline.engines.espeak_child",
            self.voice,
            str(self.rate),
        ]

    def _replace_if_dead(self) -> None:
        """Replace a child that died while idle (killed, out of memory). Only with nothing
        in flight: a child that dies with requests outstanding is left to `_await`, which
        resends them all to its successor in order (replaced by a later `_send`, the new
        child would answer a newer request where `_await` waits for an older one)."""
        if self._child is not None and self._child.poll() is not None:
            self._kill()
            self._restarted("crash")

    def _start(self) -> subprocess.Popen[bytes]:
        if self._child is None:
            self._child = subprocess.Popen(
                self._command(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            self._child_ready = False
            self._unread = b""
        return self._child

    def _kill(self) -> str:
        """Stop the child; return the last line it wrote to stderr (or its exit status)."""
        child, self._child = self._child, None
        if child is None:
            return ""
        if child.poll() is None:
            child.kill()
        child.wait()
        stderr = child.stderr.read().decode(errors="replace").strip() if child.stderr else ""
        for stream in (child.stdin, child.stdout, child.stderr):
            if stream:
                # a request written to a child that had died is still in stdin's buffer:
                # closing flushes it and raises (the descriptor is closed all the same)
                with contextlib.suppress(BrokenPipeError):
                    stream.close()
        return stderr.splitlines()[-1] if stderr else f"exit status {child.returncode}"

    def _restarted(self, reason: str) -> None:
        if self.on_restart is not None:
            self.on_restart(self.ENGINE, reason)

    def _send(self, request: _Request) -> None:
        child = self._start()
        asked = {"text": request.text, "path": str(request.path), "rate": self.rate}
        assert child.stdin is not None
        try:
            child.stdin.write((json.dumps(asked) + "\n").encode())
            child.stdin.flush()
        except BrokenPipeError:
            pass  # the child died; _receive notices and retries

    def _receive(self, deadline: float) -> dict | None:
        """The child's next reply, or None when it died or missed the deadline."""
        while True:
            line = self._read_line(deadline)
            if line is None:
                return None
            reply = json.loads(line)
            if not reply.get("ready"):
                return reply
            self._child_ready = True

    def _read_line(self, deadline: float) -> bytes | None:
        # Raw reads with our own buffer: a buffered reader can hold a whole reply that
        # select() then never reports as readable.
        child = self._child
        if child is None or child.stdout is None:
            return None
        fd = child.stdout.fileno()
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while b"\n" not in self._unread:
                if not selector.select(max(0.0, deadline - time.monotonic())):
                    return None
                chunk = os.read(fd, 65536)
                if not chunk:
                    return None
                self._unread += chunk
        line, _, self._unread = self._unread.partition(b"\n")
        return line

    # -- public ----------------------------------------------------------------------------

    def start(self) -> None:
        """Start the engine's process now rather than at the first utterance."""
        self._replace_if_dead()
        self._start()

    def at_rate(self, rate: int) -> Pyttsx3Synthesizer:
        """This engine, speaking at `rate` from the next utterance on: every request
        carries its rate, so one engine process serves every rate of its voice."""
        self.rate = rate
        return self

    def synthesize_many(self, texts: Iterable[str]) -> Iterator[Clip]:
        self._replace_if_dead()
        requests: Iterator[_Request] = self._requests(texts)
        in_flight: deque[_Request] = deque()
        parts: list[Clip] = []

        def fill() -> None:
            while len(in_flight) < self.lookahead:
                request = next(requests, None)
                if request is None:
                    return
                in_flight.append(request)
                self._send(request)

        try:
            fill()
            while in_flight:
                request = in_flight[0]
                parts.append(self._await(request, in_flight))
                in_flight.popleft()
                fill()
                # a paragraph is handed on as soon as its last utterance is in, so that
                # it is shaped and encoded while the engine speaks the next
                if not in_flight or in_flight[0].paragraph != request.paragraph:
                    yield _join(parts)
                    parts = []
        finally:
            if in_flight:  # left mid-way: their replies would answer the next call's requests
                self._kill()

    def _requests(self, texts: Iterable[str]) -> Iterator[_Request]:
        # imported here, as is the audio check's numpy: `narrate convert` starts the
        # engine's process before it loads them, so the two load side by side
        from workers.pipeline.speech.utterances import split_utterances

        for paragraph, text in enumerate(texts):
            for piece in split_utterances(text):
                yield _Request(paragraph, piece, self._new_path())

    def _new_path(self) -> Path:
        """A name never used before: a file left by a replaced engine is never taken for
        another attempt's audio."""
        self._serial += 1
        return self._workdir / f"u{self._serial}.wav"

    def _await(self, request: _Request, in_flight: deque[_Request]) -> Clip:
        """Wait for the oldest request; replace the child and resend on any failure."""
        while True:
            request.attempts += 1
            deadline = time.monotonic() + self.timeout_s + len(request.text) / 100
            reply = self._receive(deadline)
            if reply is None:
                timed_out = time.monotonic() >= deadline
                last_words = self._kill()
                if not timed_out and not self._child_ready:
                    raise EngineUnavailable(
                        f"the speech engine exited while starting ({last_words}); "
                        "is espeak-ng installed? (apt-get install espeak-ng)"
                    )
                reason = f"timed out after {self.timeout_s:.0f}s" if timed_out else last_words
                cause = "timeout" if timed_out else "crash"
            elif reply.get("ok"):
                clip = read_wav(request.path)
                request.path.unlink(missing_ok=True)
                problem = self._problem(request.text, clip, reply)
                if problem is None:
                    return clip
                reason, cause = problem, "bad_audio"
            else:
                self._raise_if_final(reply)
                reason, cause = reply.get("detail", "engine error"), "error"
            self._kill()
            self._restarted(cause)
            if request.attempts >= self.attempts:
                raise SynthesisFailed(
                    f"text {request.paragraph + 1} ({_snippet(request.text)}) could not be "
                    f"synthesised after {request.attempts} attempts ({reason})"
                )
            for pending in in_flight:  # the new child has seen none of them
                pending.path = self._new_path()
                self._send(pending)

    def _raise_if_final(self, reply: dict) -> None:
        """Errors a retry cannot fix."""
        if reply.get("error") == "engine-unavailable":
            self._kill()
            raise EngineUnavailable(reply.get("detail", "the speech engine did not start"))
        if reply.get("error") == "unknown-voice":
            self._kill()
            raise InvalidInput(
                f"unknown voice {self.voice!r}: use an espeak-ng voice id such as "
                f"'{DEFAULT_VOICE}' or a language code such as 'en-gb' or 'en-us' "
                "(`espeak-ng --voices=en` lists them)"
            )

    def _problem(self, text: str, clip: Clip, reply: dict) -> str | None:
        """What is wrong with the audio that came back for `text`, if anything: too short
        for its words, the engine's word events stopping before the last word, audio
        ending before the last word starts, or a long silence inside the speech. The word
        checks need an engine that reports word events (espeak-ng does; Piper does not)."""
        words = len(text.split())
        if clip.duration_ms < self._shortest_plausible_ms(text):
            return f"only {clip.duration_ms:.0f} ms of audio came back for {words} words"
        if "spoken_to" in reply:
            spoken_to = int(reply["spoken_to"])
            if spoken_to < _last_words_start(text):
                return f"the engine stopped at character {spoken_to} of {len(text)}"
            last_word_ms = int(reply.get("last_word_ms", 0))
            if self.rate < SPED_UP_FROM_RATE and last_word_ms > clip.duration_ms:
                return f"the audio ends at {clip.duration_ms:.0f} ms, before its last word"
        from workers.pipeline.audio.levels import longest_inner_silence_ms

        gap = longest_inner_silence_ms(clip.pcm, clip.sample_rate)
        if gap > MAX_INNER_SILENCE_MS:
            return f"{gap:.0f} ms of silence inside the speech"
        return None

    def _shortest_plausible_ms(self, text: str) -> float:
        """Less than this means speech was lost. espeak-ng took 0.7 to 1.8 times the time
        the words take at this rate on 281 news paragraphs (0.81 at the 1st percentile;
        0.81 at the least on the 212 utterances of tests/data/articles and the seed), so
        0.6 is safe for a sentence; a few words vary more (0.70 at the least there), so a
        third for those."""
        words = len(text.split())
        share = 0.6 if words >= PACED_WORDS else 1 / 3
        return words * 60_000 / self.rate * share

    def close(self) -> None:
        child = self._child
        if child is not None and child.poll() is None and child.stdin:
            try:
                child.stdin.close()
                child.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self._kill()
        shutil.rmtree(self._workdir, ignore_errors=True)

    def __enter__(self) -> Pyttsx3Synthesizer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _last_words_start(text: str) -> int:
    """1-based position where the text's last two words begin (what the engine's last
    word event must reach: espeak-ng reports some pairs, such as "per cent", as one
    word); 0 when there are none."""
    starts = [m.start() + 1 for m in re.finditer(r"\S*\w\S*", text)]
    return starts[-2] if len(starts) >= 2 else 0


def _snippet(text: str, length: int = 40) -> str:
    return repr(text if len(text) <= length else text[:length].rstrip() + "…")


def _join(parts: list[Clip]) -> Clip:
    if len(parts) == 1:
        return parts[0]
    rate = parts[0].sample_rate
    gap = bytes(int(rate * 0.25) * SAMPLE_WIDTH)  # a sentence-sized breath between pieces
    return Clip(gap.join(p.pcm for p in parts), rate)
