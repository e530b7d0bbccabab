"""/api/v1/lexicon and /api/v1/check through the app, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.support.harness import clean_submitted
from tests.support.openapi_check import conforms
from tests.support.paths import SEED
from workers.catalog.db import session_scope
from workers.catalog.models import ArticleRow

pytestmark = pytest.mark.integration

ENTRIES = [
    {"word": "Kyiv", "say": "Keev", "case_sensitive": False, "collection": None},
    {"word": "Stoltenberg", "say": "[[st'0lt@nb3:g]]", "case_sensitive": True, "collection": None},
    {"word": "Kyiv", "say": "Kiev", "case_sensitive": False, "collection": "history"},
]
ARTICLE = "Talks in Kyiv\n\nMinisters met on Tuesday.\n\nThe mayor of Kyiv spoke.\n\nNothing else."


def put(client, entries, **kwargs):
    return client.put("/api/v1/lexicon", json={"entries": entries}, **kwargs)


def test_the_lexicon_starts_empty_is_replaced_whole_and_read_back(client, settings):
    empty = client.get("/api/v1/lexicon")
    assert conforms(empty, "/api/v1/lexicon") == {"count": 0, "entries": []}
    stored = put(client, ENTRIES)
    assert conforms(stored, "/api/v1/lexicon", "put") == {"count": 3, "entries": ENTRIES}
    assert client.get("/api/v1/lexicon").get_json()["entries"] == ENTRIES
    assert "Kyiv\tKiev\tany\thistory" in settings.lexicon_path.read_text(encoding="utf-8")
    history = client.get("/api/v1/lexicon?collection=history").get_json()["entries"]
    assert [(e["word"], e["say"]) for e in history] == [
        ("Kyiv", "Kiev"),
        ("Stoltenberg", ENTRIES[1]["say"]),
    ]
    assert put(client, []).get_json() == {"count": 0, "entries": []}


def test_the_lexicon_can_be_sent_as_the_file_itself(client):
    response = client.put(
        "/api/v1/lexicon",
        data="# ours\nKyiv\tKeev\nNguyen\t[[w'In]]\texact\tworld\n",
        content_type="text/tab-separated-values",
    )
    body = conforms(response, "/api/v1/lexicon", "put")
    assert body["entries"][1] == {
        "word": "Nguyen", "say": "[[w'In]]", "case_sensitive": True, "collection": "world"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"entries": [{"word": "Kyiv"}]}, "entries[0].say must be a non-empty string"),
        ({"entries": [{"word": "Kyiv", "say": "[[k'i:v"}]}, "one [[...]] group"),
        ({"entries": [{"word": "Kyiv", "say": "Keev", "collection": "World"}]}, "lower-case"),
        ({"entries": [{"word": "Kyiv", "say": "a"}, {"word": "kyiv", "say": "b"}]}, "twice"),
        ({"words": []}, 'send {"entries"'),
    ],
)
def test_a_bad_lexicon_is_refused_whole_with_what_to_change(client, body, says):
    put(client, ENTRIES[:1])
    refused = client.put("/api/v1/lexicon", json=body)
    problem = conforms(refused, "/api/v1/lexicon", "put")
    assert refused.status_code == 400
    assert says in problem["detail"]
    assert client.get("/api/v1/lexicon").get_json()["count"] == 1  # the old one stays


def test_a_lexicon_in_another_format_or_encoding_is_refused(client):
    refused = client.put("/api/v1/lexicon", data="<xml/>", content_type="application/xml")
    assert conforms(refused, "/api/v1/lexicon", "put")["status"] == 415
    latin = client.put(
        "/api/v1/lexicon", data="Malmö\tMalmeu".encode("latin-1"), content_type="text/plain"
    )
    assert "not UTF-8" in conforms(latin, "/api/v1/lexicon", "put")["detail"]
    bad_name = client.get("/api/v1/lexicon?collection=World News")
    assert bad_name.status_code == 400
    assert "lower-case letters" in bad_name.get_json()["detail"]


def test_changing_the_lexicon_needs_the_api_token_and_reading_it_does_not(settings):
    from service.app import create_app

    guarded = create_app(
        {"TESTING": True, "NARRATE_SETTINGS": settings.with_overrides(api_tokens=("tok-1",))}
    ).test_client()
    refused = put(guarded, ENTRIES)
    assert conforms(refused, "/api/v1/lexicon", "put")["status"] == 401
    assert guarded.get("/api/v1/lexicon").status_code == 200
    accepted = put(guarded, ENTRIES, headers={"Authorization": "Bearer tok-1"})
    assert accepted.status_code == 200
    assert guarded.post("/api/v1/check", data="Hello", content_type="text/plain").status_code == 401


def test_check_lists_the_seed_s_names_and_the_lexicon_takes_them_off(client):
    report = client.post("/api/v1/check", data=SEED.read_bytes(), content_type="text/plain")
    body = conforms(report, "/api/v1/check", "post")
    assert (body["paragraphs"], body["count"]) == (15, 8)
    assert {r["kind"] for r in body["risks"]} == {"name"}
    put(client, ENTRIES)
    after = client.post("/api/v1/check", data=SEED.read_bytes(), content_type="text/plain")
    assert [r["token"] for r in after.get_json()["risks"]] == ["Jens", "Volodymyr", "Zelenskyy"]
    assert client.get("/api/v1/articles").get_json()["total"] == 0  # nothing was stored


def test_check_takes_json_with_a_collection_and_says_where_and_what(client):
    put(client, [{"word": "PVM", "say": "P V M", "collection": "tech"}])
    text = "A PVM report\n\nThe PVM team said 3x4y ^ was fine."
    general = client.post("/api/v1/check", json={"text": text}).get_json()
    assert [(r["kind"], r["token"], r["paragraph"], r["offset"]) for r in general["risks"]] == [
        ("acronym", "PVM", 0, 2),
        ("acronym", "PVM", 1, 4),
        ("code", "3x4y", 1, 18),  # a letters-and-digits code neither house style reads
        ("symbol", "^", 1, 23),
    ]
    tech = client.post("/api/v1/check", json={"text": text, "collection": "tech"}).get_json()
    assert [r["kind"] for r in tech["risks"]] == ["code", "symbol"]


def test_check_refuses_what_submitting_would(client):
    empty = client.post("/api/v1/check", json={"text": "   "})
    assert conforms(empty, "/api/v1/check", "post")["status"] == 422
    wrong = client.post("/api/v1/check", data="x", content_type="image/png")
    assert conforms(wrong, "/api/v1/check", "post")["status"] == 415


def _paragraphs(settings, article_id):
    """The current revision's spoken text and clip keys, once the worker's first step
    has cleaned it."""
    clean_submitted(settings)
    with session_scope(settings.database_url) as session:
        revision = session.get(ArticleRow, article_id).current
        return revision.number, [(p.spoken, p.clip_key) for p in revision.paragraphs]


def test_a_lexicon_change_gives_new_spoken_text_and_clip_keys_to_exactly_its_paragraphs(
    client, settings
):
    first = client.post("/api/v1/articles", json={"text": ARTICLE, "external_id": "kyiv"})
    article_id = first.get_json()["id"]
    again = client.post("/api/v1/articles", json={"text": ARTICLE, "external_id": "kyiv"})
    assert again.status_code == 200  # nothing changed: nothing to make
    number, before = _paragraphs(settings, article_id)

    put(client, ENTRIES[:1])
    redone = client.put(f"/api/v1/articles/{article_id}", json={"text": ARTICLE})
    assert redone.status_code == 202  # same text, new spoken text: a new revision
    renumber, after = _paragraphs(settings, article_id)
    assert renumber == number + 1
    assert [s for s, _ in after] == [
        "Talks in Keev", "Ministers met on Tuesday.", "The mayor of Keev spoke.", "Nothing else."
    ]  # fmt: skip
    assert [a[1] != b[1] for a, b in zip(before, after, strict=True)] == [True, False, True, False]

    reposted = client.post("/api/v1/articles", json={"text": "Kyiv\n\nKyiv again."})
    assert reposted.status_code == 202
    put(client, [*ENTRIES[:1], {"word": "again", "say": "once more"}])
    same = client.post("/api/v1/articles", json={"text": "Kyiv\n\nKyiv again."})
    assert (same.status_code, same.get_json()["id"]) == (202, reposted.get_json()["id"])
    assert same.get_json()["revision"] == 2  # the same article, said differently: revision 2

    put(client, ENTRIES)
    in_history = client.post(
        "/api/v1/articles", json={"text": "Kyiv\n\nKyiv again.", "collection": "history"}
    ).get_json()["id"]
    assert [s for s, _ in _paragraphs(settings, in_history)[1]] == ["Kiev", "Kiev again."]
