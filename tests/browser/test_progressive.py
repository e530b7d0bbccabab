"""Audio before the article is finished: the player plays the paragraphs' segments through
Media Source Extensions while the real worker is still making the rest."""

from __future__ import annotations

import json
import time
import urllib.request

from tests.support.pages import (
    API_TOKEN,
    PLAYER,
    fetch_json,
    player_js,
    publisher_page,
    snippet,
    submit,
    wait_ready,
)
from tests.support.waits import wait_until

SENTENCES = (
    "The council met on Tuesday to talk about the plans for the new bridge. "
    "Residents asked how long the work would take and who would pay for it. "
    "The chair said a decision would follow after the summer."
)


def long_story(paragraphs: int = 150) -> dict:
    text = "\n\n".join(f"Part {n}. {SENTENCES}" for n in range(1, paragraphs + 1))
    return {"title": "The long bridge debate", "text": text}


def status_of(server: str, article_id: str) -> dict:
    return fetch_json(f"{server}/api/v1/articles/{article_id}/status")


def test_a_long_article_plays_from_its_first_paragraphs_while_the_rest_is_made(
    page, server, worker
):
    assert page.evaluate("() => MediaSource.isTypeSupported('audio/mpeg')") is True
    posted = time.monotonic()
    article = submit(server, long_story())

    status: dict = {}

    def playable() -> bool:
        status.update(status_of(server, article["id"]))
        return status["progress"].get("playable", 0) > 0

    wait_until(playable, timeout=60)
    first_playable = time.monotonic() - posted
    # opened once cleaned: a page opened while the worker cleans has no paragraphs yet
    page.goto(f"{server}/articles/{article['id']}")
    assert status["stage"] in {"synthesising", "finishing"}, status
    wait_ready(page)
    assert page.evaluate(player_js("audio.src")) == ""  # nothing fetched before the press
    assert status_of(server, article["id"])["stage"] != "done"

    page.click(f"{PLAYER} button.play")
    page.wait_for_function(player_js("audio.currentTime > 0"), timeout=30_000)
    playing = time.monotonic() - posted
    assert page.evaluate(player_js("audio.src")).startswith("blob:")
    assert page.get_attribute(PLAYER, "streaming") == ""
    assert "while the rest is made" in page.inner_text(f"{PLAYER} .status")

    page.wait_for_function(player_js("audio.currentTime > 1"), timeout=30_000)
    assert status_of(server, article["id"])["stage"] != "done", "the job finished first"

    # Read-along follows the segments' timings: the headline first, then paragraph 1.
    page.wait_for_selector('[data-narrate-paragraph="0"][data-narrate-active]')
    second = page.evaluate(player_js("timings[1].start_ms")) / 1000
    page.wait_for_function(player_js(f"audio.currentTime > {second + 0.3}"), timeout=30_000)
    page.wait_for_selector('[data-narrate-paragraph="1"][data-narrate-active]')
    assert page.locator("[data-narrate-active]").count() == 1
    during = status_of(server, article["id"])
    assert during["stage"] != "done", "the job finished before paragraph 1 was heard"
    print(
        f"\nprogressive: 150 paragraphs; first playable {first_playable:.2f} s after POST, "
        f"audio playing {playing:.2f} s after POST; paragraph 1 highlighted at "
        f"{time.monotonic() - posted:.2f} s with {during['progress']['done']}/"
        f"{during['progress']['total']} paragraphs made"
    )

    # The job finishes while it plays: the stream plays on (no swap to the MP3), holding
    # at most 90 s ahead of the playhead (a SourceBuffer does not take a whole long article).
    wait_until(lambda: status_of(server, article["id"])["stage"] == "done", timeout=180)
    done = time.monotonic() - posted
    page.wait_for_timeout(1500)
    assert page.evaluate(player_js("ahead()")) <= 90 + 20
    assert page.evaluate(player_js("streaming.complete")) is False
    assert page.evaluate(player_js("audio.paused")) is False
    assert page.evaluate(player_js("audio.src")).startswith("blob:")
    print(f"progressive: job done {done:.2f} s after POST")


def test_without_media_source_the_player_waits_for_the_mp3_as_before(page, server, worker):
    page.add_init_script("delete window.MediaSource")
    article = submit(server, long_story(30))
    page.goto(f"{server}/articles/{article['id']}")
    wait_until(lambda: status_of(server, article["id"])["progress"].get("playable", 0) > 0)
    assert status_of(server, article["id"])["stage"] != "done"
    assert page.is_disabled(f"{PLAYER} button.play")
    wait_ready(page)
    assert status_of(server, article["id"])["stage"] == "done"
    page.click(f"{PLAYER} button.play")
    page.wait_for_function(player_js("audio.currentTime > 0"))
    assert page.evaluate(player_js("audio.src")).endswith("/audio.mp3")


def test_a_private_article_plays_while_it_is_made_from_its_signed_player_link(
    page, guarded_server, worker
):
    def api(path: str, body: dict | None = None) -> dict:
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {API_TOKEN}"}
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{guarded_server}{path}", data, headers)
        return json.load(urllib.request.urlopen(request))

    created = api("/api/v1/articles", {**long_story(60), "visibility": "private"})
    player = api(f"/api/v1/articles/{created['id']}")["links"]["player"]
    segment_reads: list[tuple[int, str]] = []
    page.on(
        "response",
        lambda r: segment_reads.append((r.status, r.url)) if "/segments" in r.url else None,
    )
    page.goto(player)  # the iframe player, carrying the link's grant
    wait_ready(page)
    page.click(f"{PLAYER} button.play")
    page.wait_for_function(player_js("audio.currentTime > 1"), timeout=30_000)
    assert api(f"/api/v1/articles/{created['id']}")["status"] != "done"
    assert page.evaluate(player_js("audio.src")).startswith("blob:")
    assert segment_reads and all(status == 200 for status, _ in segment_reads), segment_reads
    assert all("signature=" in url for _, url in segment_reads)


def test_the_embed_on_a_publishers_page_plays_while_it_is_made_in_french(
    page, server, publisher, worker
):
    origin, folder = publisher
    article = submit(server, long_story(60))
    publisher_page(folder, "early.html", snippet(server, article["id"]), lang="fr")
    page.goto(f"{origin}/early.html")  # another origin: every read is a CORS one
    wait_ready(page)
    assert "Écoutez dès maintenant" in page.inner_text(f"{PLAYER} .status")
    page.click(f"{PLAYER} button.play")
    page.wait_for_function(player_js("audio.currentTime > 1"), timeout=30_000)
    assert status_of(server, article["id"])["stage"] != "done"
    assert "Lecture pendant que la suite est créée" in page.inner_text(f"{PLAYER} .status")
