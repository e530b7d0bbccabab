from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.object_store import FAKE_AWS, UNSET_AWS, moto_server, new_bucket

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


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory) -> Iterator[str]:
    """moto's S3 server on loopback for the session, with fake credentials in the
    environment (which the worker processes the tests start inherit)."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in FAKE_AWS.items():
            patch.setenv(name, value)
        for name in UNSET_AWS:
            patch.delenv(name, raising=False)
        with moto_server(tmp_path_factory.mktemp("moto") / "moto.log") as url:
            yield url


@pytest.fixture
def s3_bucket(s3_endpoint: str) -> str:
    """A new, empty bucket on the session's S3 server."""
    return new_bucket(s3_endpoint)
