"""Where things are: the checkout, the seed article and its expected text, test data,
and the folder tests leave files worth a look in."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_4b34dbe536c86be2.txt"
SEED_EXPECTED = ROOT / "seeds" / "000_4b34dbe536c86be2.expected.txt"
DATA = ROOT / "tests" / "data"
ARTIFACTS = ROOT / "tests" / "artifacts"
