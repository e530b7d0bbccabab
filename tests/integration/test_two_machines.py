"""Two machines on one box: a web app and a real `celery worker` with different data
directories, sharing only Redis, PostgreSQL and an S3 bucket (moto's server on
loopback). Anything that went through the local filesystem instead of the bucket
would find nothing on the other side."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import SEED, SEED_EXPECTED
from tests.integration.conftest import (
    BROKER_PREFIX,
    POSTGRES_URL,
    REDIS_URL,
    UNLIMITED,
    _reset_database,
    run_worker,
)
from tests.integration.test_worker import wait_for
from tests.object_store import bucket_contents
from workers.config import Settings

pytestmark = pytest.mark.integration

EXPECTED = SEED_EXPECTED.read_text(encoding="utf-8").strip().split("\n\n")
AUDIO_SUFFIXES = {".mp3", ".json", ".vtt", ".pcm"}


def machine(data_dir: Path, s3_endpoint: str, s3_bucket: str) -> Settings:
    return Settings(
        data_dir=data_dir,
        database_url=POSTGRES_URL,
        redis_url=REDIS_URL,
        broker_prefix=BROKER_PREFIX,
        s3_bucket=s3_bucket,
        s3_prefix="narrate/",
        s3_endpoint_url=s3_endpoint,
        webhook_secret="test-secret",
        **UNLIMITED,
    )


def files_in(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.is_file() and p.suffix in AUDIO_SUFFIXES]


def test_web_and_worker_share_only_redis_postgresql_and_the_bucket(
    tmp_path: Path, broker, s3_endpoint: str, s3_bucket: str
):
    from service.app import create_app

    _reset_database(POSTGRES_URL)
    web = machine(tmp_path / "web", s3_endpoint, s3_bucket)
    worker = machine(tmp_path / "worker", s3_endpoint, s3_bucket)
    client = create_app({"TESTING": True, "NARRATE_SETTINGS": web}).test_client()
    with contextmanager(run_worker)(worker, tmp_path, concurrency=2):
        created = client.post("/api/v1/articles", json={"text": SEED.read_text(encoding="utf-8")})
        assert created.status_code == 202
        article = created.get_json()
        wait_for(client, article["links"]["self"], "done")

    stored = bucket_contents(s3_endpoint, s3_bucket)
    prefix = f"narrate/articles/{article['id']}/1"
    assert {key for key in stored if key.startswith("narrate/articles/")} == {
        f"{prefix}.mp3",
        f"{prefix}.json",
        f"{prefix}.vtt",
    }
    segments = [key for key in stored if key.startswith("narrate/segments/")]
    assert len(segments) == len(EXPECTED)  # kept in the bucket for the next revision

    whole = client.get(article["links"]["audio"])
    assert whole.status_code == 200 and whole.data[:3] == b"ID3"
    assert whole.data == stored[f"{prefix}.mp3"]
    size = len(whole.data)
    part = client.get(
        article["links"]["audio"], headers={"Range": f"bytes={size // 3}-{size // 2}"}
    )
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes {size // 3}-{size // 2}/{size}"
    assert part.data == whole.data[size // 3 : size // 2 + 1]
    timings = client.get(article["links"]["timings"])
    assert timings.data == stored[f"{prefix}.json"]
    assert [p["text"] for p in timings.get_json()["paragraphs"]] == EXPECTED
    captions = client.get(article["links"]["captions"])
    assert captions.data == stored[f"{prefix}.vtt"] and captions.data.startswith(b"WEBVTT")

    assert files_in(tmp_path / "web") == []
    assert files_in(tmp_path / "worker") == []
    assert not web.audio_dir.exists() and not worker.audio_dir.exists()
