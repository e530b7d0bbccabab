"""Migration i13_input on a catalog made before it: duplicate articles of one content are
kept and one of them holds the content; text stored with control characters (and, on
SQLite, bytes that are not UTF-8) is cleaned, so the feeds built from it are XML."""

from __future__ import annotations

from datetime import datetime, timedelta
from xml.etree import ElementTree as ET

import feedparser
import pytest
from alembic import command
from alembic.config import Config
from lxml import etree
from sqlalchemy import inspect, text

from workers.catalog.content import VoiceOptions, content_hash
from workers.catalog.db import MIGRATIONS, engine_for, migrating
from workers.pipeline.clean.cleaner import clean
from workers.pipeline.speaking import spoken_paragraphs
from workers.runtime.jobs import audio_key
from workers.storage.local import LocalStorage

pytestmark = [pytest.mark.integration, pytest.mark.empty_catalog]

TEXT = "Library opens late\n\nThe town library will open until nine on weekdays from May."
BEFORE = "0002"  # the schema this migration starts from


def migrate_to(url: str, target: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with migrating(engine_for(url)) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, target)


class OldCatalog:
    """Rows written with plain SQL into the schema as it was before the migration."""

    def __init__(self, settings) -> None:
        self.settings = settings
        self.engine = engine_for(settings.database_url)
        self.clock = datetime(2025, 1, 1)

    def article(
        self,
        article_id: str,
        hashes: list[str],
        *,
        status: str = "done",
        external_id: str | None = None,
        title: str = "'A title'",
        paragraph: str = "'A paragraph.'",
    ) -> None:
        """An article with one revision per hash (the last is current); `title` and
        `paragraph` are SQL expressions, so that raw bytes can be stored."""
        with self.engine.begin() as connection:
            self.clock += timedelta(minutes=1)
            stamp = {"at": self.clock}
            connection.execute(
                text(
                    "INSERT INTO articles (id, external_id, created_at, updated_at, collection)"
                    " VALUES (:id, :external_id, :at, :at, 'all')"
                ),
                {"id": article_id, "external_id": external_id, **stamp},
            )
            for number, digest in enumerate(hashes, start=1):
                revision_id = connection.execute(
                    text(
                        "INSERT INTO revisions (article_id, number, content_hash, title,"
                        " voice, rate, bitrate_kbps, removed, duration_ms, created_at)"
                        f" VALUES (:article, :number, :digest, {title}, 'en-gb', 175, 64,"
                        " '[]', 1000, :at) RETURNING id"
                    ),
                    {"article": article_id, "number": number, "digest": digest, **stamp},
                ).scalar_one()
                connection.execute(
                    text(
                        'INSERT INTO paragraphs (revision_id, "index", text, spoken, clip_key,'
                        f" done) VALUES (:id, 0, {title}, :said_title, 'k', true),"
                        f" (:id, 1, {paragraph}, :said_paragraph, 'k', true)"
                    ),
                    {"id": revision_id, **SPOKEN},
                )
                connection.execute(
                    text(
                        "INSERT INTO jobs (revision_id, status, done, total, created_at,"
                        " finished_at, queue) VALUES (:id, :status, 2, 2, :at, :at, 'narrate')"
                    ),
                    {"id": revision_id, "status": status, **stamp},
                )
        path = LocalStorage(self.settings.audio_dir).path(
            audio_key(article_id, len(hashes), ".mp3")
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"ID3" + bytes(200))

    def content_keys(self) -> dict[str, str | None]:
        with self.engine.connect() as connection:
            return dict(connection.execute(text("SELECT id, content_key FROM articles")).all())


@pytest.fixture
def old(settings) -> OldCatalog:
    migrate_to(settings.database_url, BEFORE)
    return OldCatalog(settings)


# what TEXT's paragraphs are said as: stored the same, the same submission is the same
(_, SAID_TITLE), (_, SAID_PARAGRAPH) = spoken_paragraphs(clean(TEXT))
SPOKEN = {"said_title": SAID_TITLE, "said_paragraph": SAID_PARAGRAPH}


def seeded_hash(settings) -> str:
    options = VoiceOptions(settings.voice, settings.rate, settings.bitrate_kbps)
    return content_hash(clean(TEXT, format="text"), options)


