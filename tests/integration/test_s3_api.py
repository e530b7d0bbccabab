"""The API's files served from an S3 bucket (moto's server on loopback): what only a
bucket shows. The tests of media, Range, ETag, visibility and signed links, feeds and
archives that run on the local directory are marked `also_on_s3` where they are, and
run a second time with `settings` pointing at a bucket."""

from __future__ import annotations

import pytest

from tests.support.articles import post_seed
from tests.support.harness import run_jobs_in_process
from tests.support.object_store import bucket_contents
from workers.config import Settings

pytestmark = [pytest.mark.integration, pytest.mark.parametrize("storage", ["s3"], indirect=True)]


def test_media_come_from_the_bucket_and_nothing_from_the_data_directory(
    client, settings: Settings, tmp_path
):
    created = post_seed(client).get_json()
    run_jobs_in_process(settings, tmp_path)
    stored = bucket_contents(settings.s3_endpoint_url or "", settings.s3_bucket or "")
    prefix = f"n/articles/{created['id']}/1"
    assert client.get(created["links"]["audio"]).data == stored[f"{prefix}.mp3"]
    assert client.get(created["links"]["timings"]).data == stored[f"{prefix}.json"]
    assert client.get(created["links"]["captions"]).data == stored[f"{prefix}.vtt"]
    assert not settings.audio_dir.exists()

    assert client.delete(created["links"]["self"]).status_code == 204
    left = bucket_contents(settings.s3_endpoint_url or "", settings.s3_bucket or "")
    assert left == {}  # its files, and the clips nothing else needs


def test_readiness_fails_when_the_bucket_is_missing(settings: Settings):
    from service.app import create_app

    missing = settings.with_overrides(s3_bucket="no-such-bucket-here")
    response = (
        create_app({"TESTING": True, "NARRATE_SETTINGS": missing}).test_client().get("/readyz")
    )
    assert response.status_code == 503
    assert response.get_json()["checks"]["storage"] is False
