"""Editors decide: PATCH /api/v1/articles/{id} with `keep` and `drop` makes a new revision
that synthesises only what changed."""

from __future__ import annotations

import pytest

from tests.support.articles import ARTICLE
from tests.support.harness import (
    clean_submitted,
    run_jobs_in_process,
    said_anew,
    synthesised_by_revision,
)
from tests.support.openapi_check import conforms
from tests.support.waits import wait_for

pytestmark = pytest.mark.integration

PATH = "/api/v1/articles/{article_id}"


def submitted(client) -> dict:
    """The article posted and cleaned (as the worker's first step would)."""
    created = client.post("/api/v1/articles", json={"text": ARTICLE})
    assert created.status_code == 202
    clean_submitted(client.application.extensions["narrate.settings"])
    return client.get(created.get_json()["links"]["self"]).get_json()


def removed_index(article: dict, text: str) -> int:
    return next(i for i, line in enumerate(article["removed"]) if line["text"] == text)


def test_keep_and_drop_make_a_new_revision_in_the_original_order(client, settings, tmp_path):
    article = submitted(client)
    newsletter = "Sign up to our newsletter for the latest local news."
    assert newsletter not in article["paragraphs"]
    moored = article["paragraphs"].index(
        "Fishing boats will moor at the north quay while the work goes on."
    )
    response = client.patch(
        article["links"]["self"],
        json={"keep": [removed_index(article, newsletter)], "drop": [moored], "revision": 1},
    )
    assert conforms(response, PATH, "patch")["revision"] == 2
    assert response.status_code == 202
    edited = conforms(client.get(article["links"]["self"]), PATH)
    assert edited["paragraphs"] == [
        "Harbour wall to be rebuilt after storm",
        "The council agreed on Tuesday to rebuild the harbour wall damaged in the storm.",
        "Work will start in the spring and is expected to last eight months.",
        newsletter,
        "Residents can see the plans at the library until the end of the month.",
    ]
    assert {
        "text": "Fishing boats will moor at the north quay while the work goes on.",
        "rule": "editor",
        "position": 4,
    } in edited["removed"]
    assert newsletter not in [line["text"] for line in edited["removed"]]
    assert "By Ana Silva" in [line["text"] for line in edited["removed"]]  # untouched

    # the skipped paragraph is read again: a third revision, back to the original order
    again = client.patch(
        article["links"]["self"],
        json={"keep": [removed_index(edited, edited["removed"][-1]["text"])]},
    )
    assert conforms(again, PATH, "patch")["revision"] == 3
    restored = client.get(article["links"]["self"]).get_json()["paragraphs"]
    assert restored[3:5] == [
        newsletter,
        "Fishing boats will moor at the north quay while the work goes on.",
    ]


def test_an_edit_synthesises_only_the_paragraphs_that_changed(client, settings, tmp_path):
    article = submitted(client)
    run_jobs_in_process(settings, tmp_path)
    newsletter = removed_index(article, "Sign up to our newsletter for the latest local news.")
    response = client.patch(article["links"]["self"], json={"keep": [newsletter], "drop": [2]})
    assert response.status_code == 202
    run_jobs_in_process(settings, tmp_path)
    assert client.get(article["links"]["self"]).get_json()["status"] == "done"
    paragraphs = len(article["paragraphs"])
    assert synthesised_by_revision(settings, article["id"]) == {1: paragraphs, 2: 1}
    timings = client.get(article["links"]["timings"]).get_json()["paragraphs"]
    assert len(timings) == paragraphs  # one paragraph more, one fewer


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({}, 400, "nothing to change"),
        ({"keep": [99]}, 400, "removed lines, indexes 0 to"),
        ({"drop": [0]}, 400, "0 is the headline"),
        ({"drop": [99]}, 400, "paragraphs 1 to"),
        ({"drop": "2"}, 400, "must be a list"),
        ({"drop": [True]}, 400, "must be a list"),
        ({"skip": [1]}, 400, "unknown field(s) skip"),
        ([1, 2], 400, "JSON object"),
        ({"drop": [2], "revision": 7}, 409, "at revision 1"),
    ],
)
def test_bad_edits_say_what_to_change(client, body, status, says):
    article = submitted(client)
    response = client.patch(article["links"]["self"], json=body)
    problem = conforms(response, PATH, "patch")
    assert response.status_code == status
    assert says in problem["detail"]
    assert client.get(article["links"]["self"]).get_json()["revision"] == 1


