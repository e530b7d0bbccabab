"""workers.links, where every absolute link to an article is built: each of its paths is
a route of the app, and the API, webhooks and the playlist all take theirs from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from workers import links
from workers.config import Settings

PUBLIC = "https://listen.example/base/"
# what each named link must reach in the app
ENDPOINTS = {
    "self": "api.get_article",
    "status": "status.get_status",
    "audio": "api.audio",
    "timings": "api.timings",
    "captions": "api.captions",
    "chapters": "feeds.chapters_of",
    "segments": "progressive.segment_list",
    "next": "playlist.next_article",
    "page": "player.article_page",
    "player": "player.iframe_player",
}


@pytest.fixture
def app(tmp_path: Path):
    from service.app import create_app

    settings = Settings(
        data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'n.db'}", redis_url=None
    )
    return create_app({"TESTING": True, "NARRATE_SETTINGS": settings})


def test_every_article_link_is_the_route_it_names(app):
    adapter = app.url_map.bind("listen.example")
    assert set(links.ARTICLE_PATHS) == set(ENDPOINTS)
    for name, endpoint in ENDPOINTS.items():
        path = links.ARTICLE_PATHS[name].format(id="abc123")
        assert adapter.match(path) == (endpoint, {"article_id": "abc123"}), name
    segment = links.SEGMENT_PATH.format(id="abc123", revision=2, index=5)
    assert adapter.match(segment) == (
        "progressive.segment",
        {"article_id": "abc123", "revision": 2, "index": 5},
    )


def test_a_collection_image_link_is_the_route_that_serves_it(app):
    adapter = app.url_map.bind("listen.example")
    url = links.collection_image_link(PUBLIC, "news", "abc.jpg")
    assert url == "https://listen.example/base/api/v1/collections/news/images/abc.jpg"
    path = links.COLLECTION_IMAGE_PATH.format(name="news", file_name="abc.jpg")
    assert adapter.match(path) == ("collections.image", {"name": "news", "file_name": "abc.jpg"})


def test_links_are_under_the_public_url_only():
    built = links.article_links(PUBLIC, "abc123", tuple(links.ARTICLE_PATHS))
    assert built["audio"] == "https://listen.example/base/api/v1/articles/abc123/audio.mp3"
    assert built["page"] == "https://listen.example/base/articles/abc123"
    assert all(url.startswith("https://listen.example/base/") for url in built.values())


def test_webhooks_and_the_api_share_one_builder(app):
    from service.links import links_of
    from workers.catalog.models import ArticleRow

    settings = app.extensions["narrate.settings"]
    row = ArticleRow(id="abc123", visibility="public", collection="news")
    with app.test_request_context(headers={"Host": "evil.example"}):
        assert links_of(row) == settings.article_links("abc123")
