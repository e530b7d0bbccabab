"""Editors decide on the article page: "Skip this" under a paragraph, "Read this too" beside
a removed line; each makes a new revision that the page then shows and the player plays."""

from __future__ import annotations

import json
import urllib.request

from tests.support.articles import ARTICLE
from tests.support.pages import API_TOKEN, PLAYER, converted, wait_ready
from tests.support.waits import wait_until

NEWSLETTER = "Sign up to our newsletter for the latest local news."
FISHING = "Fishing boats will moor at the north quay while the work goes on."


def fetched(url: str) -> dict:
    return json.load(urllib.request.urlopen(url))


def read_aloud(page) -> list[str]:
    return page.locator("[data-narrate-paragraph]").all_inner_texts()


def skip_the_fishing_paragraph(page) -> None:
    """Press its "Skip this"; the page reloads on the new revision, without it."""
    skip = page.locator(".paragraph", has_text=FISHING).get_by_role("button", name="Skip this")
    with page.expect_navigation():
        skip.click()
    assert FISHING not in read_aloud(page)


def test_skip_this_and_read_this_too_make_new_revisions(page, server, worker):
    article = converted(server, {"text": ARTICLE})
    page.goto(f"{server}/articles/{article['id']}")
    wait_ready(page)
    assert FISHING in read_aloud(page)
    assert not page.locator("details.removed").evaluate("d => d.open")  # collapsed
    assert not page.get_by_text(NEWSLETTER).is_visible()

    skip_the_fishing_paragraph(page)
    assert fetched(article["links"]["self"])["revision"] == 2

    page.click("details.removed summary")
    line = page.locator("details.removed li", has_text=NEWSLETTER)
    assert "newsletter" in line.locator(".rule").inner_text()
    with page.expect_navigation():
        line.get_by_role("button", name="Read this too").click()
    texts = read_aloud(page)
    assert NEWSLETTER in texts
    assert FISHING not in texts
    skipped = page.locator("details.removed li", has_text=FISHING)
    assert skipped.locator(".rule").text_content() == "editor"  # listed, collapsed again

    wait_until(lambda: fetched(article["links"]["self"])["status"] == "done")
    body = fetched(article["links"]["self"])
    assert (body["revision"], body["paragraphs"]) == (3, texts)
    wait_ready(page)
    timings = fetched(article["links"]["timings"])["paragraphs"]
    assert [p["text"] for p in timings] == texts  # the player plays the new revision
    assert page.locator(f"{PLAYER} .duration").inner_text() != ""


def test_with_api_tokens_the_controls_need_the_writers_token(page, guarded_server, worker):
    request = urllib.request.Request(
        f"{guarded_server}/api/v1/articles",
        json.dumps({"text": ARTICLE}).encode(),
        {"Content-Type": "application/json", "Authorization": f"Bearer {API_TOKEN}"},
    )
    article = json.load(urllib.request.urlopen(request))
    wait_until(lambda: fetched(article["links"]["self"])["status"] != "cleaning")  # by a worker
    page.goto(f"{guarded_server}/articles/{article['id']}")
    assert page.locator("button.skip").count() == 4  # on the page, not shown
    assert page.get_by_role("button", name="Skip this").count() == 0
    assert page.text_content("#edit-status") == ""  # a reader is not asked to sign in

    page.evaluate(f"localStorage.setItem('narrate-token', {API_TOKEN!r})")  # the submit page's
    page.reload()
    skip_the_fishing_paragraph(page)
    assert fetched(article["links"]["self"])["revision"] == 2

    page.evaluate("localStorage.setItem('narrate-token', 'not-the-token')")
    page.reload()
    page.get_by_role("button", name="Skip this").first.click()
    page.wait_for_function("document.getElementById('edit-status').textContent.includes('Not')")
    assert "not one this server accepts" in page.text_content("#edit-status")
    assert fetched(article["links"]["self"])["revision"] == 2
