"""Is it the same article? A single submission (workers/catalog/submit.py) and a batch's
(workers/catalog/bulk.py) get the same answer, case by case: a new article, a new
revision, or the article as it is (reuse)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from tests.support.keys import bearer
from tests.support.openapi_check import conforms
from tests.support.services import POSTGRES_SCHEMA, reset_schema, schema_url
from workers.catalog.bulk import submit_many
from workers.catalog.content import Metadata, Pending, Raw, VoiceOptions
from workers.catalog.db import engine_for, migrate, session_scope
from workers.catalog.identity import ExternalIdTaken, Verdict
from workers.catalog.keys import create_key
from workers.catalog.models import JobRow, JobStatus
from workers.catalog.submit import submit, submit_raw
from workers.pipeline.article import Article

pytestmark = pytest.mark.integration

VOICE = VoiceOptions("en-gb", 175, 64)
TEXT = "Harbour wall rebuilt\n\nThe council agreed to rebuild the harbour wall."


def raw(
    text: str = TEXT,
    *,
    external_id: str | None = None,
    collection: str = "all",
    format: str = "text",
    lexicon: str = "lexicon-1",
    options: VoiceOptions = VOICE,
) -> Pending:
    received = Raw(text, format, text.splitlines()[0], lexicon)
    return Pending.of_raw(received, options, Metadata(external_id, collection=collection))


def cleaned(spoken: str = "the council agreed") -> Pending:
    """An editor's cleaned content: the same paragraphs may be said differently."""
    paragraphs = ["Harbour wall rebuilt", "The council agreed."]
    article = Article(title=paragraphs[0], paragraphs=paragraphs)
    said = [(paragraphs[0], "harbour wall rebuilt"), (paragraphs[1], spoken)]
    return Pending(article, said, VOICE, Metadata())


@dataclass(frozen=True)
class Case:
    before: list[Pending]  # stored first, one by one
    probe: Pending
    expected: Verdict | type[Exception]
    then: JobStatus | None = None  # the status the last stored job ends in
    reach: tuple[str, ...] | None = None  # the collections the submitting key may write


CASES = {
    "the same text again": Case([raw()], raw(), Verdict.REUSE),
    "other text": Case([raw()], raw(TEXT + " Soon."), Verdict.NEW_ARTICLE),
    "another voice": Case([raw()], raw(options=replace(VOICE, voice="en-us")), Verdict.NEW_ARTICLE),
    "another rate": Case([raw()], raw(options=replace(VOICE, rate=200)), Verdict.NEW_ARTICLE),
    "another bitrate": Case(
        [raw()], raw(options=replace(VOICE, bitrate_kbps=96)), Verdict.NEW_ARTICLE
    ),
    "the same text as HTML": Case([raw()], raw(format="html"), Verdict.NEW_ARTICLE),
    "the lexicon changed": Case([raw()], raw(lexicon="lexicon-2"), Verdict.NEW_REVISION),
    "after a failure": Case([raw()], raw(), Verdict.NEW_REVISION, then=JobStatus.FAILED),
    "after a cancelled batch": Case([raw()], raw(), Verdict.NEW_REVISION, JobStatus.CANCELLED),
    "while it is converted": Case([raw()], raw(), Verdict.REUSE, then=JobStatus.PROCESSING),
    "the same external_id, new text": Case(
        [raw(external_id="cms-1")],
        raw("Other\n\nNew text.", external_id="cms-1"),
        Verdict.NEW_REVISION,
    ),
    "the same external_id, same text": Case(
        [raw(external_id="cms-1")], raw(external_id="cms-1"), Verdict.REUSE
    ),
    "the same external_id after a failure": Case(
        [raw(external_id="cms-1")], raw(external_id="cms-1"), Verdict.NEW_REVISION, JobStatus.FAILED
    ),
    "the same text, now with an external_id": Case(
        [raw()], raw(external_id="cms-1"), Verdict.NEW_ARTICLE
    ),
    "the same text, now without its external_id": Case(
        [raw(external_id="cms-1")], raw(), Verdict.NEW_ARTICLE
    ),
    "the same text for another collection": Case(
        [raw(collection="news")], raw(collection="sport"), Verdict.REUSE
    ),
    # Before: the single path answered with the other collection's article (reuse), and
    # took over the other collection's external_id (a new revision, moved to "sport").
    "the same text, held out of the key's reach": Case(
        [raw(collection="news")], raw(collection="sport"), Verdict.NEW_ARTICLE, reach=("sport",)
    ),
    # An external_id is unique within a collection: another collection's "cms-1" is
    # another article. Before: 409 out of the key's reach, else news's article moved.
    "an external_id out of the key's reach": Case(
        [raw(external_id="cms-1", collection="news")],
        raw("Other\n\nNew text.", external_id="cms-1", collection="sport"),
        Verdict.NEW_ARTICLE,
        reach=("sport",),
    ),
    "the same external_id in another collection": Case(
        [raw(external_id="cms-1", collection="news")],
        raw("Other\n\nNew text.", external_id="cms-1", collection="sport"),
        Verdict.NEW_ARTICLE,
    ),
    "the same external_id and text in another collection": Case(
        [raw(external_id="cms-1", collection="news")],
        raw(external_id="cms-1", collection="sport"),
        Verdict.NEW_ARTICLE,
    ),
    "an external_id within the key's reach": Case(
        [raw(external_id="cms-1", collection="news")],
        raw("Other\n\nNew text.", external_id="cms-1", collection="news"),
        Verdict.NEW_REVISION,
        reach=("news",),
    ),
    "cleaned: the same paragraphs said the same": Case([cleaned()], cleaned(), Verdict.REUSE),
    "cleaned: the same paragraphs said differently": Case(
        [cleaned()], cleaned("the council agreed, as said now"), Verdict.NEW_REVISION
    ),
    "cleaned content is not the text as received": Case([raw()], cleaned(), Verdict.NEW_ARTICLE),
}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database(request, tmp_path_factory) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('identity') / 'narrate.db'}"
    else:  # a schema of its own: the `settings` fixture empties the run's for each test
        server = request.getfixturevalue("postgres_server").url
        schema = f"{POSTGRES_SCHEMA}_identity"
        reset_schema(server, schema)
        url = schema_url(server, schema)
    migrate(url)
    yield url
    if request.param == "postgresql":
        reset_schema(server, schema, create=False)


