"""API tokens: with NARRATE_API_TOKENS set, changes need `Authorization: Bearer TOKEN`;
reading (player, audio, timings, feeds) stays open."""

from __future__ import annotations

import pytest

from tests.openapi_check import conforms

pytestmark = pytest.mark.integration

TOKENS = ("current-token-7f3a", "next-token-91bc")
ARTICLE = {"text": "Headline\n\nThe council approved the new harbour wall on Friday."}


@pytest.fixture
def guarded(settings):
    from service.app import create_app

    app = create_app(
        {"TESTING": True, "NARRATE_SETTINGS": settings.with_overrides(api_tokens=TOKENS)}
    )
    return app.test_client()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_change_without_a_token_is_refused_and_says_what_to_send(guarded):
    refused = guarded.post("/api/v1/articles", json=ARTICLE)
    body = conforms(refused, "/api/v1/articles", "post")
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"] == 'Bearer realm="narrate"'
    assert "Authorization: Bearer TOKEN" in body["detail"]
    assert guarded.get("/api/v1/articles").get_json()["total"] == 0


@pytest.mark.parametrize("header", ["Bearer wrong-token", "Basic dXNlcjpwYXNz", "Bearer "])
def test_a_wrong_token_is_refused(guarded, header):
    refused = guarded.post("/api/v1/articles", json=ARTICLE, headers={"Authorization": header})
    assert refused.status_code == 401
    assert conforms(refused, "/api/v1/articles", "post")["title"] == "Unauthorized"


@pytest.mark.parametrize("token", TOKENS, ids=["current", "next"])
def test_any_configured_token_is_accepted(guarded, token):
    accepted = guarded.post("/api/v1/articles", json=ARTICLE, headers=bearer(token))
    assert accepted.status_code == 202, accepted.get_json()


def test_every_kind_of_change_needs_the_token_and_reading_does_not(guarded):
    created = guarded.post("/api/v1/articles", json=ARTICLE, headers=bearer(TOKENS[0])).get_json()
    url = f"/api/v1/articles/{created['id']}"
    edited = {"data": b"Headline\n\nThe wall is finished.", "content_type": "text/plain"}
    assert guarded.put(url, **edited).status_code == 401
    assert guarded.delete(url).status_code == 401
    assert guarded.post("/api/v1/batches", json=[ARTICLE]).status_code == 401
    for path in (
        url,
        "/api/v1/articles",
        "/api/v1/openapi.json",
        f"/articles/{created['id']}",
        f"/player/{created['id']}",
        "/embed.js",
        "/feeds/all.xml",
        "/",
    ):
        assert guarded.get(path).status_code == 200, path
    assert guarded.get(url).get_json()["revision"] == 1  # nothing was changed
    assert guarded.delete(url, headers=bearer(TOKENS[1])).status_code == 204


def test_the_submit_page_asks_for_a_token_only_when_the_server_wants_one(guarded, client):
    assert 'id="token"' in guarded.get("/").get_data(as_text=True)
    assert 'id="token"' not in client.get("/").get_data(as_text=True)
    assert client.post("/api/v1/articles", json=ARTICLE).status_code == 202  # open by default