def test_duplicates_are_kept_and_one_holds_the_content(old, settings):
    same = seeded_hash(settings)
    old.article("a-oldest-done", [same])
    old.article("b-done", [same])
    old.article("c-newest-failed", [same], status="failed")
    old.article("d-external", [same], external_id="cms-1")
    old.article("e-edited", [same, "f" * 64])
    old.article("f-other", ["0" * 64])
    migrate_to(settings.database_url, "head")
    assert old.content_keys() == {
        "a-oldest-done": None,
        "b-done": same,  # the newest that did not fail
        "c-newest-failed": None,
        "d-external": None,  # found by its external_id instead
        "e-edited": "f" * 64,  # its current text
        "f-other": "0" * 64,
    }

    # The same cleaned text is found by the key (a submission as received is keyed by its
    # raw text since i12_fastpost, so only the cleaned path of an editor's PATCH meets
    # these keys now).
    from workers.catalog.content import Metadata
    from workers.catalog.db import session_scope
    from workers.catalog.submit import submit

    article = clean(TEXT, format="text")
    options = VoiceOptions(settings.voice, settings.rate, settings.bitrate_kbps)
    with session_scope(settings.database_url) as session:
        result = submit(session, article, spoken_paragraphs(article), options, Metadata())
        assert (result.article.id, result.job_id) == ("b-done", None)


def test_a_duplicate_key_cannot_be_stored(old, settings):
    from sqlalchemy.exc import IntegrityError

    old.article("one", ["1" * 64])
    old.article("two", ["2" * 64])
    migrate_to(settings.database_url, "head")
    with pytest.raises(IntegrityError), old.engine.begin() as connection:
        connection.execute(text("UPDATE articles SET content_key = :k"), {"k": "1" * 64})


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_text_stored_with_bad_characters_is_cleaned_and_the_feed_is_xml(old, settings):
    # A lone surrogate (ED A0 80), NUL, ESC and BEL: SQLite kept whatever it was given.
    old.article(
        "hostile",
        ["9" * 64],
        title="CAST(X'4F6C6420EDA08020746974006C651B07' AS TEXT)",  # "Old \ud800 tit\0le.."
        paragraph="CAST(X'4120706172610C677261706800' AS TEXT)",  # "A para\fgraph\0"
    )
    migrate_to(settings.database_url, "head")
    from service.app import create_app

    client = create_app({"TESTING": True, "NARRATE_SETTINGS": settings}).test_client()
    body = client.get("/feeds/all.xml").data
    assert ET.fromstring(body).findtext("channel/item/title") == "Old \ufffd\ufffd\ufffd title"
    item = etree.fromstring(body).find("channel/item")  # lxml: strict, no recovery
    assert item.findtext("title") == "Old \ufffd\ufffd\ufffd title"
    assert item.findtext("description") == "A para\ngraph"
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.bozo_exception
    assert [entry.title for entry in parsed.entries] == ["Old \ufffd\ufffd\ufffd title"]
    detail = client.get("/api/v1/articles/hostile").get_json()
    assert detail["paragraphs"] == ["Old \ufffd\ufffd\ufffd title", "A para\ngraph"]


@pytest.mark.parametrize("settings", ["postgresql"], indirect=True)
def test_control_characters_stored_on_postgresql_are_cleaned(old, settings):
    old.article(
        "hostile",
        ["9" * 64],
        title="'Esc' || chr(27) || 'aped' || chr(7) || chr(159) || ' title'",
        paragraph="'Page' || chr(12) || 'break' || chr(9) || 'tab'",
    )
    old.article("plain", ["8" * 64], title="'Plain title'")
    migrate_to(settings.database_url, "head")
    from service.app import create_app

    client = create_app({"TESTING": True, "NARRATE_SETTINGS": settings}).test_client()
    parsed = feedparser.parse(client.get("/feeds/all.xml").data)
    assert not parsed.bozo, parsed.bozo_exception
    assert sorted(entry.title for entry in parsed.entries) == ["Escaped title", "Plain title"]
    detail = client.get("/api/v1/articles/hostile").get_json()
    assert detail["paragraphs"] == ["Escaped title", "Page\nbreak\ttab"]


def test_downgrade_keeps_every_row(old, settings):
    old.article("one", ["1" * 64, "2" * 64])
    migrate_to(settings.database_url, "head")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with migrating(old.engine) as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, BEFORE)
    with old.engine.connect() as connection:
        columns = [c["name"] for c in inspect(connection).get_columns("articles")]
        revisions = connection.execute(text("SELECT count(*) FROM revisions")).scalar_one()
    assert "content_key" not in columns and revisions == 2
