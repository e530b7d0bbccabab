"""A podcast episode is the article: edited (a PUT with new text, or an editor's PATCH), it
keeps its guid and pubDate, stays in the feed while the new revision is made, and its
enclosure becomes the new audio once that is done."""

from __future__ import annotations

import time

import feedparser
import pytest

from tests.support.harness import clean_submitted, run_jobs_in_process
from workers.runtime import jobs

pytestmark = pytest.mark.integration

ARTICLE = "\n\n".join(
    [
        "Harbour wall to be rebuilt after storm",
        "The council agreed on Tuesday to rebuild the harbour wall damaged in the storm.",
        "Work will start in the spring and is expected to last eight months.",
        "Fishing boats will moor at the north quay while the work goes on.",
    ]
)
MORE = ARTICLE + "\n\nResidents can see the plans at the library until the end of the month."


def episode(client) -> dict | None:
    """The feed's only episode: guid, pubDate, enclosure (url, length); None if none."""
    parsed = feedparser.parse(client.get("/feeds/all.xml").data)
    assert not parsed.bozo, parsed.bozo_exception
    if not parsed.entries:
        return None
    (entry,) = parsed.entries
    (enclosure,) = entry.enclosures
    return {
        "guid": entry.id,
        "pubDate": entry.published,
        "enclosure": (enclosure.href, enclosure.length),
    }


def edit(client, article: dict, how: str) -> None:
    if how == "put":
        response = client.put(article["links"]["self"], json={"text": MORE})
    else:
        moored = article["paragraphs"].index(
            "Fishing boats will moor at the north quay while the work goes on."
        )
        response = client.patch(article["links"]["self"], json={"drop": [moored]})
    assert response.status_code == 202, response.get_json()
    assert response.get_json()["revision"] == 2


@pytest.mark.parametrize("how", ["put", "patch"])
def test_an_edited_article_is_the_same_episode_with_new_audio(client, settings, tmp_path, how):
    created = client.post("/api/v1/articles", json={"text": ARTICLE, "visibility": "public"})
    run_jobs_in_process(settings, tmp_path)
    before = episode(client)
    assert before is not None
    article = client.get(created.get_json()["links"]["self"]).get_json()
    time.sleep(1.1)  # a pubDate has whole seconds: a re-dated episode would show

    edit(client, article, how)
    clean_submitted(settings)
    assert client.get(article["links"]["self"]).get_json()["status"] == "queued"
    assert episode(client) == before  # still there, with the audio it has

    run_jobs_in_process(settings, tmp_path)
    assert client.get(article["links"]["self"]).get_json()["revision"] == 2
    after = episode(client)
    assert after is not None
    assert (after["guid"], after["pubDate"]) == (before["guid"], before["pubDate"])
    assert after["enclosure"] != before["enclosure"]
    url, length = after["enclosure"]
    audio = client.get(url)
    assert audio.status_code == 200 and int(length) == len(audio.data)


def test_an_edit_that_fails_leaves_the_episode_as_it_was(client, settings, tmp_path):
    created = client.post("/api/v1/articles", json={"text": ARTICLE, "visibility": "public"})
    run_jobs_in_process(settings, tmp_path)
    before = episode(client)
    assert before is not None
    client.put(created.get_json()["links"]["self"], json={"text": MORE})
    (job_id,) = clean_submitted(settings)  # cleaned; then its synthesis fails for good
    assert jobs.fail(settings, job_id, "the engine gave up")
    assert client.get(created.get_json()["links"]["self"]).get_json()["status"] == "failed"
    assert episode(client) == before
