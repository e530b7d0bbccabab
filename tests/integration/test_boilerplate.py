"""Publisher boilerplate, learned from the catalog, through the real app's API: the six
Gazette pages in tests/data/publisher share a newsletter prompt, author bios and a
disclaimer that no junk rule knows."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.support.harness import clean_submitted
from tests.support.openapi_check import conforms
from tests.support.paths import DATA
from workers.catalog.db import session_scope
from workers.catalog.models import PublisherLineRow

pytestmark = pytest.mark.integration

CORPUS = DATA / "publisher"
RULE = "publisher-boilerplate"
NEWSLETTER = "Get the Harbourtown Morning in your inbox every weekday at 7am: it takes ten seconds."
BIO_MARA = (
    "Mara Quinn has covered the harbour and the council for the Gazette since 2011 "
    "and lives in Eastcliff."
)
DISCLAIMER = (
    "The Harbourtown Gazette is an independent newspaper owned by its readers; to report an "
    "error, write to the corrections editor."
)
FACT = "Harbourtown has about 12,000 residents and one secondary school."


def page(number: int) -> str:
    return (CORPUS / f"{number:02d}_gazette.html").read_text(encoding="utf-8")


def post(client, number: int, **fields) -> dict:
    body = {"html": page(number), "source_url": f"https://www.gazette.example/{number}", **fields}
    response = client.post("/api/v1/articles", json=body)
    assert response.status_code in (200, 202), response.get_json()
    return cleaned(client, response)


def cleaned(client, response) -> dict:
    """The article once cleaned, by the app's settings, as a worker would clean it."""
    clean_submitted(client.application.extensions["narrate.settings"])
    article = client.get(response.get_json()["links"]["self"])
    return conforms(article, "/api/v1/articles/{article_id}")


def learned(article: dict) -> set[str]:
    return {line["text"] for line in article["removed"] if line["rule"] == RULE}


def test_lines_three_earlier_articles_share_are_removed_from_later_ones(client):
    first_three = [post(client, n) for n in (1, 2, 3)]
    assert [learned(a) for a in first_three] == [set(), set(), set()]
    assert NEWSLETTER in first_three[2]["paragraphs"]

    fourth = post(client, 4)  # the newsletter and disclaimer are in 1, 2 and 3; the bio in 1, 3
    assert learned(fourth) == {NEWSLETTER, DISCLAIMER}
    assert BIO_MARA in fourth["paragraphs"]
    expected = (CORPUS / "04_gazette.expected.txt").read_text(encoding="utf-8")
    assert fourth["paragraphs"][:-1] == expected.strip().split("\n\n")
    assert fourth["paragraphs"][-1] == BIO_MARA

    post(client, 5)
    sixth = post(client, 6)
    # the bio is now in 1, 3 and 4 and goes; the town's population is in 2, 3 and 5 too,
    # but it is a sentence of reporting in the body, not a notice, and stays
    assert learned(sixth) == {NEWSLETTER, DISCLAIMER, BIO_MARA}
    assert FACT in sixth["paragraphs"]
    expected = (CORPUS / "06_gazette.expected.txt").read_text(encoding="utf-8")
    assert sixth["paragraphs"] == expected.strip().split("\n\n")
    positions = {line["text"]: line["position"] for line in sixth["removed"]}
    # where each stood among the lines read: after the headline, the first paragraph and
    # the town's population; the bio after the last paragraph
    assert (positions[NEWSLETTER], positions[BIO_MARA]) == (3, 5)


def test_revisions_and_identical_resubmissions_stay_one_article_each(client):
    for revision in range(1, 6):  # the same article, revised five times
        html = page(1).replace("£2.4m", f"£2.{revision}m")
        response = client.post(
            "/api/v1/articles",
            json={"html": html, "source_url": "https://gazette.example/1", "external_id": "h"},
        )
        article = cleaned(client, response)
        assert article["revision"] == revision
        assert learned(article) == set()
    for _ in range(4):  # and the same text again and again, with no id at all
        again = client.post(
            "/api/v1/articles", json={"html": page(2), "source_url": "https://gazette.example/2"}
        )
        assert learned(cleaned(client, again)) == set()
    assert again.status_code == 200  # identical content: the article it already was
    assert client.get("/api/v1/articles").get_json()["total"] == 2