def test_an_article_still_being_cleaned_cannot_be_edited_yet(client):
    created = client.post("/api/v1/articles", json={"text": ARTICLE}).get_json()
    response = client.patch(created["links"]["self"], json={"drop": [1]})
    assert response.status_code == 409
    assert response.headers["Retry-After"] == "5"
    assert "still being cleaned" in conforms(response, PATH, "patch")["detail"]


def test_editing_an_unknown_article_is_404(client):
    response = client.patch("/api/v1/articles/nope", json={"drop": [1]})
    assert conforms(response, PATH, "patch")["status"] == 404


def test_a_real_worker_makes_only_the_changed_paragraphs_of_an_edit(client, worker, settings):
    created = client.post("/api/v1/articles", json={"text": ARTICLE}).get_json()
    wait_for(client, created["links"]["self"], "done")
    article = first = client.get(created["links"]["self"]).get_json()  # a read after "done"
    newsletter = removed_index(article, "Sign up to our newsletter for the latest local news.")
    edit = client.patch(created["links"]["self"], json={"keep": [newsletter], "drop": [1, 2]})
    assert edit.status_code == 202
    wait_for(client, created["links"]["self"], "done")
    second = client.get(created["links"]["self"]).get_json()
    assert second["revision"] == 2
    assert synthesised_by_revision(settings, created["id"]) == {1: len(article["paragraphs"]), 2: 1}
    timings = client.get(created["links"]["timings"]).get_json()["paragraphs"]
    assert [p["text"] for p in timings] == client.get(created["links"]["self"]).get_json()[
        "paragraphs"
    ]
    assert second["duration_ms"] < first["duration_ms"]  # two paragraphs out, a short one in


def test_the_article_page_lists_removed_lines_collapsed_with_the_controls(client):
    article = submitted(client)
    html = client.get(f"/articles/{article['id']}").get_data(as_text=True)
    assert '<details class="removed">' in html and '<details class="removed" open' not in html
    assert f"{len(article['removed'])} lines left out of the audio" in html
    for index, line in enumerate(article["removed"]):
        assert f'data-keep="{index}"' in html
        assert line["text"] in html
    skips = [f'data-drop="{index}"' for index in range(1, len(article["paragraphs"]))]
    assert all(skip in html for skip in skips)
    assert 'data-drop="0"' not in html  # the headline stays
    assert "const tokenRequired = false;" in html


def test_the_page_says_when_the_controls_need_a_token(settings):
    from service.app import create_app

    guarded = settings.with_overrides(api_tokens=("secret",))
    client = create_app({"TESTING": True, "NARRATE_SETTINGS": guarded}).test_client()
    created = client.post(
        "/api/v1/articles", json={"text": ARTICLE}, headers={"Authorization": "Bearer secret"}
    ).get_json()
    html = client.get(f"/articles/{created['id']}").get_data(as_text=True)
    assert "const tokenRequired = true;" in html
    assert "secret" not in html
    refused = client.patch(created["links"]["self"], json={"drop": [1]})
    assert conforms(refused, PATH, "patch")["status"] == 401


