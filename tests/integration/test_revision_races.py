"""Every change of an article is a compare-and-set on the revision it was built from: a
PATCH or PUT that lost the race to another change gets a 409, and nothing accepted is
overwritten. A PUT keeps the article's collection unless it names one."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from tests.support.articles import ARTICLE
from tests.support.harness import clean_submitted
from tests.support.keys import bearer
from tests.support.openapi_check import conforms
from workers.catalog.db import session_scope
from workers.catalog.keys import create_key
from workers.catalog.models import RevisionRow

pytestmark = pytest.mark.integration

PATH = "/api/v1/articles/{article_id}"
RACERS = 10


def _cleaned_article(app) -> dict:
    client = app.test_client()
    created = client.post("/api/v1/articles", json={"text": ARTICLE})
    assert created.status_code == 202
    clean_submitted(app.extensions["narrate.settings"])
    return client.get(created.get_json()["links"]["self"]).get_json()


def _history(settings, article_id: str) -> list[RevisionRow]:
    with session_scope(settings.database_url) as session:
        query = select(RevisionRow).where(RevisionRow.article_id == article_id)
        revisions = list(session.scalars(query.order_by(RevisionRow.number)))
        for revision in revisions:
            revision.paragraphs  # noqa: B018 (loaded before the session closes)
        return revisions


def test_racing_patches_and_puts_lose_nothing_accepted(app, settings):
    article = _cleaned_article(app)
    url = article["links"]["self"]
    paragraphs = article["paragraphs"]
    start = threading.Barrier(RACERS)
    answers: dict[int, tuple[str, object, int, dict]] = {}

    def race(i: int) -> None:
        client = app.test_client()
        if i % 2:
            change: object = f"Replaced {i}\n\nThe text the editor sent as number {i}."
            start.wait()
            response = client.put(url, json={"text": change})
        else:
            change = paragraphs[1 + (i // 2) % (len(paragraphs) - 1)]
            start.wait()
            drop = [paragraphs.index(str(change))]  # an index in revision 1, as read
            response = client.patch(url, json={"drop": drop, "revision": 1})
        answers[i] = ("PUT" if i % 2 else "PATCH", change, response.status_code, response.json)

    threads = [threading.Thread(target=race, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(answers) == RACERS

    history = {r.number: r for r in _history(settings, article["id"])}
    assert sorted(history) == list(range(1, len(history) + 1))  # in order, none skipped
    accepted = [a for a in answers.values() if a[2] in (200, 202)]
    assert accepted, answers
    for method, change, status, body in answers.values():
        if status not in (200, 202):
            assert status == 409, (method, status, body)
            continue
        revision = history[body["revision"]]
        if method == "PUT":  # its text is the revision it was told it is
            assert revision.raw_text == change
        else:
            assert revision.raw_text is None and change not in [p.text for p in revision.paragraphs]
    new = [a for a in accepted if a[2] == 202]
    assert len(history) == 1 + len(new)  # every revision is a change someone was told of
    for number, revision in history.items():
        if number > 1 and revision.raw_text is None:  # a PATCH is built from what it read:
            before = history[number - 1]  # never from a PUT's text still to be cleaned
            assert before.raw_text is None or number - 1 == 1, (number, answers)
            kept = [p.text for p in before.paragraphs]
            assert all(p.text in kept for p in revision.paragraphs)
    lost = [a for a in answers.values() if a[2] == 409]
    for _, _, _, body in lost:
        assert "again" in body["detail"]


def test_a_patch_built_from_an_older_revision_is_refused(client, settings):
    """The race, one step at a time: the PATCH read revision 1, a PUT committed 2."""
    article = _cleaned_article(client.application)
    from service.web import edits

    real = edits.find_article
    put_between: list[int] = []

    def find_then_put(session, article_id, grant=None):
        row = real(session, article_id, grant)
        row.current  # noqa: B018 (the PATCH has read revision 1)
        other = client.application.test_client()
        put_between.append(
            other.put(article["links"]["self"], json={"text": "Put\n\nIn between."}).status_code
        )
        return row

    edits.find_article = find_then_put
    try:
        response = client.patch(article["links"]["self"], json={"drop": [1]})
    finally:
        edits.find_article = real
    assert put_between == [202]
    assert conforms(response, PATH, "patch")["detail"]
    assert response.status_code == 409, response.json
    assert "fetch the article again" in response.json["detail"]
    history = _history(settings, article["id"])
    assert [r.number for r in history] == [1, 2]
    assert history[-1].raw_text == "Put\n\nIn between."


def test_a_put_keeps_the_collection_unless_it_names_one(app, settings):
    client = app.test_client()
    with session_scope(settings.database_url) as session:
        admin = create_key(session, "admin", "admin")[1]
        news = create_key(session, "newsdesk", "write", ["news"])[1]
    created = client.post(
        "/api/v1/articles",
        json={"text": ARTICLE, "collection": "news"},
        headers=bearer(news),
    ).get_json()
    url = created["links"]["self"]
    kept = client.put(url, json={"text": "New words\n\nAgain."}, headers=bearer(news))
    assert kept.status_code == 202, kept.json
    assert client.get(url, headers=bearer(admin)).json["collection"] == "news"
    moved = client.put(
        url, json={"text": "Moved\n\nTo sport.", "collection": "sport"}, headers=bearer(news)
    )
    assert moved.status_code == 403
    assert "'sport'" in conforms(moved, PATH, "put")["detail"]
    assert client.get(url, headers=bearer(admin)).json["collection"] == "news"
    moved = client.put(
        url, json={"text": "Moved\n\nTo sport.", "collection": "sport"}, headers=bearer(admin)
    )
    assert moved.status_code == 202
    assert client.get(url, headers=bearer(admin)).json["collection"] == "sport"
