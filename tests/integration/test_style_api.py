"""The house style through the API: asked for per article (JSON field, form field or
query parameter), else the voice's locale, else NARRATE_STYLE; stored on the revision,
reported, used for the spoken text, and kept by an editor's PATCH."""

from __future__ import annotations

import io

import pytest

from service.app import create_app
from tests.support.harness import clean_submitted
from tests.support.openapi_check import conforms
from workers.catalog.db import session_scope
from workers.catalog.models import ArticleRow

pytestmark = pytest.mark.integration

PATH = "/api/v1/articles/{article_id}"
JOE = "piper:en_US-joe-medium"
TEXT = "Markets\n\nOn July 4, 1976, shares rose $1.52, or 5%.\n\nThe fund holds 105 homes."
BRITISH = (
    "On July the fourth, nineteen seventy-six, shares rose one dollar fifty-two, or five per cent."
)
AMERICAN = "On July fourth, nineteen seventy-six, shares rose a dollar fifty-two, or five percent."


def said(client, response) -> tuple[str, str]:
    """(style reported, spoken text of the second paragraph) once cleaned."""
    assert response.status_code == 202, response.get_json()
    settings = client.application.extensions["narrate.settings"]
    clean_submitted(settings)
    article = conforms(client.get(response.get_json()["links"]["self"]), PATH)
    with session_scope(settings.database_url) as session:
        spoken = session.get(ArticleRow, article["id"]).current.paragraphs[1].spoken
    return article["style"], spoken


def test_the_style_is_the_articles_then_the_voices_then_the_deployments(client, settings):
    def post(title: str, **fields) -> tuple[str, str]:
        body = {"text": TEXT.replace("Markets", title), **fields}
        return said(client, client.post("/api/v1/articles", json=body))

    assert post("a") == ("en-GB", BRITISH)
    assert post("b", style="en-US") == ("en-US", AMERICAN)
    assert post("c", voice=JOE) == ("en-US", AMERICAN)  # an en_US voice reads American
    assert post("d", voice=JOE, style="en-gb") == ("en-GB", BRITISH)

    american = settings.with_overrides(style="en-US")  # NARRATE_STYLE=en-US
    deployment = create_app({"TESTING": True, "NARRATE_SETTINGS": american}).test_client()
    body = {"text": TEXT.replace("Markets", "e")}
    assert said(deployment, deployment.post("/api/v1/articles", json=body)) == ("en-US", AMERICAN)
    body = {"text": TEXT.replace("Markets", "f"), "voice": "en-gb"}  # the voice's locale first
    assert said(deployment, deployment.post("/api/v1/articles", json=body)) == ("en-GB", BRITISH)


def test_text_bodies_take_the_style_in_the_query_and_uploads_in_a_form_field(client):
    query = client.post(
        "/api/v1/articles?style=en-US", data=TEXT.encode(), content_type="text/plain"
    )
    assert said(client, query) == ("en-US", AMERICAN)
    form = {"file": (io.BytesIO(TEXT.replace("Markets", "Upload").encode()), "a.txt")}
    upload = client.post(
        "/api/v1/articles", data={**form, "style": "en-US"}, content_type="multipart/form-data"
    )
    assert said(client, upload) == ("en-US", AMERICAN)


def test_the_same_text_in_another_style_is_a_new_revision_and_the_same_style_is_not(client):
    first = client.post("/api/v1/articles", json={"text": TEXT, "external_id": "m"})
    assert said(client, first)[0] == "en-GB"
    same = client.post("/api/v1/articles", json={"text": TEXT, "external_id": "m"})
    assert same.status_code == 200  # nothing changed: nothing to make
    other = client.post(
        "/api/v1/articles", json={"text": TEXT, "external_id": "m", "style": "en-US"}
    )
    assert conforms(other, "/api/v1/articles", "post")["revision"] == 2
    assert said(client, other) == ("en-US", AMERICAN)


def test_an_unknown_style_is_a_400_that_names_the_styles(client):
    response = client.post("/api/v1/articles", json={"text": TEXT, "style": "en-AU"})
    problem = conforms(response, "/api/v1/articles", "post")
    assert response.status_code == 400
    assert "style must be one of en-GB, en-US" in problem["detail"]
    assert "'en-AU'" in problem["detail"]


def test_an_edit_keeps_the_articles_style(client, settings):
    created = client.post("/api/v1/articles", json={"text": TEXT, "style": "en-US"})
    assert said(client, created) == ("en-US", AMERICAN)
    link = created.get_json()["links"]["self"]
    edited = client.patch(link, json={"drop": [2]})
    assert conforms(edited, PATH, "patch")["revision"] == 2
    assert client.get(link).get_json()["style"] == "en-US"
    with session_scope(settings.database_url) as session:
        revision = session.get(ArticleRow, created.get_json()["id"]).current
        assert (revision.number, revision.style) == (2, "en-US")
        assert [p.spoken for p in revision.paragraphs] == ["Markets", AMERICAN]


def test_a_collections_style_comes_after_the_articles_and_before_the_voices(client):
    made = client.put("/api/v1/collections/wire", json={"title": "Wire", "style": "en-US"})
    assert made.status_code in (200, 201), made.get_json()

    def post(title: str, **fields) -> tuple[str, str]:
        body = {"text": TEXT.replace("Markets", title), "collection": "wire", **fields}
        return said(client, client.post("/api/v1/articles", json=body))

    assert post("g") == ("en-US", AMERICAN)
    assert post("h", voice="en-gb") == ("en-US", AMERICAN)
    assert post("i", style="en-GB") == ("en-GB", BRITISH)
    checked = client.post("/api/v1/check", json={"text": TEXT, "collection": "wire"})
    assert checked.status_code == 200, checked.get_json()
