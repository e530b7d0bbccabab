"""Pages, oEmbed, embed.js and cross-origin headers, through the Flask test client."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration

OTHER_ORIGIN = "https://publisher.example"


def created(client, **fields) -> dict:
    return client.post(
        "/api/v1/articles", json={"title": "A headline", "text": "A paragraph.", **fields}
    ).get_json()


def test_oembed_describes_an_iframe_player(client):
    article = created(client)
    for url in (f"http://localhost/articles/{article['id']}", article["links"]["player"]):
        body = client.get("/oembed", query_string={"url": url}).get_json()
        assert (body["type"], body["version"], body["provider_name"]) == ("rich", "1.0", "Narrate")
        assert body["title"] == "A headline"
        assert f'src="{article["links"]["player"]}"' in body["html"]
    narrow = client.get(
        "/oembed", query_string={"url": article["links"]["player"], "maxwidth": 300}
    )
    assert narrow.get_json()["width"] == 300


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"url": "http://localhost/articles/missing"}, 404),
        ({"url": "http://localhost/somewhere/else"}, 404),
        ({"url": "http://localhost/articles/x", "format": "xml"}, 501),
    ],
)
def test_oembed_errors_are_problems(client, query, status):
    response = client.get("/oembed", query_string=query)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"


def test_embed_script_and_audio_are_readable_from_another_origin(client):
    article = created(client)
    script = client.get("/embed.js", headers={"Origin": OTHER_ORIGIN})
    assert script.mimetype == "text/javascript"
    assert b'customElements.define("narrate-player"' in script.data
    assert script.headers["Access-Control-Allow-Origin"] == "*"
    status = client.get(article["links"]["self"], headers={"Origin": OTHER_ORIGIN})
    assert status.headers["Access-Control-Allow-Origin"] == "*"
    assert "Content-Range" in status.headers["Access-Control-Expose-Headers"]
    preflight = client.options(
        article["links"]["audio"],
        headers={
            "Origin": OTHER_ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "range",
        },
    )
    assert preflight.status_code in (200, 204)
    assert "Range" in preflight.headers["Access-Control-Allow-Headers"]


def test_cors_allowlist_is_honoured(settings):
    from service.app import create_app

    allowed = "https://allowed.example"
    restricted = settings.with_overrides(cors_origins=(allowed,))
    client = create_app({"TESTING": True, "NARRATE_SETTINGS": restricted}).test_client()
    yes = client.get("/embed.js", headers={"Origin": allowed})
    assert yes.headers["Access-Control-Allow-Origin"] == allowed
    assert "Origin" in yes.headers["Vary"]
    no = client.get("/embed.js", headers={"Origin": OTHER_ORIGIN})
    assert "Access-Control-Allow-Origin" not in no.headers


def test_pages_escape_submitted_text(client):
    title = "<img src=x onerror=alert(1)>"
    article = created(client, title=title)
    for url in ("/", f"/articles/{article['id']}", f"/player/{article['id']}"):
        html = client.get(url).data.decode()
        assert "<img src=x" not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_unknown_article_pages_are_404(client):
    assert client.get("/articles/missing").status_code == 404
    assert client.get("/player/missing").status_code == 404
