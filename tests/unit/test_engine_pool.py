from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator

import pytest

from tests.support.engines import FakeEngineSynthesizer
from workers.pipeline.engines.synth import Clip
from workers.runtime.engine_pool import EnginePool


class Engine:
    """A synthesiser that counts characters into silence and remembers being closed."""

    def __init__(self, voice: str, rate: int, pause_s: float = 0.0) -> None:
        self.voice, self.rate, self.pause_s = voice, rate, pause_s
        self.closed = self.started = False

    def synthesize_many(self, texts: Iterable[str]) -> Iterator[Clip]:
        for text in texts:
            time.sleep(self.pause_s)
            assert not self.closed, "spoke after close"
            yield Clip(bytes(2 * len(text)), 22050)

    def start(self) -> None:
        self.started = True

    def at_rate(self, rate: int) -> Engine:
        self.rate = rate
        return self

    def close(self) -> None:
        self.closed = True


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Made(list):
    """Every engine a pool made, in order."""

    def __init__(self, pause_s: float = 0.0) -> None:
        super().__init__()
        self.pause_s = pause_s

    def __call__(self, voice: str, rate: int) -> Engine:
        self.append(Engine(voice, rate, self.pause_s))
        return self[-1]

    def open(self) -> list[str]:
        return [engine.voice for engine in self if not engine.closed]


@pytest.fixture
def clock():
    return Clock()


def pool_of(made, clock=time.monotonic, *, max_engines=2, idle_s=60.0, counts=None):
    pool = EnginePool(
        made,
        max_engines=max_engines,
        idle_s=idle_s,
        clock=clock,
        on_count=counts.append if counts is not None else None,
    )
    return pool


def speak(pool: EnginePool, voice: str, rate: int = 175) -> int:
    return len(list(pool.checkout(voice, rate).synthesize_many(["one", "two"])))


def test_engines_are_made_at_first_use_and_reused_at_every_rate(clock):
    made = Made()
    pool = pool_of(made, clock)
    lease = pool.checkout("a", 175)
    assert made == []  # nothing until it speaks
    assert speak(pool, "a", 175) == 2
    assert speak(pool, "a", 300) == 2
    assert [e.voice for e in made] == ["a"]
    assert made[0].rate == 300
    lease.start()
    assert made[0].started and made[0].rate == 175  # the lease's own rate
    assert pool.live() == 1
    pool.close()


def test_the_least_recently_used_engine_is_closed_beyond_the_bound(clock):
    made, counts = Made(), []
    pool = pool_of(made, clock, counts=counts)
    speak(pool, "a")
    speak(pool, "b")
    speak(pool, "a")  # b is now the least recently used
    speak(pool, "c")
    assert made.open() == ["a", "c"]
    assert pool.live() == 2
    assert counts[-1] == 2 and max(counts) == 2
    pool.close()
    assert made.open() == []
    assert counts[-1] == 0


def test_an_engine_in_use_is_never_closed_for_the_bound(clock):
    made = Made()
    pool = pool_of(made, clock, max_engines=1)
    speaking = pool.checkout("a", 175).synthesize_many(["one", "two"])
    next(speaking)  # a is speaking, between utterances
    speak(pool, "b")  # over the bound while a speaks: a stays
    assert made.open() == ["a", "b"]
    assert len(list(speaking)) == 1
    speak(pool, "c")  # b is idle and least recent: closed; a idle too, closed
    assert made.open() == ["c"]
    pool.close()


def test_an_idle_engine_is_closed_at_the_next_checkout(clock):
    made, counts = Made(), []
    pool = pool_of(made, clock, idle_s=60, counts=counts)
    speak(pool, "a")
    speak(pool, "b")
    clock.now += 30
    speak(pool, "b")
    clock.now += 30
    pool.checkout("c", 175)  # a idle 60 s: closed; b idle 30 s: kept
    assert made.open() == ["b"]
    assert counts[-1] == pool.live() == 1
    pool.close()


def test_no_engine_is_closed_while_it_speaks_however_long(clock):
    made = Made()
    pool = pool_of(made, clock, idle_s=60)
    speaking = pool.checkout("a", 175).synthesize_many(["one", "two", "three"])
    next(speaking)
    clock.now += 3600
    pool.close_idle()
    pool.checkout("b", 175)
    assert made.open() == ["a"]
    assert len(list(speaking)) == 2
    pool.close_idle()
    assert made.open() == ["a"]  # idle from its last utterance, not from its checkout
    clock.now += 60
    pool.close_idle()
    assert made.open() == []
    assert pool.live() == 0


def test_a_lease_taken_before_its_engine_closed_speaks_with_a_new_one(clock):
    made = Made()
    pool = pool_of(made, clock, idle_s=60)
    lease = pool.checkout("a", 175)
    assert speak(pool, "a") == 2
    clock.now += 60
    pool.close_idle()
    assert made.open() == []
    assert len(list(lease.synthesize_many(["again"]))) == 1
    assert len(made) == 2 and made.open() == ["a"]
    pool.close()


def test_the_timer_closes_idle_engines_with_no_further_checkout():
    made, counts = Made(), []
    pool = pool_of(made, idle_s=0.3, counts=counts)
    speak(pool, "a")
    speak(pool, "b")
    assert made.open() == ["a", "b"]
    deadline = time.monotonic() + 10
    while made.open():
        assert time.monotonic() < deadline, "idle engines still open after 10 s"
        time.sleep(0.05)
    assert pool.live() == 0 and counts[-1] == 0
    speak(pool, "a")  # and the pool still works: a new engine, closed by a new timer
    assert made.open() == ["a"]
    while made.open():
        assert time.monotonic() < deadline, "the second engine is still open"
        time.sleep(0.05)
    pool.close()


def test_the_timer_never_closes_an_engine_mid_synthesis():
    """Each utterance takes longer than the idle timeout: the timer fires while the
    engine speaks (Engine asserts it was not closed before each clip) and closes it only
    once the synthesis is over and a timeout has passed."""
    made = Made(pause_s=0.25)
    pool = pool_of(made, idle_s=0.1)
    speak(pool, "b")  # an idle engine keeps a timer going throughout
    fired = threading.Event()
    original = pool.close_idle

    def close_idle() -> None:
        fired.set()
        original()

    pool.close_idle = close_idle  # type: ignore[method-assign]
    assert len(list(pool.checkout("a", 175).synthesize_many(["x"] * 6))) == 6
    assert fired.is_set()
    assert made[0].closed  # b, by the timer, while a spoke
    deadline = time.monotonic() + 10
    while made.open():
        assert time.monotonic() < deadline, "the engine was not closed after its synthesis"
        time.sleep(0.05)


def test_a_real_engine_process_closed_when_idle_restarts_at_next_use(tmp_path, clock):
    engines: list[FakeEngineSynthesizer] = []

    def make(voice: str, rate: int) -> FakeEngineSynthesizer:
        engines.append(FakeEngineSynthesizer("ok", tmp_path / "count", rate=rate))
        return engines[-1]

    pool = EnginePool(make, max_engines=3, idle_s=60, clock=clock)
    lease = pool.checkout("gmw/en", 175)
    assert [round(c.duration_ms) for c in lease.synthesize_many(["one two"])] == [600]
    child = engines[0]._child
    assert child is not None and child.poll() is None
    clock.now += 60
    pool.close_idle()
    assert child.poll() is not None  # the process has exited
    assert not engines[0]._workdir.exists()
    assert [round(c.duration_ms) for c in lease.synthesize_many(["one two three"])] == [900]
    assert len(engines) == 2
    pool.close()
    assert engines[1]._child is None
