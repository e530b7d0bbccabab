"""Storage integrity: audio counters beyond 32 bits, no temporaries or stray segments left
behind, and a deleted article's synthesis stops."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from workers.catalog.db import session_scope
from workers.catalog.models import ArticleRow, SegmentRow

pytestmark = pytest.mark.integration

LONG = 2_631_800_113  # the speech samples of a 599 s paragraph that overflowed PostgreSQL


def test_audio_counters_beyond_32_bits_are_stored(client, settings):
    created = client.post("/api/v1/articles", json={"text": "Title\n\nOne paragraph."})
    article_id = created.get_json()["id"]
    with session_scope(settings.database_url) as session:
        session.add(SegmentRow(key="k" * 40, frames=LONG, speech_samples=LONG, size=3 << 31))
        session.get_one(ArticleRow, article_id).revisions[-1].duration_ms = 5 << 31
    with session_scope(settings.database_url) as session:
        row = session.get_one(SegmentRow, "k" * 40)
        assert (row.frames, row.speech_samples, row.size) == (LONG, LONG, 3 << 31)
        assert session.get_one(ArticleRow, article_id).revisions[-1].duration_ms == 5 << 31
