"""/api/v1/keys: keys listed, made and revoked over the API with the admin scope, by the
same rules as `narrate keys`."""

from __future__ import annotations

import pytest

from tests.support.keys import bearer
from tests.support.openapi_check import conforms
from workers.catalog.db import session_scope
from workers.catalog.keys import KeyNotAllowed, Principal, create_key
from workers.catalog.models import ApiKeyRow

pytestmark = pytest.mark.integration

KEYS = "/api/v1/keys"
ONE_KEY = "/api/v1/keys/{key_id}"
ARTICLE = {"title": "T", "text": "The council approved the new harbour wall on Friday."}



@pytest.fixture
def keyed(app, settings):
    """Keys made from the command line's code: an admin, a writer, and an admin limited
    to the collections news and sport."""
    with session_scope(settings.database_url) as session:
        keys = {
            "admin": create_key(session, "ops", "admin")[1],
            "write": create_key(session, "cms", "write")[1],
            "desk": create_key(session, "desk", "admin", ["news", "sport"])[1],
        }
    return app.test_client(), keys


def test_an_admin_makes_lists_and_revokes_keys(keyed, settings):
    client, keys = keyed
    made = client.post(
        KEYS,
        json={"name": "newsroom cms", "scope": "write", "collections": ["news"]},
        headers=bearer(keys["admin"]),
    )
    assert made.status_code == 201, made.get_json()
    body = conforms(made, KEYS, "post")
    assert body["key"].startswith(f"nk_{body['id']}_")
    assert (body["scope"], body["collections"], body["last_used_at"]) == ("write", ["news"], None)

    submitted = client.post(
        "/api/v1/articles", json={**ARTICLE, "collection": "news"}, headers=bearer(body["key"])
    )
    assert submitted.status_code == 202  # the new key works at once
    listed = client.get(KEYS, headers=bearer(keys["admin"]))
    text = listed.get_data(as_text=True)
    rows = {row["id"]: row for row in conforms(listed, KEYS)["keys"]}
    assert rows[body["id"]]["name"] == "newsroom cms"
    assert rows[body["id"]]["last_used_at"] is not None
    with session_scope(settings.database_url) as session:
        secret_hash = session.get_one(ApiKeyRow, body["id"]).secret_hash
    assert body["key"].split("_", 2)[2] not in text and secret_hash not in text

    revoked = client.delete(ONE_KEY.format(key_id=body["id"]), headers=bearer(keys["admin"]))
    assert revoked.status_code == 204
    conforms(revoked, ONE_KEY, "delete")
    again = client.post("/api/v1/articles", json=ARTICLE, headers=bearer(body["key"]))
    assert again.status_code == 401
    gone = client.delete(ONE_KEY.format(key_id=body["id"]), headers=bearer(keys["admin"]))
    assert gone.status_code == 404
    assert "GET /api/v1/keys" in conforms(gone, ONE_KEY, "delete")["detail"]
    listed = client.get(KEYS, headers=bearer(keys["admin"])).get_json()["keys"]
    assert [row["revoked_at"] is not None for row in listed if row["id"] == body["id"]] == [True]


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", KEYS), ("post", KEYS), ("delete", ONE_KEY.format(key_id="00000000"))],
)
def test_keys_need_the_admin_scope(keyed, method, path):
    client, keys = keyed
    request = {"name": "x", "scope": "read"}
    anonymous = client.open(path, method=method, json=request)
    assert anonymous.status_code == 401
    writer = client.open(path, method=method, json=request, headers=bearer(keys["write"]))
    assert writer.status_code == 403
    documented = KEYS if path == KEYS else ONE_KEY
    assert "this needs admin" in conforms(writer, documented, method)["detail"]


def test_a_key_limited_to_collections_grants_only_within_them(keyed):
    client, keys = keyed
    desk = bearer(keys["desk"])
    sport = client.post(
        KEYS, json={"name": "sport", "scope": "write", "collections": ["sport"]}, headers=desk
    )
    assert sport.status_code == 201
    for beyond in ({"collections": ["news", "opinion"]}, {}):  # {}: every collection
        refused = client.post(KEYS, json={"name": "more", "scope": "read", **beyond}, headers=desk)
        assert refused.status_code == 403
        detail = conforms(refused, KEYS, "post")["detail"]
        assert "limited to the collections news, sport" in detail
        assert ("opinion" if beyond else "every collection") in detail
    seen = {row["name"] for row in client.get(KEYS, headers=desk).get_json()["keys"]}
    assert seen == {"desk", "sport"}  # not the keys that reach every collection
    ops_id = keys["admin"].split("_")[1]
    assert client.delete(ONE_KEY.format(key_id=ops_id), headers=desk).status_code == 404
    assert client.get(KEYS, headers=bearer(keys["admin"])).status_code == 200  # still works


def test_a_key_cannot_grant_a_higher_scope_than_its_own(settings, app):
    writer = Principal("cms", "write")
    with session_scope(settings.database_url) as session:
        with pytest.raises(KeyNotAllowed, match="cannot make a key with the higher scope admin"):
            create_key(session, "escalated", "admin", granted_by=writer)
        row, _ = create_key(session, "reader", "read", granted_by=writer)
        assert row.scope == "read"


@pytest.mark.parametrize(
    ("request_body", "named"),
    [
        ({"scope": "read"}, "name must be"),
        ({"name": "  ", "scope": "read"}, "name must be"),
        ({"name": "x", "scope": "root"}, "scope must be one of read, write, admin"),
        ({"name": "x", "scope": "read", "collections": "news"}, "collections must be a"),
        ({"name": "x", "scope": "read", "collections": ["News!"]}, "each collection must be"),
        ({"name": "x", "scope": "read", "limit": "lots/fortnight"}, "Flask-Limiter's notation"),
        ({"name": "x", "scope": "read", "limit": 5}, "limit must be"),
        ({"name": "x", "scope": "read", "expires": "never"}, "unknown field 'expires'"),
        (["name", "scope"], "send a JSON object"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(keyed, request_body, named):
    client, keys = keyed
    refused = client.post(KEYS, json=request_body, headers=bearer(keys["admin"]))
    assert refused.status_code == 400
    assert named in conforms(refused, KEYS, "post")["detail"]
    assert len(client.get(KEYS, headers=bearer(keys["admin"])).get_json()["keys"]) == 3


def test_a_token_admin_makes_the_first_key_of_a_token_protected_service(settings):
    from service.app import create_app

    guarded = settings.with_overrides(api_tokens=("ops-token",))
    client = create_app({"TESTING": True, "NARRATE_SETTINGS": guarded}).test_client()
    made = client.post(
        KEYS,
        json={"name": "cms", "scope": "write", "limit": "600/minute;10000/hour"},
        headers=bearer("ops-token"),
    )
    assert made.status_code == 201
    assert conforms(made, KEYS, "post")["limit"] == "600/minute;10000/hour"
    submitted = client.post("/api/v1/articles", json=ARTICLE, headers=bearer(made.json["key"]))
    assert submitted.status_code == 202
    assert submitted.headers["RateLimit-Limit"] == "600"  # its own limit, not the default
