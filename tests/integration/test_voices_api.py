"""GET /api/v1/voices, the voice a submission gets, and the submit page's voice picker."""

from __future__ import annotations

import pytest

from service.app import create_app
from tests.support.openapi_check import conforms
from tests.support.services import queue_key
from tests.support.voices import piper_pair

pytestmark = pytest.mark.integration
JOE = "piper:en_US-joe-medium"


def test_voices_lists_both_engines_with_language_and_sample_rate(client):
    body = conforms(client.get("/api/v1/voices"), "/api/v1/voices")
    voices = {v["name"]: v for v in body["voices"]}
    assert voices[JOE] == {
        "name": JOE,
        "engine": "piper",
        "language": "en-US",
        "sample_rate": 22050,
        "label": "Joe (English, United States) Piper medium",
    }
    assert voices["espeak:gmw/en"]["language"] == "en-gb"
    assert body["voices"][0]["engine"] == "piper"  # the natural voices first
    assert body["default"] == "gmw/en"


def test_voices_filter_by_engine_and_language(client):
    piper = conforms(client.get("/api/v1/voices?engine=piper"), "/api/v1/voices")
    assert {v["engine"] for v in piper["voices"]} == {"piper"}
    british = conforms(client.get("/api/v1/voices?language=en-GB"), "/api/v1/voices")
    assert british["voices"] and all(v["language"].startswith("en-gb") for v in british["voices"])
    bad = client.get("/api/v1/voices?engine=festival")
    assert conforms(bad, "/api/v1/voices")["detail"].startswith("engine must be one of espeak")


def test_a_voice_dropped_in_the_voice_directory_is_listed_and_accepted(settings):
    piper_pair(settings.data_dir / "voices", "en_GB-alan-low", rate=16000)
    client = create_app({"TESTING": True, "NARRATE_SETTINGS": settings}).test_client()
    voices = {v["name"]: v for v in client.get("/api/v1/voices").get_json()["voices"]}
    assert voices["piper:en_GB-alan-low"]["sample_rate"] == 16000
    created = client.post(
        "/api/v1/articles", json={"text": "T\n\nHello.", "voice": "piper:en_GB-alan-low"}
    )
    assert created.status_code == 202


def test_the_voice_is_the_submissions_then_the_collections_then_the_deployments(settings):
    configured = settings.with_overrides(voice="espeak:en-us", collection_voices={"sport": JOE})
    client = create_app({"TESTING": True, "NARRATE_SETTINGS": configured}).test_client()

    def voice_of(**fields) -> str:
        created = client.post("/api/v1/articles", json={"text": "T\n\nBody.", **fields})
        assert created.status_code == 202, created.get_json()
        return client.get(created.get_json()["links"]["self"]).get_json()["voice"]

    assert voice_of(title="a", collection="sport") == JOE
    assert voice_of(title="b", collection="sport", voice="espeak:gmw/en") == "espeak:gmw/en"
    assert voice_of(title="c", collection="news") == "espeak:en-us"
    assert voice_of(title="d", voice="en-gb") == "en-gb"  # an old name, kept as given


@pytest.mark.parametrize(
    ("voice", "says"),
    [
        ("piper:en_US-nobody-high", "installed Piper voices are piper:en_US-joe-medium"),
        ("piper:/etc/passwd", "is a path; submissions name an installed voice"),
        ("festival:kal", "names no known engine"),
    ],
)
def test_a_voice_that_cannot_be_had_is_a_400_that_says_which_can(client, broker, voice, says):
    response = client.post("/api/v1/articles", json={"text": "T\n\nBody.", "voice": voice})
    assert conforms(response, "/api/v1/articles", "post")["detail"].count(says) == 1
    assert response.status_code == 400
    assert client.get("/api/v1/articles").get_json()["items"] == []  # nothing stored
    assert broker.llen(queue_key("narrate")) == 0  # nothing queued


def test_text_bodies_take_the_voice_in_the_query(client):
    created = client.post(
        f"/api/v1/articles?voice={JOE}", data=b"T\n\nBody.", content_type="text/plain"
    )
    assert created.status_code == 202
    assert client.get(created.get_json()["links"]["self"]).get_json()["voice"] == JOE


def test_the_submit_page_offers_the_installed_voices(client):
    page = client.get("/").get_data(as_text=True)
    picker = page[page.index('<select id="voice"') : page.index("</select>")]
    assert f'<option value="{JOE}">Joe (English, United States) Piper medium' in picker
    assert '<option value="espeak:gmw/en">' in picker
    assert picker.index('label="Natural (Piper)"') < picker.index('label="espeak-ng"')
    assert "This server's voice (gmw/en)" in picker
