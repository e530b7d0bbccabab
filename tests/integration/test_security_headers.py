"""Every route's security and caching headers, route by route from the app's URL map,
so a route added later is checked too (give its URL variables a value below)."""

from __future__ import annotations

import re

import pytest

from tests.support.harness import run_jobs_in_process

pytestmark = pytest.mark.integration

WRITES = {"POST", "PUT", "DELETE", "PATCH"}


@pytest.fixture
def served(settings, tmp_path):
    from service.app import create_app

    configured = settings.with_overrides(public_url="https://listen.news.example")
    app = create_app({"TESTING": True, "NARRATE_SETTINGS": configured})
    client = app.test_client()
    article = client.post(
        "/api/v1/articles",
        json={"title": "Ferry fares", "text": "Fares rise in April.", "collection": "news"},
    ).get_json()
    batch = client.post("/api/v1/batches", json=[{"title": "B", "text": "Batch."}]).get_json()
    run_jobs_in_process(configured, tmp_path)
    values = {
        "article_id": article["id"],
        "batch_id": batch["id"],
        "name": "news",
        "key_id": "00000000",  # no such key: a 404
        "filename": "missing.css",
        "kind": "artwork",  # a JSON body is not an image: a 4xx
        "file_name": "missing.jpg",
        "version": "0000000000",  # embed.<version>.js: an old version is still served
        "revision": "1",
        "index": "0",  # the article's first paragraph segment
    }
    return app, client, values


def requests_for(app, values):
    for rule in app.url_map.iter_rules():
        missing = rule.arguments - values.keys()
        assert not missing, f"give {rule.rule}'s {missing} a value in this test"
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(?:[a-z]+:)?{name}>", values[name], path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, path


def test_every_route_sends_security_and_cache_headers(served):
    app, client, values = served
    seen = set()
    # deletes last: they take the article and the batch away from the other routes
    for endpoint, method, path in sorted(
        requests_for(app, values), key=lambda r: (r[1] == "DELETE", r)
    ):
        body = {"json": {"title": "T", "text": "Some text."}} if method in WRITES else {}
        response = client.open(path, method=method, **body)
        headers = response.headers
        where = f"{method} {path} ({response.status_code})"
        assert headers["X-Content-Type-Options"] == "nosniff", where
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin", where
        assert headers["Strict-Transport-Security"].startswith("max-age="), where
        policy = headers["Content-Security-Policy"]
        frameable = endpoint == "player.iframe_player"
        if response.mimetype == "text/html":
            check_page(response, policy, frameable, where)
        else:
            assert "frame-ancestors 'none'" in policy, where
        if not frameable:
            assert headers["X-Frame-Options"] == "DENY", where
        cache = headers["Cache-Control"]
        if method in WRITES or response.status_code >= 400:
            assert "no-store" in cache, where
        else:
            assert "no-store" not in cache, where  # readers' players may keep it
        seen.add(endpoint)
    assert {"player.index", "player.iframe_player", "api.audio", "feeds.feed"} <= seen


def check_page(response, policy: str, frameable: bool, where: str) -> None:
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    script = directives["script-src"]
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, where
    (nonce,) = re.findall(r"'nonce-([^']+)'", script)
    html = response.get_data(as_text=True)
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or f'nonce="{nonce}"' in tag, f"{where}: inline {tag} lacks nonce"
    assert directives["style-src"] == f"'self' 'nonce-{nonce}'", where  # no 'unsafe-inline'
    for tag in re.findall(r"<style\b[^>]*>", html):
        assert f'nonce="{nonce}"' in tag, f"{where}: inline {tag} lacks nonce"
    assert not re.search(r"<[^>]+\sstyle=", html), f"{where}: a style attribute is refused"
    assert directives["frame-ancestors"] == ("*" if frameable else "'none'"), where
    assert directives["object-src"] == "'none'", where


def test_each_page_gets_its_own_nonce(served):
    _, client, _ = served
    policies = {client.get("/").headers["Content-Security-Policy"] for _ in range(3)}
    assert len(policies) == 3


def test_answers_to_a_key_holder_are_never_kept_by_shared_caches(served):
    _, client, values = served
    response = client.get(
        f"/api/v1/articles/{values['article_id']}", headers={"Authorization": "Bearer x"}
    )
    assert response.headers["Cache-Control"] == "private, no-store"


def test_frame_ancestors_of_the_iframe_player_are_configurable(settings):
    from service.app import create_app

    configured = settings.with_overrides(frame_ancestors="https://news.example")
    client = create_app({"TESTING": True, "NARRATE_SETTINGS": configured}).test_client()
    article = client.post("/api/v1/articles", json={"title": "T", "text": "Body."}).get_json()
    policy = client.get(f"/player/{article['id']}").headers["Content-Security-Policy"]
    assert "frame-ancestors https://news.example" in policy
    assert "Strict-Transport-Security" not in client.get("/").headers  # http public URL
