"""Podcast feeds stay well-formed XML whatever the titles say: read by a strict XML parser
(xml.etree and lxml, no recovery) and by feedparser, on SQLite and PostgreSQL."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import feedparser
import pytest
from lxml import etree

from tests.support.harness import run_jobs_in_process
from workers.catalog.db import session_scope
from workers.catalog.models import ArticleRow

pytestmark = pytest.mark.integration

BODY = "The ferry service resumes on Saturday after two weeks of repairs to the pier."
HOSTILE_TITLES = {
    # as submitted: as the feed must show it
    "Markup ]]> and <script>alert('x')</script> & <![CDATA[ more": (
        "Markup ]]> and <script>alert('x')</script> & <![CDATA[ more"
    ),
    "\u202bمرحبا بالعالم\u202c with \u200fRTL\u200e marks": (
        "\u202bمرحبا بالعالم\u202c with \u200fRTL\u200e marks"
    ),
    "Bell\x07 NUL\x00 escape\x1b title\x7f": "Bell NUL escape title",
}


def titles(body: bytes) -> list[str]:
    strict = ET.fromstring(body)
    lxml_titles = [i.findtext("title") for i in etree.fromstring(body).iterfind("channel/item")]
    assert [i.findtext("title") for i in strict.iterfind("channel/item")] == lxml_titles
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.bozo_exception
    assert sorted(entry.title for entry in parsed.entries) == sorted(lxml_titles)
    return lxml_titles


def test_hostile_titles_make_a_well_formed_feed(client, settings, tmp_path):
    for n, title in enumerate(HOSTILE_TITLES):
        # each its own text: one publisher's same text under a new headline is a revision
        text = f"{BODY} Notice {n}."
        response = client.post(
            "/api/v1/articles",
            json={"title": title, "text": text, "collection": "news", "visibility": "public"},
        )
        assert response.status_code == 202, response.data
    run_jobs_in_process(settings, tmp_path)
    for name in ("all", "news"):
        assert sorted(titles(client.get(f"/feeds/{name}.xml").data)) == sorted(
            HOSTILE_TITLES.values()
        )


def test_controls_stored_before_they_were_removed_are_left_out_of_the_feed(
    client, settings, tmp_path
):
    """Rows written by an older release, bypassing the edge: the feed itself leaves out
    what XML cannot carry."""
    created = client.post(
        "/api/v1/articles",
        json={"title": "Ferry resumes", "text": BODY, "visibility": "public"},
    )
    run_jobs_in_process(settings, tmp_path)
    nul = "\x00" if settings.database_url.startswith("sqlite") else ""  # PostgreSQL refuses it
    with session_scope(settings.database_url) as session:
        revision = session.get(ArticleRow, created.get_json()["id"]).current
        revision.title = f"Old{nul} \x01title\x1b\ufffe\x0b"
        revision.byline = f"By\x02 {nul}Jo"
        revision.paragraphs[1].text = f"Summary\x03{nul} line"
    body = client.get("/feeds/all.xml").data
    assert titles(body) == ["Old title"]
    item = etree.fromstring(body).find("channel/item")
    assert item.findtext("description") == "Summary line"
    assert item.findtext("{http://www.itunes.com/dtds/podcast-1.0.dtd}author") == "By Jo"
