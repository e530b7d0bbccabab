"""Hostile shapes and sizes at the edge (issue 23): JSON nested too deep, a 1 MB single
line as a title, numbers that are not whole, key limits beyond reason or beyond the
granting key's own, and /readyz while the broker is away."""

from __future__ import annotations

import threading
import time

import pytest

from service.intake.submissions import MAX_JSON_DEPTH
from tests.support.keys import bearer
from tests.support.openapi_check import conforms
from workers.catalog.db import session_scope
from workers.catalog.keys import create_key

pytestmark = pytest.mark.integration

BODY = "The council approved the new budget on Tuesday after a long and lively debate."
DEEP = ("[" * 100_000 + "]" * 100_000).encode()


def test_json_nested_too_deep_is_a_400_on_every_json_route(app, settings):
    with session_scope(settings.database_url) as session:
        admin = create_key(session, "ops", "admin")[1]
    client = app.test_client()
    article = client.post("/api/v1/articles", json={"text": BODY}, headers=bearer(admin))
    assert article.status_code == 202, article.get_json()
    article_id = article.get_json()["id"]
    routes = [
        ("POST", "/api/v1/articles", "application/json"),
        ("POST", "/api/v1/batches", "application/json"),
        ("POST", "/api/v1/keys", "application/json"),
        ("PUT", "/api/v1/lexicon", "application/json"),
        ("POST", "/api/v1/check", "application/json"),
        ("PATCH", f"/api/v1/articles/{article_id}", "application/json"),
        ("PUT", f"/api/v1/articles/{article_id}/visibility", "application/json"),
        ("POST", f"/api/v1/articles/{article_id}/listens", "text/plain"),
    ]
    for method, path, content_type in routes:
        for body in (DEEP, b'{"a": ' * 5000 + b"1" + b"}" * 5000):
            if "listens" in path:
                body = b"[" * 300 + b"]" * 300  # within the beacon's 1 KB
            response = client.open(
                path, method=method, data=body, content_type=content_type, headers=bearer(admin)
            )
            assert response.status_code == 400, (method, path, response.data[:300])
            detail = response.get_json()["detail"]
            assert f"at most {MAX_JSON_DEPTH} levels" in detail, (path, detail)
    # a string holding brackets is no nesting
    fine = client.post(
        "/api/v1/articles",
        json={"text": BODY + " [" * 500, "external_id": "{" * 150},
        headers=bearer(admin),
    )
    assert fine.status_code == 202, fine.get_json()


def test_a_one_megabyte_single_line_has_a_small_status_answer(settings):
    """On a deployment whose ceiling admits it (the default refuses it at the door)."""
    from service.app import create_app

    roomy = settings.with_overrides(max_article_chars=2_000_000)
    client = create_app({"TESTING": True, "NARRATE_SETTINGS": roomy}).test_client()
    line = " ".join(["word"] * 200_000)[:1_000_000]
    posted = client.post("/api/v1/articles", data=line, content_type="text/plain")
    assert posted.status_code == 202, posted.get_json()
    article_id = posted.get_json()["id"]
    status = client.get(f"/api/v1/articles/{article_id}/status")
    assert status.status_code == 200
    assert len(status.data) < 1024, len(status.data)
    title = conforms(status, "/api/v1/articles/{article_id}/status")["title"]
    assert len(title) <= 200 and title.endswith("…")
    listed = client.get(f"/api/v1/articles/{article_id}").get_json()
    assert len(listed["title"]) <= 300


def test_a_long_cleaned_title_is_stored_short(settings):
    from workers.catalog.content import cleaned_columns
    from workers.pipeline.article import Article

    long = "word " * 100_000
    assert len(cleaned_columns(Article(long, [long]))["title"]) <= 300


@pytest.mark.parametrize("rate", [100.7, "1_00", " 100", "100.0", "+100", "١٠٠", True, 1e400])
def test_a_rate_that_is_not_a_whole_number_is_a_400_naming_it(client, rate):
    response = client.post("/api/v1/articles", json={"text": BODY, "rate": rate})
    assert response.status_code == 400, response.get_json()
    assert "rate" in conforms(response, "/api/v1/articles", "post")["detail"]


