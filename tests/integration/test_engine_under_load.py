"""Speech from the real engine is whole on a loaded machine.

Once, on a busy machine, the seed came out at 1:45.3 instead of 1:58.0: exactly its
length at 200 words a minute. pyttsx3's driver runs espeak-ng asynchronously, and the
rate it was given was a command queued to espeak's thread that a cancel in the driver
discarded when that thread was late. Measured before the fix, with two busy loops on
two cores: 1 of 100 fresh engine processes spoke at the wrong rate. The engine now runs
espeak-ng synchronously (see synth_child.py); these tests keep both cores busy while
engines start and speak, and require every clip to be exactly what a quiet machine makes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.paths import SEED
from workers.pipeline.clean.cleaner import clean
from workers.pipeline.engines.synth import Pyttsx3Synthesizer
from workers.pipeline.speaking import spoken_paragraphs

pytestmark = pytest.mark.integration

FRESH_ENGINES = 40  # the race was at an engine's start; each start is a new chance


@pytest.fixture(scope="module")
def seed_paragraphs() -> list[str]:
    return [spoken for _, spoken in spoken_paragraphs(clean(SEED.read_text(encoding="utf-8")))]


def _frames(texts: list[str]) -> list[int]:
    with Pyttsx3Synthesizer() as synth:
        return [len(clip.pcm) // 2 for clip in synth.synthesize_many(texts)]


@pytest.fixture
def both_cores_busy() -> Iterator[None]:
    loops = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        yield
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()


@pytest.fixture(scope="module")
def quiet_reference(seed_paragraphs) -> list[int]:
    """espeak-ng is deterministic: the same text at the same rate is the same samples."""
    return _frames(seed_paragraphs)


def test_every_clip_is_whole_while_both_cores_are_busy(
    seed_paragraphs, quiet_reference, both_cores_busy
):
    first_three = seed_paragraphs[:3]
    wrong = []
    for attempt in range(FRESH_ENGINES):
        frames = _frames(first_three)
        if frames != quiet_reference[:3]:
            wrong.append((attempt, frames))
    assert wrong == [], f"clips differ from the quiet machine's {quiet_reference[:3]}"


def _convert_seed(out: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "convert", str(SEED), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(out.with_suffix(".timings.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def quiet_seed(tmp_path_factory) -> dict:
    return _convert_seed(tmp_path_factory.mktemp("quiet") / "seed.mp3")


def test_the_seed_converts_whole_while_both_cores_are_busy(tmp_path, quiet_seed, both_cores_busy):
    loaded = _convert_seed(tmp_path / "seed.mp3")
    assert [(p["start_ms"], p["end_ms"]) for p in loaded["paragraphs"]] == [
        (p["start_ms"], p["end_ms"]) for p in quiet_seed["paragraphs"]
    ]
    assert loaded["duration_ms"] == quiet_seed["duration_ms"]
