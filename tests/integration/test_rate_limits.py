"""Rate limits and quotas, counted in the real (test) Redis."""

from __future__ import annotations

import pytest
import redis

from tests.support.openapi_check import conforms
from workers.config import ConfigurationError, Settings

pytestmark = pytest.mark.integration

ARTICLE = {"title": "T", "text": "One paragraph.\n\nAnother paragraph."}


@pytest.fixture
def limited(settings):
    from service.app import create_app

    def make(**limits):
        configured = settings.with_overrides(**limits)
        return create_app({"TESTING": True, "NARRATE_SETTINGS": configured}).test_client()

    return make


def test_submissions_over_the_limit_get_429_with_the_headers(limited):
    client = limited(limit_submissions="3/minute")
    for n in range(3):
        accepted = client.post("/api/v1/articles", json={**ARTICLE, "title": f"T{n}"})
        assert accepted.status_code == 202
        assert accepted.headers["RateLimit-Limit"] == "3"
        assert accepted.headers["RateLimit-Remaining"] == str(2 - n)
    refused = client.post("/api/v1/articles", json=ARTICLE)
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["RateLimit-Remaining"] == "0"
    assert int(refused.headers["RateLimit-Reset"]) <= 60
    assert client.get("/api/v1/articles").status_code == 200  # reads are counted apart


def test_each_key_has_its_own_submission_limit(limited):
    client = limited(limit_submissions="1/minute", api_tokens=("first", "second"))
    for token in ("first", "second"):
        headers = {"Authorization": f"Bearer {token}"}
        article = {**ARTICLE, "title": token}
        assert client.post("/api/v1/articles", json=article, headers=headers).status_code == 202
        assert client.post("/api/v1/articles", json=article, headers=headers).status_code == 429


def test_reads_are_limited_per_client_address(limited):
    client = limited(limit_reads="5/minute")
    answers = [client.get("/api/v1/articles") for _ in range(5)]
    assert {a.status_code for a in answers} == {200}
    assert client.get("/api/v1/articles").status_code == 429
    other = client.get("/api/v1/articles", environ_base={"REMOTE_ADDR": "127.0.0.9"})
    assert other.status_code == 200
    assert client.get("/healthz").status_code == 200  # probes are never limited


def test_the_quota_is_charged_by_size_and_refuses_big_submissions_keeping_nothing(limited):
    client = limited(limit_characters="1000/hour")
    short = {"title": "Short", "text": "A short paragraph of news."}  # about 30 characters
    for n in range(2):
        assert client.post("/api/v1/articles", json={**short, "title": f"S{n}"}).status_code == 202
    one_line = {"title": "Long", "text": "word " * 200}  # one line, 1,000 characters
    refused = client.post("/api/v1/articles", json=one_line)
    assert refused.status_code == 429
    body = conforms(refused, "/api/v1/articles", "post")
    assert "NARRATE_LIMIT_CHARACTERS" in body["detail"]
    assert int(refused.headers["Retry-After"]) >= 1
    assert client.get("/api/v1/articles").get_json()["total"] == 2


def test_by_default_a_900_kb_single_line_article_is_refused_not_charged_one_paragraph(limited):
    client = limited()  # the defaults: within the 1 MB upload limit, hours of audio
    refused = client.post("/api/v1/articles", data="word " * 180_000, content_type="text/plain")
    assert refused.status_code == 413
    assert "split it" in refused.get_json()["detail"]
    assert client.get("/api/v1/articles").get_json()["total"] == 0


def test_the_old_paragraph_quota_setting_is_named_at_start():
    with pytest.raises(ConfigurationError, match="NARRATE_LIMIT_CHARACTERS"):
        Settings.from_env({"HOME": "/tmp", "NARRATE_LIMIT_PARAGRAPHS": "20000/hour"})


def test_an_article_over_the_ceiling_is_refused_at_the_door(limited):
    client = limited(max_article_chars=5_000)
    under = client.post("/api/v1/articles", json={"title": "Under", "text": "word " * 900})
    assert under.status_code == 202
    over = {"title": "Over", "text": "word " * 1_100}  # a single line of 5,500 characters
    refused = client.post("/api/v1/articles", json=over)
    assert refused.status_code == 413
    detail = conforms(refused, "/api/v1/articles", "post")["detail"]
    assert "NARRATE_MAX_ARTICLE_CHARS" in detail and "split" in detail
    url = under.get_json()["links"]["self"]
    put = client.put(url, json=over)
    assert put.status_code == 413
    assert "NARRATE_MAX_ARTICLE_CHARS" in put.get_json()["detail"]
    batch = client.post("/api/v1/batches", json=[over, {"title": "Fine", "text": "Short."}])
    assert batch.status_code == 202
    counts = batch.get_json()["counts"]
    assert (counts["cleaning"], counts["failed"]) == (1, 1)
    items = client.get(batch.get_json()["links"]["self"]).get_json()["items"]
    assert "NARRATE_MAX_ARTICLE_CHARS" in items[0]["error"]
    assert client.get("/api/v1/articles").get_json()["total"] == 2


