"""Absolute links come from NARRATE_PUBLIC_URL, never from the request's Host header."""

from __future__ import annotations

import json

import pytest

from tests.support.harness import run_jobs_in_process

pytestmark = pytest.mark.integration

PUBLIC = "https://listen.news.example"
EVIL = {"Host": "evil.example"}


@pytest.fixture
def public_app(settings):
    from service.app import create_app

    configured = settings.with_overrides(public_url=PUBLIC)
    return create_app({"TESTING": True, "NARRATE_SETTINGS": configured}), configured


def test_a_forged_host_never_reaches_links_feeds_or_oembed(public_app, tmp_path):
    app, settings = public_app
    client = app.test_client()
    posted = client.post(
        "/api/v1/articles",
        json={
            "title": "Ferry fares",
            "text": "Fares rise in April.",
            "collection": "news",
            "visibility": "public",
        },
        headers=EVIL,
    )
    article = posted.get_json()
    assert posted.headers["Location"].startswith(PUBLIC)
    run_jobs_in_process(settings, tmp_path)
    answers = [
        client.get(f"/api/v1/articles/{article['id']}", headers=EVIL),
        client.get("/api/v1/articles", headers=EVIL),
        client.get("/feeds/news.xml", headers=EVIL),
        client.get("/oembed", query_string={"url": article["links"]["player"]}, headers=EVIL),
        client.post(
            "/api/v1/batches", json=[{"title": "B", "text": "Batch text."}], headers=EVIL
        ),
    ]
    for answer in answers:
        assert answer.status_code < 300, answer.data
        assert b"evil.example" not in answer.data
        assert "evil.example" not in json.dumps(dict(answer.headers))
    assert all(link.startswith(f"{PUBLIC}/") for link in article["links"].values())
    audio = f'url="{PUBLIC}/api/v1/articles/{article["id"]}/audio.mp3?revision=1"'
    assert audio.encode() in answers[2].data


def test_trusted_hosts_refuse_other_host_headers(settings):
    from service.app import create_app

    configured = settings.with_overrides(trusted_hosts=("listen.news.example",))
    client = create_app({"TESTING": True, "NARRATE_SETTINGS": configured}).test_client()
    refused = client.get("/api/v1/articles", headers=EVIL)
    assert refused.status_code == 400
    assert refused.mimetype == "application/problem+json"
    trusted = client.get("/api/v1/articles", headers={"Host": "listen.news.example"})
    assert trusted.status_code == 200