def test_while_an_edit_is_made_the_previous_revision_is_served(client, settings, tmp_path):
    article = submitted(client)
    run_jobs_in_process(settings, tmp_path)
    links = article["links"]
    first = {name: client.get(links[name]) for name in ("audio", "timings", "captions")}
    assert all(
        r.status_code == 200 and r.headers["Narrate-Revision"] == "1" for r in first.values()
    )

    edited = ARTICLE.replace("eight months", "nine months")
    put = client.put(links["self"], data=edited.encode(), content_type="text/plain")
    assert put.get_json()["revision"] == 2 and put.get_json()["status"] == "cleaning"
    during = {name: client.get(links[name]) for name in first}
    for name, response in during.items():  # not a 409: the audio it had, saying so
        assert response.status_code == 200, (name, response.get_json())
        assert response.headers["Narrate-Revision"] == "1"
        assert response.data == first[name].data
    status = client.get(f"/api/v1/articles/{article['id']}/status").get_json()
    # the player plays revision 1's MP3 rather than revision 2's segments as they are made
    assert (status["stage"], status["audio_revision"]) == ("queued", 1)

    run_jobs_in_process(settings, tmp_path)
    after = client.get(links["timings"])
    assert after.headers["Narrate-Revision"] == "2"
    assert "nine months" in after.get_data(as_text=True)
    assert client.get(links["audio"]).headers["Narrate-Revision"] == "2"


def test_an_edit_keeps_the_collections_lexicon_and_its_fingerprint(client, settings):
    """An edited revision is said as the worker said the first: with the deployment's
    entries and the collection's (an edit once lost both, so a paragraph the lexicon made
    6.9 s long came out 3.7 s)."""
    from workers.catalog.db import session_scope
    from workers.catalog.models import ArticleRow

    entries = [
        {"word": "harbour", "say": "harbourside", "collection": "coast"},
        {"word": "council", "say": "town council"},  # every collection
    ]
    assert client.put("/api/v1/lexicon", json={"entries": entries}).status_code == 200
    created = client.post("/api/v1/articles", json={"text": ARTICLE, "collection": "coast"})
    assert created.status_code == 202
    clean_submitted(settings)
    article = client.get(created.get_json()["links"]["self"]).get_json()
    moored = article["paragraphs"].index(
        "Fishing boats will moor at the north quay while the work goes on."
    )
    edited = client.patch(article["links"]["self"], json={"drop": [moored]})
    assert edited.status_code == 202

    with session_scope(settings.database_url) as session:
        revisions = session.get(ArticleRow, article["id"]).revisions
        said = {r.number: [p.spoken for p in r.paragraphs] for r in revisions}
        keys = {r.number: r.lexicon_key for r in revisions}
    assert "The town council agreed" in said[1][1] and "harbourside wall" in said[1][1]
    assert said[2][1] == said[1][1]
    assert said[2][0] == said[1][0]  # the title: "Harbourside wall to be rebuilt ..."
    assert keys[2] is not None and keys[2] == keys[1]


@pytest.mark.parametrize("lexicon_changed", [False, True])
def test_a_patch_keeps_the_spoken_text_of_a_revision_said_alike(
    client, settings, monkeypatch, lexicon_changed
):
    """A PATCH says anew no paragraph it keeps (saying_key), unless the lexicon changed
    since the revision it edits was said: then every paragraph, with the new entry."""
    from workers.catalog.db import session_scope
    from workers.catalog.models import ArticleRow

    article = submitted(client)
    if lexicon_changed:
        entries = [{"word": "council", "say": "town council"}]
        assert client.put("/api/v1/lexicon", json={"entries": entries}).status_code == 200
    calls = said_anew(monkeypatch)
    edited = client.patch(article["links"]["self"], json={"drop": [len(article["paragraphs"]) - 1]})
    assert edited.status_code == 202
    kept = article["paragraphs"][:-1]
    assert calls == (kept if lexicon_changed else [])
    with session_scope(settings.database_url) as session:
        revision = session.get_one(ArticleRow, article["id"]).current
        spoken = [p.spoken for p in revision.paragraphs]
    assert len(spoken) == len(kept)
    assert any("town council" in text for text in spoken) == lexicon_changed
