"""GET /api/v1/articles/{id}/next on a protected service: the next article is one the
same reader may read and list (public, to an anonymous reader), and its links come from
NARRATE_PUBLIC_URL whatever Host the request names."""

from __future__ import annotations

import pytest

from tests.support.harness import run_jobs_in_process
from tests.support.openapi_check import conforms

pytestmark = pytest.mark.integration

TOKEN = "playlist-admin-token"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
PUBLIC = "https://listen.news.example"
NEXT = "/api/v1/articles/{article_id}/next"


@pytest.fixture
def newsroom(settings, tmp_path):
    """A protected service with, oldest first: a public, a private, an unlisted and a
    public article of one collection, all finished."""
    from service.app import create_app

    configured = settings.with_overrides(api_tokens=(TOKEN,), public_url=PUBLIC)
    client = create_app({"TESTING": True, "NARRATE_SETTINGS": configured}).test_client()
    ids = {}
    for name in ("oldest", "private", "unlisted", "newest"):
        visibility = name if name in ("private", "unlisted") else "public"
        body = {"title": f"The {name} one", "text": f"About {name}.", "collection": "news"}
        posted = client.post(
            "/api/v1/articles", json={**body, "visibility": visibility}, headers=ADMIN
        )
        assert posted.status_code == 202, posted.get_json()
        ids[name] = posted.get_json()["id"]
    run_jobs_in_process(configured, tmp_path)
    return client, ids


def test_next_never_names_an_article_an_anonymous_reader_may_not_list(newsroom):
    client, ids = newsroom
    answer = client.get(f"/api/v1/articles/{ids['newest']}/next")
    body = conforms(answer, NEXT)
    assert body["id"] == ids["oldest"], body  # the private and the unlisted are skipped
    for hidden in ("private", "unlisted"):
        assert ids[hidden].encode() not in answer.data
        assert f"The {hidden} one".encode() not in answer.data
    # a key that reads the collection is given the next one it may read
    assert (
        client.get(f"/api/v1/articles/{ids['newest']}/next", headers=ADMIN).get_json()["id"]
        == ids["unlisted"]
    )


def test_an_article_made_private_after_publication_leaves_the_playlist(newsroom):
    client, ids = newsroom
    hidden = client.put(
        f"/api/v1/articles/{ids['oldest']}/visibility",
        json={"visibility": "private"},
        headers=ADMIN,
    )
    assert hidden.status_code == 200
    answer = client.get(f"/api/v1/articles/{ids['newest']}/next")
    assert answer.status_code == 404 and conforms(answer, NEXT)
    assert ids["oldest"].encode() not in answer.data
    assert b"The oldest one" not in answer.data


@pytest.mark.parametrize(
    "headers",
    [{"Host": "evil.example"}, {"X-Forwarded-Proto": "gopher", "X-Forwarded-Host": "evil.example"}],
    ids=["host", "forwarded"],
)
def test_next_links_come_from_the_public_url_whatever_host_is_sent(newsroom, headers):
    client, ids = newsroom
    answer = client.get(f"/api/v1/articles/{ids['newest']}/next", headers=headers)
    body = conforms(answer, NEXT)
    assert body["links"] == {
        "page": f"{PUBLIC}/articles/{ids['oldest']}",
        "player": f"{PUBLIC}/player/{ids['oldest']}",
    }
    assert b"evil.example" not in answer.data and b"gopher" not in answer.data
