"""Hostile characters at the edge, on SQLite and PostgreSQL: lone surrogates and bytes
that are not UTF-8 are a 400 naming the field; control characters are removed from the
text before it is stored; in a batch each such item fails alone."""

from __future__ import annotations

import io
import json
import re

import pytest

from tests.support.harness import clean_submitted
from tests.support.openapi_check import conforms
from tests.support.paths import DATA
from workers.catalog.db import session_scope
from workers.catalog.models import ArticleRow, JobRow, ParagraphRow, RevisionRow

pytestmark = pytest.mark.integration

BODY = "The council approved the new budget on Tuesday after a long and lively debate."
CONTROL = re.compile("[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f]")
SURROGATE_FIELDS = {
    "text": BODY + " \\ud800",
    "html": "<p>\\udfff</p>",
    "title": "Budget \\ud800 passed",
    "external_id": "story-\\ud800",
    "source_url": "https://example.com/\\udc00",
    "callback_url": "https://example.com/hook\\ud800",
    "collection": "news\\ud800",
    "voice": "en\\ud800",
}


def post_json_bytes(client, raw: bytes, path: str = "/api/v1/articles"):
    return client.post(path, data=raw, content_type="application/json")


def test_a_lone_surrogate_in_any_field_is_a_400_naming_it(client):
    for field, value in SURROGATE_FIELDS.items():
        fields = {"text": BODY} if field not in {"text", "html"} else {}
        # json.dumps would escape the backslash: write the JSON escape itself.
        raw = "{" + ", ".join(f'"{k}": "{v}"' for k, v in fields.items())
        raw += (", " if fields else "") + f'"{field}": "{value}"' + "}"
        response = post_json_bytes(client, raw.encode())
        assert response.status_code == 400, (field, response.data)
        problem = conforms(response, "/api/v1/articles", "post")
        assert f"'{field}'" in problem["detail"] and "lone surrogate" in problem["detail"]
    with session_scope(client.application.extensions["narrate.settings"].database_url) as s:
        assert s.query(ArticleRow).count() == 0


