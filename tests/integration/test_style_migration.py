"""Migration 0015 (i21_style): every revision cleaned before house styles existed was
said in British style and says so; one still being cleaned is left for its worker to
choose (by its voice and NARRATE_STYLE)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import text

from tests.integration.test_content_key_migration import migrate_to
from workers.catalog.db import engine_for

pytestmark = [pytest.mark.integration, pytest.mark.empty_catalog]


def test_cleaned_revisions_are_british_and_one_being_cleaned_is_left_to_its_worker(settings):
    migrate_to(settings.database_url, "i23_identity")
    engine = engine_for(settings.database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO articles (id, external_id, created_at, updated_at, collection)"
                " VALUES ('a1', NULL, :at, :at, 'all')"
            ),
            {"at": datetime(2025, 1, 1)},
        )
        for number, raw in ((1, None), (2, "Headline\n\nStill being cleaned.")):
            connection.execute(
                text(
                    "INSERT INTO revisions (article_id, number, content_hash, title, voice,"
                    " rate, bitrate_kbps, removed, raw_text, created_at) VALUES ('a1', :n,"
                    " :digest, 'Headline', 'piper:en_US-joe-medium', 175, 64, '[]', :raw, :at)"
                ),
                {"n": number, "digest": f"h{number}", "raw": raw, "at": datetime(2025, 1, 1)},
            )
    migrate_to(settings.database_url, "head")
    with engine.connect() as connection:
        styles = connection.execute(text("SELECT number, style FROM revisions ORDER BY number"))
        assert [tuple(row) for row in styles] == [(1, "en-GB"), (2, None)]
