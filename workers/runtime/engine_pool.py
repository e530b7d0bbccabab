"""The engines of one worker process: a few at most, each closed once nobody has used it
for a while, and started again at its next use.

An engine (a `Synthesizer`, one per voice) owns a child process and, for Piper, about
350 MB of voice. `checkout(voice, rate)` hands out a `Lease`: the lease takes the engine
from the pool only while it speaks (while its `synthesize_many` runs), so the engine it
speaks with is always open, even if the one it was checked out against was closed since.
An engine no lease is speaking with is closed once idle `idle_s`: at the next checkout,
or by a timer, so a worker that is sent nothing more frees the memory too. The timer
runs in its own thread; the lock and the in-use count keep it from closing an engine
that is speaking.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from workers.pipeline.engines.synth import Clip, Synthesizer

Make = Callable[[str, int], Synthesizer]  # (voice, rate) -> a new engine, not yet started


@dataclass
class _Engine:
    synthesizer: Synthesizer
    last_used: float
    in_use: int = 0


class EnginePool:
    def __init__(
        self,
        make: Make,
        *,
        max_engines: int,
        idle_s: float,
        on_count: Callable[[int], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._make = make
        self.max_engines = max_engines
        self.idle_s = idle_s
        self._on_count = on_count  # told the number of open engines when it changes
        self._clock = clock
        self._lock = threading.Lock()
        self._engines: OrderedDict[str, _Engine] = OrderedDict()  # least recent first
        self._timer: threading.Timer | None = None

    def checkout(self, voice: str, rate: int) -> Lease:
        """The voice's engine at `rate` (a `jobs.SynthesizerFor`); closes idle engines."""
        self.close_idle()
        return Lease(self, voice, rate)

    def live(self) -> int:
        with self._lock:
            return len(self._engines)

    def close_idle(self) -> None:
        """Close every engine idle `idle_s` or longer and not in use."""
        with self._lock:
            now = self._clock()
            idle = [
                voice
                for voice, engine in self._engines.items()
                if not engine.in_use and now - engine.last_used >= self.idle_s
            ]
            closing = self._remove(idle)
            self._schedule()
        _close(closing)

    def close(self) -> None:
        """Close every engine (at exit)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            closing = self._remove(list(self._engines))
        _close(closing)

    @contextmanager
    def using(self, voice: str, rate: int) -> Iterator[Synthesizer]:
        """The voice's engine, at `rate` and marked in use for the block: started anew if
        it was closed; the least recently used idle engines beyond the bound are closed."""
        with self._lock:
            engine = self._engines.get(voice)
            if engine is None:
                engine = self._engines[voice] = _Engine(self._make(voice, rate), self._clock())
            self._engines.move_to_end(voice)
            engine.in_use += 1
            spare = [v for v, e in self._engines.items() if not e.in_use]
            closing = self._remove(spare[: max(0, len(self._engines) - self.max_engines)])
        _close(closing)
        try:
            yield engine.synthesizer.at_rate(rate)
        finally:
            with self._lock:
                engine.in_use -= 1
                engine.last_used = self._clock()
                self._schedule()

    # -- under the lock ------------------------------------------------------------------

    def _remove(self, voices: list[str]) -> list[Synthesizer]:
        removed = [self._engines.pop(voice).synthesizer for voice in voices]
        if self._on_count is not None:
            self._on_count(len(self._engines))
        return removed

    def _schedule(self) -> None:
        """A timer for the first idle engine's expiry, unless one is set already."""
        idle = [e.last_used for e in self._engines.values() if not e.in_use]
        if self._timer is not None or not idle:
            return
        delay = max(0.0, min(idle) + self.idle_s - self._clock())
        self._timer = threading.Timer(delay, self._expire)
        self._timer.daemon = True  # a worker's exit never waits for it
        self._timer.start()

    def _expire(self) -> None:
        with self._lock:
            self._timer = None
        self.close_idle()  # sets the next timer, if any engine is still open and idle


def _close(synthesizers: list[Synthesizer]) -> None:
    """Outside the lock: closing waits for the child to exit (up to 2 s)."""
    for synthesizer in synthesizers:
        synthesizer.close()


class Lease:
    """A `Synthesizer` for the rest of the pipeline: a voice and rate whose engine is
    taken from the pool while it speaks. The pool owns the engine: `close` is a no-op."""

    def __init__(self, pool: EnginePool, voice: str, rate: int) -> None:
        self.pool, self.voice, self.rate = pool, voice, rate

    def synthesize_many(self, texts: Iterable[str]) -> Iterator[Clip]:
        with self.pool.using(self.voice, self.rate) as synthesizer:
            yield from synthesizer.synthesize_many(texts)

    def start(self) -> None:
        with self.pool.using(self.voice, self.rate) as synthesizer:
            synthesizer.start()

    def at_rate(self, rate: int) -> Lease:
        return Lease(self.pool, self.voice, rate)

    def close(self) -> None:
        pass
