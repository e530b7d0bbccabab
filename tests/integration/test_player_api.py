"""The player's small endpoints through the test client, on SQLite and PostgreSQL:
status (with its "finishing" stage), listening beacons and statistics, the versioned
compressed embed.js, oEmbed's limits and CORS on every response."""

from __future__ import annotations

import gzip

import pytest

from tests.support.engines import FakeEngineSynthesizer
from tests.support.harness import clean_submitted, run_job
from tests.support.openapi_check import conforms
from workers.catalog.db import session_scope
from workers.catalog.models import ArticleRow

pytestmark = pytest.mark.integration
STATUS = "/api/v1/articles/{article_id}/status"


def created(client, **fields) -> dict:
    body = {"title": "A headline", "text": "One paragraph.\n\nAnother paragraph.", **fields}
    return client.post("/api/v1/articles", json=body).get_json()


def job_of(settings, article_id: str) -> int:
    with session_scope(settings.database_url) as session:
        return session.get(ArticleRow, article_id).current.job.id


def test_status_names_each_stage_and_is_small(client, settings, tmp_path):
    article = created(client)
    url = f"/api/v1/articles/{article['id']}/status"
    cleaning = conforms(client.get(url), STATUS)
    assert (cleaning["status"], cleaning["stage"]) == ("cleaning", "queued")  # to a listener
    clean_submitted(settings)
    queued = conforms(client.get(url), STATUS)
    assert (queued["status"], queued["stage"]) == ("queued", "queued")
    assert "paragraphs" not in queued and "error" not in queued
    assert queued["audio_revision"] is None  # no audio yet: a player may play segments
    with FakeEngineSynthesizer("ok", tmp_path / "count") as synth:
        run_job(settings, job_of(settings, article["id"]), synth, stitch=False)
        finishing = conforms(client.get(url), STATUS)
        # every paragraph is synthesised; the MP3 is not written yet
        assert (finishing["status"], finishing["stage"]) == ("processing", "finishing")
        assert finishing["progress"]["percent"] == 100
        from workers.runtime import jobs

        jobs.stitch(settings, job_of(settings, article["id"]), lambda v, r: synth)
    done = client.get(url)
    assert conforms(done, STATUS)["stage"] == "done"
    assert done.get_json()["duration_ms"] > 0
    assert done.get_json()["audio_revision"] == 1
    assert len(done.data) < 400
    again = client.get(url, headers={"If-None-Match": done.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_a_failed_article_is_failed_without_the_operator_detail(client, settings):
    article = created(client)
    from workers.runtime import jobs

    jobs.fail(settings, job_of(settings, article["id"]), "unknown voice 'zz': use espeak-ng")
    body = conforms(client.get(f"/api/v1/articles/{article['id']}/status"), STATUS)
    assert body["stage"] == "failed"
    assert "espeak" not in str(body)
    assert "espeak" in client.get(article["links"]["self"]).get_json()["error"]
    missing = client.get("/api/v1/articles/nope/status")
    assert missing.status_code == 404 and conforms(missing, STATUS)


def test_listening_beacons_add_up_per_day_and_stats_read_them(client):
    article = created(client)
    url = f"/api/v1/articles/{article['id']}/listens"
    beacon = {
        "data": '{"play": true, "seconds": 12, "quartiles": [25]}',
        "content_type": "text/plain",
    }
    assert client.post(url, **beacon).status_code == 204
    assert client.post(url, data='{"seconds": 30, "quartiles": [50, 75, 100]}').status_code == 204
    stats = conforms(
        client.get(f"/api/v1/articles/{article['id']}/stats"), "/api/v1/articles/{article_id}/stats"
    )
    assert stats["totals"] == {
        "plays": 1,
        "listening_seconds": 42,
        "quartiles": {"25": 1, "50": 1, "75": 1, "100": 1},
    }
    assert len(stats["days"]) == 1 and stats["days"][0]["plays"] == 1
    assert "Set-Cookie" not in client.post(url, data='{"seconds": 1}').headers
    home = client.get("/").data.decode()
    assert "1 play" in home


@pytest.mark.parametrize(
    ("body", "mentions"),
    [
        ("not json", "JSON"),
        ('{"seconds": 100000}', "seconds"),
        ('{"seconds": -1}', "seconds"),
        ('{"play": "yes"}', "play"),
        ('{"quartiles": [33]}', "quartiles"),
        ("[1, 2]", "object"),
    ],
)
def test_bad_beacons_say_what_to_change(client, body, mentions):
    article = created(client)
    response = client.post(f"/api/v1/articles/{article['id']}/listens", data=body)
    assert response.status_code == 400
    assert mentions in response.get_json()["detail"]


def test_beacons_need_no_token_where_changes_do(settings):
    from service.app import create_app

    guarded = settings.with_overrides(api_tokens=("secret",))
    client = create_app({"TESTING": True, "NARRATE_SETTINGS": guarded}).test_client()
    article = client.post(
        "/api/v1/articles",
        json={"title": "T", "text": "Body."},
        headers={"Authorization": "Bearer secret"},
    ).get_json()
    assert (
        client.post(f"/api/v1/articles/{article['id']}/listens", data='{"play": true}').status_code
        == 204
    )
    assert client.delete(f"/api/v1/articles/{article['id']}").status_code == 401


def test_embed_js_is_compressed_versioned_and_cached_for_a_year(client):
    plain = client.get("/embed.js", headers={"Accept-Encoding": "gzip, br"})
    assert plain.headers["Content-Encoding"] == "gzip"
    assert b"narrate-player" in gzip.decompress(plain.data)
    assert "Accept-Encoding" in plain.headers["Vary"]
    assert "max-age=300" in plain.headers["Cache-Control"]
    page = client.get(f"/articles/{created(client)['id']}").data.decode()
    src = page.split('<script src="', 1)[1].split('"', 1)[0]
    assert src.startswith("/embed.") and src != "/embed.js"
    versioned = client.get(src, headers={"Accept-Encoding": "gzip"})
    assert "max-age=31536000" in versioned.headers["Cache-Control"]
    assert "immutable" in versioned.headers["Cache-Control"]
    assert gzip.decompress(versioned.data) == gzip.decompress(plain.data)
    stale = client.get("/embed.000000000000.js")
    assert "immutable" not in stale.headers["Cache-Control"]


def test_cors_headers_do_not_depend_on_the_request_origin(client, settings):
    from service.app import create_app

    article = created(client)
    without = client.get(article["links"]["self"])
    assert without.headers["Access-Control-Allow-Origin"] == "*"
    restricted = settings.with_overrides(cors_origins=("https://allowed.example",))
    other = create_app({"TESTING": True, "NARRATE_SETTINGS": restricted}).test_client()
    assert "Origin" in other.get(article["links"]["self"]).headers["Vary"]


def test_article_pages_offer_oembed_discovery(client):
    article = created(client)
    page = client.get(f"/articles/{article['id']}").data.decode()
    assert 'rel="alternate" type="application/json+oembed"' in page
    href = page.split('type="application/json+oembed"', 1)[1].split('href="', 1)[1].split('"')[0]
    body = client.get(href.replace("&amp;", "&")).get_json()
    assert body["type"] == "rich" and article["id"] in body["html"]


@pytest.mark.parametrize(
    ("limits", "size"),
    [({}, (640, 130)), ({"maxwidth": 300}, (300, 130)), ({"maxheight": 100}, (640, 80))],
)
def test_oembed_honours_maxwidth_and_maxheight(client, limits, size):
    article = created(client)
    body = client.get(
        "/oembed", query_string={"url": article["links"]["player"], **limits}
    ).get_json()
    assert (body["width"], body["height"]) == size
    assert f'height="{size[1]}"' in body["html"]


@pytest.mark.parametrize(
    "query",
    [
        {"url": "https://elsewhere.example/articles/ID"},
        {"url": "http://localhost/articles/ID", "maxwidth": 100},
        {"url": "http://localhost/articles/ID", "maxheight": 40},
    ],
)
def test_oembed_refuses_other_hosts_and_sizes_it_cannot_fit(client, query):
    article = created(client)
    query = {**query, "url": query["url"].replace("ID", article["id"])}
    response = client.get("/oembed", query_string=query)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_the_player_for_an_unknown_id_is_a_small_neutral_player(client):
    response = client.get("/player/does-not-exist")
    assert response.status_code == 404
    html = response.data.decode()
    assert "<narrate-player" in html and "Submit one" not in html and "<header" not in html


def test_next_article_is_the_previous_finished_one_of_the_same_collection(
    client, settings, tmp_path
):
    oldest = created(
        client,
        title="Oldest",
        collection="news",
        text="Old news.",
        source_url="https://news.example/oldest",
    )
    other = created(client, title="Sport", collection="sport", text="Goals.")
    middle = created(client, title="Middle", collection="news", text="Middle news.")
    newest = created(client, title="Newest", collection="news", text="New news.")
    with FakeEngineSynthesizer("ok", tmp_path / "count") as synth:
        for article in (oldest, other, newest):
            run_job(settings, job_of(settings, article["id"]), synth)
    path = "/api/v1/articles/{article_id}/next"
    # the middle one is not finished: skipped; the sport one is another collection
    body = conforms(client.get(f"/api/v1/articles/{newest['id']}/next"), path)
    assert body["id"] == oldest["id"] and body["links"]["page"].endswith(oldest["id"])
    assert body["source_url"] == "https://news.example/oldest"  # where a publisher's player goes
    last = client.get(f"/api/v1/articles/{oldest['id']}/next")
    assert last.status_code == 404 and conforms(last, path)
    assert middle["id"] != body["id"]
