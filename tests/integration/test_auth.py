"""API keys with scopes and collections, article visibility, and what an anonymous
reader of a protected service can reach, route by route."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.harness import clean_submitted, run_jobs_in_process
from tests.support.keys import bearer
from tests.support.openapi_check import conforms
from workers.catalog.db import session_scope
from workers.catalog.keys import create_key, revoke_key
from workers.catalog.models import ApiKeyRow

pytestmark = pytest.mark.integration

TOKENS = ("current-token-7f3a", "next-token-91bc")
ARTICLE = {"text": "Headline\n\nThe council approved the new harbour wall on Friday."}
PRIVATE_FIELDS = ("external_id", "source_url", "paragraphs", "removed", "webhooks", "error")



@pytest.fixture
def guarded(settings):
    """A service protected by NARRATE_API_TOKENS, which act as admin keys."""
    from service.app import create_app

    app = create_app(
        {"TESTING": True, "NARRATE_SETTINGS": settings.with_overrides(api_tokens=TOKENS)}
    )
    return app.test_client()


@pytest.fixture
def keyed(app, settings):
    """A service protected by keys in the catalog: one of each scope, and one for news."""
    with session_scope(settings.database_url) as session:
        keys = {
            scope: create_key(session, f"{scope} key", scope)[1]
            for scope in ("read", "write", "admin")
        }
        keys["news"] = create_key(session, "newsdesk", "write", ["news"])[1]
    return app.test_client(), keys


def test_a_change_without_a_key_is_refused_and_says_what_to_send(guarded):
    refused = guarded.post("/api/v1/articles", json=ARTICLE)
    body = conforms(refused, "/api/v1/articles", "post")
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"] == 'Bearer realm="narrate"'
    assert "Authorization: Bearer KEY" in body["detail"]
    assert "narrate keys create" in body["detail"]
    assert guarded.get("/api/v1/articles", headers=bearer(TOKENS[0])).get_json()["total"] == 0


@pytest.mark.parametrize("header", ["Bearer wrong-token", "Basic dXNlcjpwYXNz", "Bearer "])
def test_a_wrong_key_is_refused_even_for_reading(guarded, header):
    for method in ("post", "get"):
        refused = guarded.open(
            "/api/v1/articles", method=method, json=ARTICLE, headers={"Authorization": header}
        )
        assert refused.status_code == 401
        assert conforms(refused, "/api/v1/articles", method)["title"] == "Unauthorized"


@pytest.mark.parametrize("token", TOKENS, ids=["current", "next"])
def test_any_configured_token_is_accepted(guarded, token):
    accepted = guarded.post("/api/v1/articles", json=ARTICLE, headers=bearer(token))
    assert accepted.status_code == 202, accepted.get_json()


def test_scopes_are_enforced(keyed):
    client, keys = keyed
    refused = client.post("/api/v1/articles", json=ARTICLE, headers=bearer(keys["read"]))
    assert refused.status_code == 403
    assert "--scope write" in conforms(refused, "/api/v1/articles", "post")["detail"]
    created = client.post("/api/v1/articles", json=ARTICLE, headers=bearer(keys["write"]))
    assert created.status_code == 202
    url = f"/api/v1/articles/{created.get_json()['id']}"
    listed = client.get("/api/v1/articles", headers=bearer(keys["read"]))
    assert listed.get_json()["total"] == 1
    assert client.delete(url, headers=bearer(keys["read"])).status_code == 403
    assert client.delete(url, headers=bearer(keys["admin"])).status_code == 204


def test_a_key_limited_to_a_collection_sees_and_changes_only_its_articles(keyed):
    client, keys = keyed
    news = client.post(
        "/api/v1/articles", json={**ARTICLE, "collection": "news"}, headers=bearer(keys["news"])
    ).get_json()
    sport = client.post(
        "/api/v1/articles",
        json={"text": "Scores\n\nA late goal won it.", "collection": "sport"},
        headers=bearer(keys["write"]),
    ).get_json()
    refused = client.post(
        "/api/v1/articles", json={**ARTICLE, "collection": "sport"}, headers=bearer(keys["news"])
    )
    assert refused.status_code == 403 and "'sport'" in refused.get_json()["detail"]
    listed = client.get("/api/v1/articles", headers=bearer(keys["news"])).get_json()
    assert [item["id"] for item in listed["items"]] == [news["id"]]
    other = client.get(f"/api/v1/articles/{sport['id']}", headers=bearer(keys["news"]))
    assert not set(PRIVATE_FIELDS) & set(other.get_json())  # a player's view only
    assert (
        client.delete(f"/api/v1/articles/{sport['id']}", headers=bearer(keys["news"])).status_code
        == 403
    )
    clean_submitted(client.application.extensions["narrate.settings"])
    own = client.get(f"/api/v1/articles/{news['id']}", headers=bearer(keys["news"])).get_json()
    assert own["paragraphs"]
    assert client.get("/api/v1/batches/x", headers=bearer(keys["news"])).status_code == 403


def test_a_revoked_key_stops_working_and_use_is_recorded(keyed, settings):
    client, keys = keyed
    assert client.get("/api/v1/articles", headers=bearer(keys["read"])).status_code == 200
    key_id = keys["read"].split("_")[1]
    with session_scope(settings.database_url) as session:
        assert session.get(ApiKeyRow, key_id).last_used_at is not None
        assert revoke_key(session, key_id)
    assert client.get("/api/v1/articles", headers=bearer(keys["read"])).status_code == 401


def test_the_secret_is_not_stored(keyed, settings):
    _, keys = keyed
    with session_scope(settings.database_url) as session:
        stored = [row.secret_hash for row in session.query(ApiKeyRow)]
    for key in keys.values():
        assert all(key.split("_", 2)[2] not in value for value in stored)


@pytest.fixture
def published(keyed, settings, tmp_path):
    """One article of each visibility, converted, with everything a CMS might attach."""
    client, keys = keyed
    ids = {}
    for visibility in ("public", "unlisted", "private"):
        body = {
            **ARTICLE,
            "title": f"A {visibility} article",
            "visibility": visibility,
            "external_id": f"cms-{visibility}",
            "source_url": "https://news.example/draft?preview_token=SECRET",
            "callback_url": "https://cms.example/hook?key=SECRET",
        }
        created = client.post("/api/v1/articles", json=body, headers=bearer(keys["write"]))
        ids[visibility] = created.get_json()["id"]
    batch = client.post("/api/v1/batches", json=[ARTICLE], headers=bearer(keys["write"]))
    ids["batch"] = batch.get_json()["id"]
    run_jobs_in_process(settings, tmp_path)
    return client, keys, ids


@pytest.mark.also_on_s3
def test_anonymous_readers_get_only_what_the_player_needs(published):
    client, _, ids = published
    for visibility in ("public", "unlisted"):
        article_id = ids[visibility]
        body = conforms(
            client.get(f"/api/v1/articles/{article_id}"), "/api/v1/articles/{article_id}"
        )
        assert body["title"] == f"A {visibility} article" and body["status"] == "done"
        assert not set(PRIVATE_FIELDS) & set(body)
        for path in ("audio.mp3", "timings.json", "captions.vtt"):
            assert client.get(f"/api/v1/articles/{article_id}/{path}").status_code == 200
        for page in (f"/articles/{article_id}", f"/player/{article_id}"):
            assert client.get(page).status_code == 200
        assert b"SECRET" not in client.get(f"/articles/{article_id}").data


@pytest.mark.also_on_s3
def test_private_articles_do_not_exist_for_anonymous_readers(published):
    client, _, ids = published
    article_id = ids["private"]
    for path in (
        f"/api/v1/articles/{article_id}",
        f"/api/v1/articles/{article_id}/audio.mp3",
        f"/api/v1/articles/{article_id}/timings.json",
        f"/api/v1/articles/{article_id}/captions.vtt",
        f"/articles/{article_id}",
        f"/player/{article_id}",
    ):
        assert client.get(path).status_code == 404, path
    oembed = client.get("/oembed", query_string={"url": f"http://localhost/articles/{article_id}"})
    assert oembed.status_code == 404


def test_lists_batches_and_archives_need_the_read_scope(published):
    client, keys, ids = published
    for path in (
        "/api/v1/articles",
        f"/api/v1/batches/{ids['batch']}",
        f"/api/v1/batches/{ids['batch']}/archive.zip",
    ):
        assert client.get(path).status_code == 401, path
        assert client.get(path, headers=bearer(keys["read"])).status_code == 200, path
    page = client.get("/").get_data(as_text=True)
    assert "A public article" in page
    assert "A unlisted article" not in page and "A private article" not in page


def test_feeds_carry_only_public_articles(published):
    client, _, _ = published
    feed = client.get("/feeds/all.xml").get_data(as_text=True)
    assert "A public article" in feed
    assert "A unlisted article" not in feed and "A private article" not in feed


@pytest.mark.also_on_s3
def test_private_media_reach_a_player_through_short_lived_signed_links(published):
    client, keys, ids = published
    article = client.get(f"/api/v1/articles/{ids['private']}", headers=bearer(keys["read"]))
    links = article.get_json()["links"]
    audio = client.get(links["audio"])  # no key: the signature is enough
    assert audio.status_code == 200 and audio.data[:3] == b"ID3"
    assert client.get(links["timings"]).status_code == 200
    query = parse_qs(urlsplit(links["audio"]).query)
    path = urlsplit(links["audio"]).path
    forged = {"expires": query["expires"][0], "signature": "0" * 64}
    assert client.get(path, query_string=forged).status_code == 404
    expired = {"expires": "1000", "signature": query["signature"][0]}
    assert client.get(path, query_string=expired).status_code == 404
    other = client.get(
        urlsplit(links["audio"]).path.replace(".mp3", ".json"),
        query_string={k: v[0] for k, v in query.items()},
    )
    assert other.status_code == 404  # signed for the MP3 only


def test_a_private_article_s_signed_player_link_plays_it_and_reads_nothing_else(published):
    client, keys, ids = published
    article_id = ids["private"]
    article = client.get(f"/api/v1/articles/{article_id}", headers=bearer(keys["read"]))
    player = urlsplit(article.get_json()["links"]["player"])
    grant = {k: v[0] for k, v in parse_qs(player.query).items()}
    page = client.get(player.path, query_string=grant)
    assert page.status_code == 200
    assert f'signed="expires={grant["expires"]}&amp;signature={grant["signature"]}"' in (
        page.get_data(as_text=True)
    )
    base = f"/api/v1/articles/{article_id}"
    for path in ("/status", "/audio.mp3", "/timings.json", "/captions.vtt", "/segments.json"):
        assert client.get(base + path, query_string=grant).status_code == 200, path
    listed = client.get(base + "/segments.json", query_string=grant).get_json()["segments"]
    first = urlsplit(listed[0]["url"])  # signed in the list: it plays without the grant
    assert client.get(first.path, query_string=first.query).status_code == 200
    assert client.get(first.path).status_code == 404
    for path in ("", "/next"):  # its text and the rest stay private
        assert client.get(base + path, query_string=grant).status_code == 404, path
    assert client.get(f"/articles/{article_id}", query_string=grant).status_code == 404
    forged = {**grant, "signature": "0" * 64}
    assert client.get(player.path, query_string=forged).status_code == 404
    assert client.get(base + "/status", query_string=forged).status_code == 404


def test_visibility_can_change_without_new_audio(published):
    client, keys, ids = published
    url = f"/api/v1/articles/{ids['private']}/visibility"
    assert client.put(url, json={"visibility": "public"}).status_code == 401
    bad = client.put(url, json={"visibility": "secret"}, headers=bearer(keys["write"]))
    assert bad.status_code == 400 and "public, unlisted, private" in bad.get_json()["detail"]
    changed = client.put(url, json={"visibility": "public"}, headers=bearer(keys["write"]))
    assert conforms(changed, "/api/v1/articles/{article_id}/visibility", "put")["revision"] == 1
    assert client.get(f"/api/v1/articles/{ids['private']}/audio.mp3").status_code == 200
    assert "A private article" in client.get("/feeds/all.xml").get_data(as_text=True)


def test_an_open_service_reads_and_writes_for_anyone(client):
    assert client.post("/api/v1/articles", json=ARTICLE).status_code == 202
    assert client.get("/api/v1/articles").get_json()["total"] == 1


def test_the_submit_page_asks_for_a_key_only_when_the_server_wants_one(guarded, client):
    assert 'id="token"' in guarded.get("/").get_data(as_text=True)
    assert 'id="token"' not in client.get("/").get_data(as_text=True)
