"""The API's files served from an S3 bucket (moto's server on loopback): the tests
of media, Range, ETag, visibility and signed links, feeds and archives that run on the
local directory elsewhere, collected here again with `settings` pointing at a bucket,
and what only a bucket shows."""

from __future__ import annotations

import pytest

from tests.integration.conftest import run_jobs_in_process
from tests.integration.test_api import (  # noqa: F401  (collected again on S3)
    post_seed,
    test_audio_download_with_range_etag_and_file_name,
    test_health_and_readiness,
    test_timings_and_captions,
)
from tests.integration.test_auth import (  # noqa: F401
    keyed,
    published,
    test_anonymous_readers_get_only_what_the_player_needs,
    test_private_articles_do_not_exist_for_anonymous_readers,
    test_private_media_reach_a_player_through_short_lived_signed_links,
)
from tests.integration.test_batches import (  # noqa: F401
    test_archive_streams_finished_mp3s_timings_and_a_manifest,
)
from tests.integration.test_webhooks_and_feeds import test_podcast_feed_per_collection  # noqa: F401
from tests.object_store import bucket_contents
from workers.config import Settings

pytestmark = pytest.mark.integration


@pytest.fixture
def settings(settings: Settings, s3_endpoint: str, s3_bucket: str) -> Settings:
    return settings.with_overrides(s3_bucket=s3_bucket, s3_prefix="n/", s3_endpoint_url=s3_endpoint)


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
