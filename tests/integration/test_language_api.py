"""The detected language through the API: stored on the revision, reported, and choosing
the espeak-ng voice when the submission names none; a real worker speaks it."""

from __future__ import annotations

import pytest

from tests.support.articles import TEXTS
from tests.support.harness import clean_submitted
from tests.support.openapi_check import conforms
from tests.support.waits import wait_for

pytestmark = pytest.mark.integration

PATH = "/api/v1/articles/{article_id}"


def submitted(client, **body) -> dict:
    """The article once cleaned (as the worker's first step would clean it)."""
    response = client.post("/api/v1/articles", json=body)
    assert response.status_code == 202, response.get_json()
    clean_submitted(client.application.extensions["narrate.settings"])
    return conforms(client.get(response.get_json()["links"]["self"]), PATH)


@pytest.mark.parametrize(
    ("language", "voice"), [("de", "gmw/de"), ("fr", "roa/fr"), ("es", "roa/es"), ("en", "gmw/en")]
)
def test_the_language_picks_the_voice_when_none_is_named(client, language, voice):
    article = submitted(client, title="Headline", text=TEXTS[language])
    assert (article["language"], article["voice"]) == (language, voice)


def test_a_named_voice_is_kept_whatever_the_language(client):
    article = submitted(client, title="Brücke", text=TEXTS["de"], voice="en-gb")
    assert (article["language"], article["voice"]) == ("de", "en-gb")


def test_a_page_too_short_to_tell_is_taken_at_its_lang(client):
    html = (
        '<html lang="it"><head><title>Ponte</title></head><body><article><h1>Ponte</h1>'
        "<p>Sì, domani.</p></article></body></html>"
    )
    assert submitted(client, html=html)["language"] == "it"


def test_a_german_article_is_spoken_by_a_real_worker_in_german(client, worker):
    text = TEXTS["de"] + "\n\nDie Arbeiten kosten 2,4 Millionen Euro und dauern acht Monate."
    created = client.post("/api/v1/articles", json={"title": "Brücke wird saniert", "text": text})
    done = wait_for(client, created.get_json()["links"]["self"], "done")[-1]
    assert done["duration_ms"] > 3000
    assert client.get(created.get_json()["links"]["self"]).get_json()["voice"] == "gmw/de"