def test_bytes_that_are_not_utf8_are_a_400_naming_where(client):
    encoded_surrogate = b'{"text": "x\xed\xa0\x80"}'
    response = post_json_bytes(client, encoded_surrogate)
    assert response.status_code == 400
    assert (
        "the body is not UTF-8 text (byte 11"
        in conforms(response, "/api/v1/articles", "post")["detail"]
    )
    for mimetype in ("text/plain", "text/html"):
        response = client.post(
            "/api/v1/articles", data=b"Headline\n\nlatin-1 caf\xe9", content_type=mimetype
        )
        assert response.status_code == 400
        detail = conforms(response, "/api/v1/articles", "post")["detail"]
        assert "the request body is not UTF-8 text (byte 21" in detail
    response = client.post(
        "/api/v1/articles",
        data={"file": (io.BytesIO(b"Headline\n\n\xff\xfe"), "notes.txt")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "notes.txt is not UTF-8" in conforms(response, "/api/v1/articles", "post")["detail"]


def stored(client, article_id: str) -> tuple[str, list[str]]:
    """The title and paragraphs stored once the article is cleaned (as a worker would)."""
    settings = client.application.extensions["narrate.settings"]
    clean_submitted(settings)
    with session_scope(settings.database_url) as s:
        revision = s.get(ArticleRow, article_id).current
        return revision.title, [p.text for p in revision.paragraphs]


def test_nul_and_control_characters_are_removed_before_storing(client):
    """PostgreSQL refuses NUL outright; XML refuses it and most other controls."""
    response = client.post(
        "/api/v1/articles",
        json={
            "title": "Bud\x00get\x07 passed\x1b",
            "text": "The coun\x00cil\x01 met.\x7f\n\n" + BODY,
        },
    )
    assert response.status_code == 202, response.data
    title, paragraphs = stored(client, response.get_json()["id"])
    assert title == "Budget passed"
    assert paragraphs[:2] == ["Budget passed", "The council met."]
    response = client.post(
        "/api/v1/articles",
        data=("Plain\x00 headline\x08\n\nThe\x00 mayor\x9f resigned today.\x0c" + BODY).encode(),
        content_type="text/plain",
    )
    assert response.status_code == 202, response.data
    title, paragraphs = stored(client, response.get_json()["id"])
    assert title == "Plain headline"
    assert not any(CONTROL.search(p) for p in paragraphs)
    assert "The mayor resigned today." in paragraphs
    page = (DATA / "articles" / "01_wire_service.html").read_text()
    html = page.replace("<h1>Oil prices", "<h1>Oil&#1; prices&#x1f;").replace("<p>", "<p>&#7;")
    response = client.post("/api/v1/articles", data=html.encode(), content_type="text/html")
    assert response.status_code == 202, response.data
    title, paragraphs = stored(client, response.get_json()["id"])
    assert title.startswith("Oil prices climb")
    assert not any(CONTROL.search(p) for p in paragraphs)


def test_identifiers_with_control_characters_are_refused(client):
    response = client.post(
        "/api/v1/articles?external_id=story%0042",
        data=f"Headline\n\n{BODY}".encode(),
        content_type="text/plain",
    )
    assert response.status_code == 400
    assert "'external_id'" in conforms(response, "/api/v1/articles", "post")["detail"]
    response = client.post(
        "/api/v1/articles", json={"text": BODY, "source_url": "https://example.com/\x00"}
    )
    assert response.status_code == 400
    assert "'source_url'" in response.get_json()["detail"]


def batch_items(client, body: dict) -> list[dict]:
    listing = conforms(client.get(body["links"]["self"]), "/api/v1/batches/{batch_id}")
    return listing["items"]


def test_in_a_batch_each_hostile_item_fails_alone(client):
    raw = (
        "["
        + json.dumps({"title": "First story", "text": BODY})
        + ', {"title": "Second", "text": "bad \\ud800 text"}, '
        + json.dumps({"title": "Third\x00 story", "text": "Third\x00 " + BODY})
        + "]"
    )
    response = post_json_bytes(client, raw.encode(), "/api/v1/batches")
    assert response.status_code == 202, response.data
    items = batch_items(client, conforms(response, "/api/v1/batches", "post"))
    assert [item["status"] for item in items] == ["cleaning", "failed", "cleaning"]
    assert "'text' holds a lone surrogate" in items[1]["error"]
    assert stored(client, items[2]["id"])[0] == "Third story"

    ndjson = b"\n".join(
        [
            json.dumps({"text": "One\n\n" + BODY}).encode(),
            b'{"text": "caf\xe9"}',
            json.dumps({"text": "Three\n\n" + BODY + " Again."}).encode(),
        ]
    )
    response = client.post("/api/v1/batches", data=ndjson, content_type="application/x-ndjson")
    assert response.status_code == 202, response.data
    items = batch_items(client, response.get_json())
    assert [item["status"] for item in items] == ["cleaning", "failed", "cleaning"]
    assert items[1]["error"].startswith("line 2 is not UTF-8 text (byte 13")

    response = client.post(
        "/api/v1/batches",
        data={
            "files": [
                (io.BytesIO(f"Good\n\n{BODY}".encode()), "good.txt"),
                (io.BytesIO(b"Bad\n\n\xc3\x28"), "bad\x01name.txt"),
            ]
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 202, response.data
    items = batch_items(client, response.get_json())
    assert [item["status"] for item in items] == ["cleaning", "failed"]
    assert not CONTROL.search(items[1]["name"]) and "is not UTF-8" in items[1]["error"]


def test_a_batch_callback_with_a_lone_surrogate_is_refused(client):
    raw = '{"articles": [{"text": "' + BODY + '"}], "callback_url": "https://e.com/\\ud800"}'
    response = post_json_bytes(client, raw.encode(), "/api/v1/batches")
    assert response.status_code == 400
    assert "'callback_url'" in conforms(response, "/api/v1/batches", "post")["detail"]
    with session_scope(client.application.extensions["narrate.settings"].database_url) as s:
        assert s.query(JobRow).count() == 0
        assert s.query(RevisionRow).count() == s.query(ParagraphRow).count() == 0


def test_numbers_and_urls_the_standard_library_cannot_take_are_a_400(client):
    cases = [
        ({"text": BODY, "rate": 1e400}, "rate must be a whole number"),  # JSON's infinity
        ({"text": BODY, "source_url": "http://[::1/x"}, "source_url is not a valid URL"),
        ({"text": BODY, "callback_url": "https://example.com:port/"}, "callback_url is not a"),
    ]
    for body, detail in cases:
        raw = json.dumps(body).replace("Infinity", "1e400").encode()
        response = post_json_bytes(client, raw)
        assert response.status_code == 400, (body, response.data)
        assert conforms(response, "/api/v1/articles", "post")["detail"].startswith(detail)
    response = client.post(
        "/api/v1/batches",
        data={"files": [(io.BytesIO(BODY.encode()), "a.txt")], "callback_url": "http://["},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "callback_url is not a valid URL" in response.get_json()["detail"]
    response = client.get("/api/v1/articles?page=%C2%B2")  # "²" is a digit to str.isdigit
    assert response.status_code == 400
    assert conforms(response, "/api/v1/articles")["detail"].startswith("page must be")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/articles/%00",
        "/api/v1/articles/a%00b/audio.mp3",
        "/api/v1/articles/%ED%A0%80/timings.json",
        "/api/v1/batches/%00",
        "/api/v1/batches/%00/archive.zip",
        "/player/%00",
        "/articles/%01",
    ],
)
def test_ids_that_no_article_can_have_are_a_404(client, path):
    """PostgreSQL refuses a NUL even in a query, so such ids are never looked up."""
    response = client.get(path)
    assert response.status_code == 404, response.data
    assert client.delete(path).status_code in {404, 405}


def test_query_parameters_that_are_not_utf8_are_a_400_naming_them(client):
    response = client.post(
        "/api/v1/articles?voice=en-gb&external_id=story-%ED%A0%80",  # an encoded surrogate
        data=f"Headline\n\n{BODY}".encode(),
        content_type="text/plain",
    )
    assert response.status_code == 400
    detail = conforms(response, "/api/v1/articles", "post")["detail"]
    assert detail.startswith("the query parameter 'external_id' is not UTF-8 text (byte 6")
    response = client.post(
        "/api/v1/batches?callback_url=https://example.com/%FF",
        data=json.dumps({"text": BODY}).encode(),
        content_type="application/x-ndjson",
    )
    assert response.status_code == 400
    assert "'callback_url' is not UTF-8" in conforms(response, "/api/v1/batches", "post")["detail"]