def test_a_slow_rate_counts_against_the_ceiling_as_the_audio_it_makes(limited):
    """About 4,500 characters fit 5,000 at the default 175 words a minute; at 80 they
    make as much audio as some 9,850 and are refused, saying what to change, wherever
    they come in (a POST, a PUT, a batch item)."""
    client = limited(max_article_chars=5_000)
    text = {"title": "Slow", "text": "word " * 900}  # 4,504 characters with the title
    assert client.post("/api/v1/articles", json=text).status_code == 202
    slow = {**text, "title": "Slower", "rate": 80}  # 4,506: 9,857 at the default rate
    refused = client.post("/api/v1/articles", json=slow)
    assert refused.status_code == 413
    detail = conforms(refused, "/api/v1/articles", "post")["detail"]
    assert "at 80 words a minute" in detail and "9,857" in detail
    assert "split" in detail and "faster rate (at least 158 words a minute)" in detail
    assert client.post("/api/v1/articles", json={**slow, "rate": 158}).status_code == 202
    url = client.post("/api/v1/articles", json={**text, "title": "Put"}).get_json()["links"]
    assert client.put(url["self"], json={**slow, "title": "Put"}).status_code == 413
    batch = client.post("/api/v1/batches", json=[slow, {**slow, "title": "Ok", "rate": 175}])
    items = client.get(batch.get_json()["links"]["self"]).get_json()["items"]
    assert "faster rate" in items[0]["error"] and items[1].get("error") is None
    assert client.get("/api/v1/articles").get_json()["total"] == 4


def test_the_quota_is_charged_in_characters_at_the_default_rate(limited):
    """442 characters cost 442 at the default rate and 967 at 80 words a minute (442 x
    175 / 80, rounded up): two fit a quota of 1,000 at the default rate, not at 80."""
    client = limited(limit_characters="1000/hour")
    text = {"title": "T", "text": "word " * 88}  # 442 characters with a 2-letter title

    def post(address: str, **fields) -> object:
        body = {**text, **fields}
        return client.post("/api/v1/articles", json=body, environ_base={"REMOTE_ADDR": address})

    assert post("127.0.0.2", title="A1").status_code == 202
    assert post("127.0.0.2", title="A2").status_code == 202  # 884
    assert post("127.0.0.3", title="B1", rate=80).status_code == 202  # 967 alone fits
    assert post("127.0.0.4", title="C1").status_code == 202
    refused = post("127.0.0.4", title="C2", rate=80)  # 442 + 967 > 1,000
    assert refused.status_code == 429
    assert "967 characters" in refused.get_json()["detail"]
    assert post("127.0.0.4", title="C3", rate=350).status_code == 202  # 442 + 221


def test_the_quota_keeps_counters_in_redis_not_an_entry_per_character(limited, settings):
    """The quota stores a count per window: its keys stay a few bytes however long the
    articles charged (a moving window pushed one list entry per character, so a long
    article's POST grew with its length)."""
    client = limited(limit_characters="1000000/hour")
    broker = redis.Redis.from_url(settings.broker_url)

    def counts() -> dict[bytes, int]:
        keys = broker.keys(f"{settings.broker_prefix}*characters*")
        assert all(broker.type(key) == b"string" for key in keys), keys
        return {key: int(broker.get(key) or 0) for key in keys}

    assert client.post("/api/v1/articles", json={"text": "word " * 900}).status_code == 202
    first = counts()
    assert 4_490 <= sum(first.values()) <= 4_510  # the article's characters, once
    assert client.post("/api/v1/articles", json={"text": "word " * 9_000}).status_code == 202
    second = counts()
    assert second.keys() == first.keys()
    assert sum(second.values()) - sum(first.values()) >= 44_990
    assert broker.memory_usage(next(iter(second))) < 200


def test_a_409_keeps_its_own_retry_after(limited):
    client = limited()
    article = client.post("/api/v1/articles", json=ARTICLE).get_json()
    not_ready = client.get(article["links"]["audio"])
    assert not_ready.status_code == 409 and not_ready.headers["Retry-After"] == "5"


@pytest.mark.parametrize("name", ["NARRATE_LIMIT_SUBMISSIONS", "NARRATE_LIMIT_READS"])
def test_a_malformed_limit_is_named_at_start(name):
    with pytest.raises(ConfigurationError, match=name):
        Settings.from_env({"HOME": "/tmp", name: "lots/fortnight"})


def test_a_key_with_its_own_limit_is_held_to_it_and_others_to_the_default(limited, settings):
    from workers.catalog.db import session_scope
    from workers.catalog.keys import create_key

    client = limited(limit_submissions="5/minute")
    with session_scope(settings.database_url) as session:
        admin = create_key(session, "ops", "admin")[1]
    made = client.post(
        "/api/v1/keys",
        json={"name": "tight", "scope": "write", "limit": "2/minute"},
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert made.status_code == 201, made.get_json()
    tight = {"Authorization": f"Bearer {made.get_json()['key']}"}
    default = {"Authorization": f"Bearer {admin}"}
    for n in range(2):
        accepted = client.post(
            "/api/v1/articles", json={**ARTICLE, "title": f"T{n}"}, headers=tight
        )
        assert accepted.status_code == 202
        assert accepted.headers["RateLimit-Limit"] == "2"
    refused = client.post("/api/v1/articles", json={**ARTICLE, "title": "T2"}, headers=tight)
    assert refused.status_code == 429
    conforms(refused, "/api/v1/articles", "post")
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["RateLimit-Limit"] == "2"
    assert refused.headers["RateLimit-Remaining"] == "0"
    assert int(refused.headers["RateLimit-Reset"]) <= 60
    # the admin key's one submission (the key it made) plus three: within the default
    for n in range(3):
        other = client.post("/api/v1/articles", json={**ARTICLE, "title": f"D{n}"}, headers=default)
        assert other.status_code == 202
        assert other.headers["RateLimit-Limit"] == "5"