def test_other_publishers_do_not_count_and_www_is_the_same_site(client):
    for number in (1, 2, 3):
        url = f"https://other.example/{number}"
        post(client, number, source_url=url, external_id=f"other-{number}")
    assert learned(post(client, 4)) == set()  # the only one on gazette.example
    for number, url in ((1, "https://gazette.example/1"), (2, "http://www.gazette.example/2")):
        post(client, number, source_url=url, external_id=f"gazette-{number}")
    assert learned(post(client, 5)) == {NEWSLETTER, DISCLAIMER}  # in 4, 1 and 2 of this site


def test_another_collection_s_article_with_the_same_external_id_counts(client):
    """An external_id is unique within a collection: news's "x" is not sport's "x"."""
    post(client, 1, external_id="x", collection="news")
    for number in (2, 3):
        post(client, number, collection="sport")
    assert learned(post(client, 4, external_id="x", collection="sport")) == {
        NEWSLETTER,
        DISCLAIMER,
    }


def test_a_collection_is_a_publisher_when_there_is_no_source_url(client):
    for number in (1, 2, 3):
        post(client, number, source_url=None, collection="gazette")
    assert learned(post(client, 4, source_url=None)) == set()  # collection 'all' learns nothing
    assert learned(post(client, 5, source_url=None, collection="gazette")) == {
        NEWSLETTER,
        DISCLAIMER,
    }


def test_deleted_articles_no_longer_count(client):
    articles = [post(client, n) for n in (1, 2, 3)]
    assert client.delete(articles[0]["links"]["self"]).status_code == 204
    assert learned(post(client, 4)) == set()


def test_the_threshold_and_the_switch_are_per_deployment(settings):
    from service.app import create_app

    def client_with(**changes):
        app = create_app({"TESTING": True, "NARRATE_SETTINGS": settings.with_overrides(**changes)})
        return app.test_client()

    eager = client_with(boilerplate_min_articles=1)
    post(eager, 1)
    assert learned(post(eager, 2)) == {NEWSLETTER, DISCLAIMER}

    off = client_with(learn_boilerplate=False, boilerplate_min_articles=1)
    with session_scope(settings.database_url) as session:
        remembered = session.scalar(select(func.count()).select_from(PublisherLineRow))
    assert learned(post(off, 3)) == set()
    with session_scope(settings.database_url) as session:
        assert session.scalar(select(func.count()).select_from(PublisherLineRow)) == remembered


def test_even_at_a_threshold_of_one_an_article_never_counts_towards_itself(settings):
    from service.app import create_app

    eager = settings.with_overrides(boilerplate_min_articles=1)
    client = create_app({"TESTING": True, "NARRATE_SETTINGS": eager}).test_client()
    assert learned(post(client, 1, external_id="harbour")) == set()
    revised = page(1).replace("£2.4m", "£2.5m")  # every other line is in revision 1
    second = client.post(
        "/api/v1/articles",
        json={"html": revised, "source_url": "https://gazette.example/1", "external_id": "harbour"},
    )
    assert learned(cleaned(client, second)) == set()

    assert learned(post(client, 2)) == {NEWSLETTER, DISCLAIMER}  # from the harbour article
    body = {"html": page(2), "source_url": "https://www.gazette.example/2"}
    again = client.post("/api/v1/articles", json=body)
    assert again.status_code == 200  # the same page: the article it was, not counting itself
    assert learned(cleaned(client, again)) == {
        NEWSLETTER,
        DISCLAIMER,
    }


def test_a_page_fetched_again_is_another_article_that_never_counts_its_copy(settings):
    from service.app import create_app

    eager = settings.with_overrides(boilerplate_min_articles=1)
    client = create_app({"TESTING": True, "NARRATE_SETTINGS": eager}).test_client()
    first = post(client, 1)
    again = post(client, 1, html=page(1) + "\n<!-- fetched again -->\n")  # other bytes
    assert again["id"] != first["id"]  # stored as received: another submission
    assert again["paragraphs"] == first["paragraphs"]  # exactly the copy's lines: not counted
    assert learned(again) == set()
    assert learned(post(client, 2)) == {NEWSLETTER, DISCLAIMER}  # other articles still teach
