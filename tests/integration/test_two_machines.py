"""Two machines on one box: a web app and a real `celery worker` with different data
directories, sharing only Redis, PostgreSQL and an S3 bucket (moto's server on
loopback). Anything that went through the local filesystem instead of the bucket
would find nothing on the other side."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.harness import run_worker
from tests.support.object_store import bucket_contents
from tests.support.paths import SEED, SEED_EXPECTED
from tests.support.settings import settings_for
from tests.support.waits import wait_for
from workers.config import Settings

pytestmark = pytest.mark.integration

EXPECTED = SEED_EXPECTED.read_text(encoding="utf-8").strip().split("\n\n")
AUDIO_SUFFIXES = {".mp3", ".json", ".vtt", ".pcm"}


def machine(data_dir: Path, shared: dict[str, str]) -> Settings:
    return settings_for(
        data_dir,
        shared["database"],
        shared["redis"],
        s3_bucket=shared["bucket"],
        s3_prefix="narrate/",
        s3_endpoint_url=shared["s3"],
        webhook_secret="test-secret",
    )


def files_in(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.is_file() and p.suffix in AUDIO_SUFFIXES]


def test_web_and_worker_share_only_redis_postgresql_and_the_bucket(
    tmp_path: Path, broker, redis_url: str, postgres_url: str, s3_endpoint: str, s3_bucket: str
):
    from service.app import create_app

    shared = {"database": postgres_url, "redis": redis_url, "s3": s3_endpoint, "bucket": s3_bucket}
    web = machine(tmp_path / "web", shared)
    worker = machine(tmp_path / "worker", shared)
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
