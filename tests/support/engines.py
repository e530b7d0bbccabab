"""The fake speech engine for tests: the real process management of Pyttsx3Synthesizer
around tests/support/fake_engine.py, a script that speaks synth_child's protocol."""

from __future__ import annotations

import sys
from pathlib import Path

from workers.pipeline.engines.synth import Pyttsx3Synthesizer

FAKE_ENGINE = Path(__file__).with_name("fake_engine.py")


class FakeEngineSynthesizer(Pyttsx3Synthesizer):
    """The real process management around tests/support/fake_engine.py."""

    def __init__(self, mode: str, state: Path, **kwargs) -> None:
        super().__init__(**kwargs)
        self.mode, self.state = mode, state

    def _command(self) -> list[str]:
        return [sys.executable, str(FAKE_ENGINE), self.mode, str(self.state)]