@pytest.fixture
def session(database) -> Iterator[Session]:
    """A session whose work is rolled back, so each case starts from an empty catalog."""
    with engine_for(database).connect() as connection:
        transaction = connection.begin()
        with Session(connection, join_transaction_mode="create_savepoint") as session:
            yield session
        transaction.rollback()


def store_one(session: Session, pending: Pending, reach=None) -> tuple[str, int | None]:
    """(article id, job id) as a POST or an editor's PATCH stores it."""
    if pending.raw is None:
        result = submit(session, pending.article, pending.spoken, pending.options, pending.metadata)
    else:
        result = submit_raw(session, pending, reach=reach)
    return result.article.id, result.job_id


def store_in_a_batch(session: Session, pending: Pending, reach=None) -> tuple[str, int | None]:
    (stored,) = submit_many(session, [pending], queue="batch", reach=reach)
    return stored.article_id, stored.job_id


def verdict(known: set[str], article_id: str, job_id: int | None) -> Verdict:
    if job_id is None:
        return Verdict.REUSE
    return Verdict.NEW_REVISION if article_id in known else Verdict.NEW_ARTICLE


def answer(session: Session, case: Case, store) -> Verdict | type[Exception]:
    known = set()
    for pending in case.before:
        article_id, job_id = store_one(session, pending)
        known.add(article_id)
    if case.then is not None:
        session.execute(update(JobRow).where(JobRow.id == job_id).values(status=case.then))
        session.expire_all()
    try:
        return verdict(known, *store(session, case.probe, case.reach))
    except ExternalIdTaken:
        return ExternalIdTaken


@pytest.mark.parametrize("path", [store_one, store_in_a_batch], ids=["single", "batch"])
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_single_and_batch_submissions_are_the_same_article(session, case, path):
    assert answer(session, case, path) == case.expected


@pytest.mark.parametrize(
    "case",
    [c for c in CASES.values() if c.then is None and c.reach is None],
    ids=[name for name, c in CASES.items() if c.then is None and c.reach is None],
)
def test_within_one_batch_an_item_is_decided_as_it_would_be_alone(session, case):
    """The earlier items of the batch count as stored, as the earlier requests would."""
    *earlier, last = submit_many(session, [*case.before, case.probe], queue="batch")
    known = {stored.article_id for stored in earlier}
    assert verdict(known, last.article_id, last.job_id) == case.expected


def test_an_external_id_is_unique_within_a_collection(app, settings):
    client = app.test_client()
    with session_scope(settings.database_url) as session:
        admin = create_key(session, "admin", "admin")[1]
        sport = create_key(session, "sportsdesk", "write", ["sport"])[1]
    body = {"text": TEXT, "external_id": "cms-1", "collection": "news"}
    news = client.post("/api/v1/articles", json=body, headers=bearer(admin)).get_json()
    # the sports desk's "cms-1" is its own article; news's is untouched
    own = client.post(
        "/api/v1/articles",
        json={**body, "text": "Sport\n\nOther words.", "collection": "sport"},
        headers=bearer(sport),
    )
    assert own.status_code == 202, own.get_json()
    assert conforms(own, "/api/v1/articles", "post")["id"] != news["id"]
    article = client.get(news["links"]["self"], headers=bearer(admin)).get_json()
    assert (article["collection"], article["revision"]) == ("news", 1)
    # sent again to sport, it is sport's article (a new revision), not news's
    again = client.post(
        "/api/v1/articles",
        json={**body, "text": "Sport\n\nNewer words.", "collection": "sport"},
        headers=bearer(admin),
    ).get_json()
    assert (again["id"], again["revision"]) == (own.get_json()["id"], 2)
    # moving news's "cms-1" into sport, which has one, is refused
    moved = client.put(
        news["links"]["self"],
        json={"text": "Moved\n\nWords.", "collection": "sport"},
        headers=bearer(admin),
    )
    assert moved.status_code == 409, moved.get_json()
    assert "'sport'" in conforms(moved, "/api/v1/articles/{article_id}", "put")["detail"]
    article = client.get(news["links"]["self"], headers=bearer(admin)).get_json()
    assert (article["collection"], article["revision"]) == ("news", 1)