@pytest.mark.parametrize("rate", [100, "100"])
def test_a_whole_rate_is_taken(client, rate):
    assert client.post("/api/v1/articles", json={"text": BODY, "rate": rate}).status_code == 202


def test_a_page_size_that_is_not_a_whole_number_is_a_400(client):
    for value in ("1_0", "10.0", " 10", "0", "101"):
        response = client.get(f"/api/v1/articles?per_page={value}")
        assert response.status_code == 400, value
        assert "per_page" in response.get_json()["detail"]


@pytest.mark.parametrize(
    "limit,words",
    [
        ("0/second", "at least 1"),
        ("9999999999999999999999/second", "at most 1000000"),
        ("1000001/hour", "at most 1000000"),
        ("10/fortnight", "notation"),
        ("10 per second;;", "notation"),
        ("1_0/second", "notation"),
    ],
)
def test_a_key_limit_out_of_range_is_a_400_naming_it(app, settings, limit, words):
    with session_scope(settings.database_url) as session:
        admin = create_key(session, "ops", "admin")[1]
    made = app.test_client().post(
        "/api/v1/keys",
        json={"name": "k", "scope": "write", "limit": limit},
        headers=bearer(admin),
    )
    assert made.status_code == 400, made.get_json()
    detail = conforms(made, "/api/v1/keys", "post")["detail"]
    assert "limit" in detail and words in detail, detail


def test_a_key_cannot_grant_a_limit_above_its_own(app, settings):
    with session_scope(settings.database_url) as session:
        admin = create_key(session, "ops", "admin", submission_limit="100/minute;1000/hour")[1]
    client = app.test_client()

    def make(limit):
        return client.post(
            "/api/v1/keys",
            json={"name": "k", "scope": "write", "limit": limit},
            headers=bearer(admin),
        )

    for above in ("101/minute", "10/second", "50/minute", "2000/day"):
        refused = make(above)
        assert refused.status_code == 400, (above, refused.get_json())
        assert "100/minute;1000/hour" in refused.get_json()["detail"]
    for within in ("100/minute;1000/hour", "10/minute;500/hour", "16/minute;1000/hour", "1/minute"):
        assert make(within).status_code == 201, within


def test_a_key_without_its_own_limit_grants_within_the_default(settings):
    from service.app import create_app

    app = create_app(
        {"TESTING": True, "NARRATE_SETTINGS": settings.with_overrides(limit_submissions="60/hour")}
    )
    with session_scope(settings.database_url) as session:
        admin = create_key(session, "ops", "admin")[1]
    made = app.test_client().post(
        "/api/v1/keys",
        json={"name": "k", "scope": "write", "limit": "2/minute"},
        headers=bearer(admin),
    )
    assert made.status_code == 400 and "60/hour" in made.get_json()["detail"]


def test_the_command_line_refuses_a_limit_out_of_range(app, settings):
    from workers.catalog.keys import KeyRequestError

    with session_scope(settings.database_url) as session, pytest.raises(KeyRequestError):
        create_key(session, "k", "write", submission_limit="0/second")


def test_readiness_answers_fast_and_checks_once_a_second_while_the_broker_is_away(settings):
    from service.app import create_app

    broken = settings.with_overrides(redis_url="redis://127.0.0.1:1/0")
    app = create_app({"TESTING": True, "NARRATE_SETTINGS": broken})
    queue = app.extensions["narrate.queue"]
    checks = []
    real = queue.reachable

    def counted():
        checks.append(time.monotonic())
        return real()

    queue.reachable = counted
    started = time.monotonic()
    first = app.test_client().get("/readyz")
    assert time.monotonic() - started < 1.0
    assert first.status_code == 503 and first.get_json()["checks"]["broker"] is False
    answers = []

    def poll():
        answers.append(app.test_client().get("/readyz").status_code)

    threads = [threading.Thread(target=poll) for _ in range(8)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert time.monotonic() - started < 1.0
    assert answers == [503] * 8
    assert len(checks) <= 2, checks  # the first, and at most one more a second later
