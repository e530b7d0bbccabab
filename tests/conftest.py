from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_4b34dbe536c86be2.txt"
SEED_EXPECTED = ROOT / "seeds" / "000_4b34dbe536c86be2.expected.txt"
DATA = Path(__file__).resolve().parent / "data"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where tests leave files worth a look (MP3s, transcripts); ignored by git."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
