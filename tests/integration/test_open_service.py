"""The open-service rule at every request, not only at start-up: with no API key left, a
server listening beyond loopback answers nothing but how to make a key; the last admin
key cannot be revoked over the API there; the first key over the API comes only from a
loopback client."""

from __future__ import annotations

import pytest

from tests.support.keys import bearer
from tests.support.openapi_check import conforms
from workers.catalog.db import session_scope
from workers.catalog.keys import create_key, revoke_key

pytestmark = pytest.mark.integration

KEYS = "/api/v1/keys"
ONE_KEY = "/api/v1/keys/{key_id}"
ARTICLE = {"title": "T", "text": "The council approved the new harbour wall on Friday."}
OUTSIDE = {"REMOTE_ADDR": "203.0.113.5"}
INSIDE = {"REMOTE_ADDR": "127.0.0.1"}


def _app(settings, listen: tuple[str, ...]):
    from service.app import create_app

    return create_app({"TESTING": True, "NARRATE_SETTINGS": settings.with_overrides(listen=listen)})


@pytest.fixture
def exposed(settings):
    """A service listening on every address, protected by one admin key (and a private
    article submitted with it)."""
    client = _app(settings, ("0.0.0.0",)).test_client()
    with session_scope(settings.database_url) as session:
        row, key = create_key(session, "ops", "admin")
        key_id = row.id
    made = client.post(
        "/api/v1/articles", json={**ARTICLE, "visibility": "private"}, headers=bearer(key)
    )
    assert made.status_code == 202, made.get_json()
    return client, key, key_id, made.get_json()["id"]


def test_the_last_admin_key_cannot_be_revoked_over_the_api_beyond_loopback(exposed):
    client, key, key_id, _ = exposed
    refused = client.delete(ONE_KEY.format(key_id=key_id), headers=bearer(key))
    assert refused.status_code == 409
    assert "narrate keys" in conforms(refused, ONE_KEY, "delete")["detail"]
    assert client.get(KEYS, headers=bearer(key)).status_code == 200  # still a key


def test_with_the_last_key_revoked_beyond_loopback_nothing_opens(exposed, settings):
    client, _, key_id, article_id = exposed
    with session_scope(settings.database_url) as session:  # `narrate keys revoke`
        assert revoke_key(session, key_id)

    for method, path in (
        ("get", f"/api/v1/articles/{article_id}"),
        ("get", "/api/v1/articles"),
        ("get", f"/player/{article_id}"),
        ("post", "/api/v1/articles"),
    ):
        answer = getattr(client, method)(path, json=ARTICLE if method == "post" else None)
        assert answer.status_code == 503, (method, path, answer.status_code)
        assert "narrate keys create" in answer.get_json()["detail"]
    outside = client.post(KEYS, json={"name": "x", "scope": "admin"}, environ_base=OUTSIDE)
    assert outside.status_code == 403
    assert "narrate keys create" in conforms(outside, KEYS, "post")["detail"]
    assert client.get("/healthz").status_code == 200  # a load balancer still sees it up

    made = client.post(KEYS, json={"name": "ops", "scope": "admin"}, environ_base=INSIDE)
    assert made.status_code == 201  # from the machine itself, the first key
    assert client.get("/api/v1/articles", headers=bearer(made.get_json()["key"])).status_code == 200
    assert client.get(f"/api/v1/articles/{article_id}").status_code == 404  # protected again


def test_the_first_key_over_the_api_comes_only_from_a_loopback_client(settings):
    client = _app(settings, ("127.0.0.1",)).test_client()
    refused = client.post(KEYS, json={"name": "x", "scope": "admin"}, environ_base=OUTSIDE)
    assert refused.status_code == 403
    assert "loopback" in conforms(refused, KEYS, "post")["detail"]
    assert client.get("/api/v1/articles").status_code == 200  # loopback-bound: open
    made = client.post(KEYS, json={"name": "x", "scope": "admin"}, environ_base=INSIDE)
    assert made.status_code == 201


def test_on_loopback_the_last_key_may_be_revoked_over_the_api(settings):
    client = _app(settings, ("127.0.0.1",)).test_client()
    with session_scope(settings.database_url) as session:
        row, key = create_key(session, "ops", "admin")
    assert client.delete(ONE_KEY.format(key_id=row.id), headers=bearer(key)).status_code == 204
