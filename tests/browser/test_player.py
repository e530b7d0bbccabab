"""The player as a reader meets it, in Chromium."""

from __future__ import annotations

import json
import urllib.request

from tests.support.pages import API_TOKEN, PLAYER, converted, submit, wait_ready
from tests.support.paths import SEED
from tests.support.waits import wait_until


def audio(page, expression: str):
    return page.evaluate(f"document.querySelector('{PLAYER}').audio.{expression}")


def test_article_page_plays_with_speed_seek_read_along_and_memory(page, server, worker, artifacts):
    article = converted(server, {"text": SEED.read_text(encoding="utf-8")})
    timings = json.load(urllib.request.urlopen(article["links"]["timings"]))["paragraphs"]
    page.goto(f"{server}/articles/{article['id']}")
    wait_ready(page)
    minutes, seconds = divmod(article["duration_ms"] // 1000, 60)
    assert article["duration_ms"] > 110_000  # the seed is about two minutes
    assert page.locator(f"{PLAYER} .duration").inner_text() == f"{minutes}:{seconds:02d}"
    page.screenshot(path=artifacts / "article-page-light.png", full_page=False)

    page.click(f"{PLAYER} button.play")
    page.wait_for_function(f"() => document.querySelector('{PLAYER}').audio.currentTime > 0.5")
    assert audio(page, "paused") is False

    page.select_option(f"{PLAYER} select.speed", "1.5")
    assert audio(page, "playbackRate") == 1.5

    third = page.locator('[data-narrate-paragraph="2"]')
    third.click()
    start = timings[2]["start_ms"] / 1000
    page.wait_for_function(
        f"Math.abs(document.querySelector('{PLAYER}').audio.currentTime - {start}) < 0.5"
    )
    page.wait_for_selector('[data-narrate-paragraph="2"][data-narrate-active]')
    assert page.locator("[data-narrate-active]").count() == 1

    fourth_start = timings[3]["start_ms"] / 1000
    page.evaluate(f"document.querySelector('{PLAYER}').audio.currentTime = {fourth_start - 0.3}")
    page.wait_for_selector('[data-narrate-paragraph="3"][data-narrate-active]', timeout=10_000)
    assert page.locator('[data-narrate-paragraph="2"][data-narrate-active]').count() == 0

    page.click(f"{PLAYER} button.play")  # pause: position and speed are saved
    saved_at = audio(page, "currentTime")
    page.reload()
    wait_ready(page)
    elapsed = page.locator(f"{PLAYER} .elapsed").inner_text()  # shown before any audio loads
    assert elapsed != "0:00"
    page.hover(f"{PLAYER} button.play")  # intent: now the audio is fetched, at that position
    page.wait_for_function(f"() => document.querySelector('{PLAYER}').audio.currentTime > 1")
    assert abs(audio(page, "currentTime") - saved_at) < 1.5
    assert audio(page, "playbackRate") == 1.5
    assert page.locator(f"{PLAYER} select.speed").input_value() == "1.5"

    page.emulate_media(color_scheme="dark")
    page.screenshot(path=artifacts / "article-page-dark.png", full_page=False)


def test_keyboard_alone_plays_and_seeks(page, server, worker):
    article = converted(server, {"title": "Keyboard", "text": "One paragraph to hear. " * 12})
    page.goto(f"{server}/player/{article['id']}")
    wait_ready(page)
    page.keyboard.press("Tab")
    focused = page.evaluate(
        f"document.querySelector('{PLAYER}').shadowRoot.activeElement.className"
    )
    assert focused == "play"
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => !document.querySelector('{PLAYER}').audio.paused")
    page.keyboard.press("Tab")  # the seek bar
    before = audio(page, "currentTime")
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    assert audio(page, "currentTime") >= before + 4
    page.keyboard.press("Shift+Tab")
    page.keyboard.press(" ")
    page.wait_for_function(f"() => document.querySelector('{PLAYER}').audio.paused")


def test_fresh_submission_shows_progress_then_plays_without_reload(page, server, worker):
    page.goto(server + "/")
    long_article = "Breaking headline\n\n" + "\n\n".join(
        f"Paragraph {n} of the story says something new about the council's plans."
        for n in range(30)
    )
    page.fill("#text", long_article)
    page.click("button[type=submit]")
    page.wait_for_url("**/articles/*")
    page.wait_for_function(
        f"() => document.querySelector('{PLAYER}')?.shadowRoot?.querySelector('.status')"
        "?.textContent.includes('the audio…')",
        timeout=20_000,
    )
    wait_ready(page)
    page.click(f"{PLAYER} button.play")
    page.wait_for_function(f"() => document.querySelector('{PLAYER}').audio.currentTime > 0.3")


def test_a_page_opened_while_cleaning_shows_the_text_once_cleaned(page, server, request):
    """No worker yet: the submit form lands on the page while the text is being cleaned."""
    page.goto(server + "/")
    page.fill(
        "#text", "While cleaning\n\n" + "\n\n".join(f"Part {n} of the story." for n in range(6))
    )
    page.click("button[type=submit]")
    page.wait_for_url("**/articles/*")
    article_id = page.url.rsplit("/", 1)[1]
    url = f"{server}/api/v1/articles/{article_id}"
    assert json.load(urllib.request.urlopen(url))["status"] == "cleaning"
    assert page.locator('[data-narrate-paragraph="1"]').count() == 0
    page.evaluate("window.sameDocument = true")
    request.getfixturevalue("worker")  # cleaning starts now
    page.wait_for_selector('[data-narrate-paragraph="6"]', timeout=60_000)
    assert page.locator('[data-narrate-paragraph="3"]').inner_text() == "Part 2 of the story."
    wait_ready(page)
    page.click('[data-narrate-paragraph="3"]')  # read-along: a paragraph plays from its start
    page.wait_for_selector('[data-narrate-paragraph="3"][data-narrate-active]', timeout=20_000)
    page.wait_for_function(f"() => !document.querySelector('{PLAYER}').audio.paused")
    assert page.evaluate("window.sameDocument") is True  # no reload


def test_player_embedded_on_another_origin(page, server, publisher, worker, artifacts):
    article = converted(server, {"text": SEED.read_text(encoding="utf-8")})
    origin, folder = publisher
    paragraphs = json.load(urllib.request.urlopen(article["links"]["self"]))["paragraphs"]
    (folder / "story.html").write_text(
        "<!doctype html><html><head><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width'>"
        "<style>body{font-family:serif;max-width:680px;margin:auto} button{background:red}"
        "</style></head><body>"
        f"<h1>{paragraphs[0]}</h1>"
        f'<div data-narrate-article="{article["id"]}" data-narrate-read-along="article p"></div>'
        f'<script src="{server}/embed.js" async></script>'
        "<article>" + "".join(f"<p>{p}</p>" for p in paragraphs[1:]) + "</article></body></html>"
    )
    page.goto(f"{origin}/story.html")
    wait_ready(page)
    page.screenshot(path=artifacts / "embedded-player.png")
    page.click(f"{PLAYER} button.play")
    page.wait_for_function(f"() => document.querySelector('{PLAYER}').audio.currentTime > 0.5")
    page.locator("article p").nth(1).click()  # the third paragraph of the timing map
    page.wait_for_selector("article p:nth-of-type(2)[data-narrate-active]")
    # The host page's CSS (red buttons) does not reach into the player.
    color = page.evaluate(
        f"getComputedStyle(document.querySelector('{PLAYER}').shadowRoot"
        ".querySelector('button.back')).backgroundColor"
    )
    assert color != "rgb(255, 0, 0)"
    page.set_viewport_size({"width": 320, "height": 640})
    page.screenshot(path=artifacts / "embedded-player-320px.png")
    width = page.evaluate(
        f"document.querySelector('{PLAYER}').shadowRoot.querySelector('.bar').scrollWidth"
    )
    assert width <= 320


def test_submitted_text_is_shown_as_text_never_markup(page, server, worker):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    title = "<img src=x onerror=alert(1)>"
    article = submit(server, {"title": title, "text": "A perfectly ordinary paragraph."})
    page.goto(f"{server}/articles/{article['id']}")
    assert page.locator("h1").inner_text() == title
    page.goto(server + "/")
    assert page.get_by_text(title).count() == 1
    page.wait_for_timeout(500)
    assert dialogs == []
    assert page.locator("img[src=x]").count() == 0


def test_failed_conversion_reads_as_a_message(page, server, worker):
    article = submit(server, {"text": "Headline\n\nBody.", "voice": "klingon"})
    page.goto(f"{server}/player/{article['id']}")
    page.wait_for_function(
        f"() => document.querySelector('{PLAYER}').shadowRoot.querySelector('.status')"
        ".textContent === 'Audio is not available for this article'",
        timeout=60_000,
    )
    assert page.locator(f"{PLAYER} button.play").is_disabled()
    assert "klingon" not in page.locator(PLAYER).inner_text()
    assert page.get_attribute(PLAYER, "state") == "unavailable"
    # the operator's detail stays in the API
    error = json.load(urllib.request.urlopen(article["links"]["self"]))["error"]
    assert "klingon" in error


def test_a_server_with_api_tokens_takes_the_token_on_the_submit_page(page, guarded_server):
    page.goto(guarded_server + "/")
    page.fill("#text", "Token headline\n\nThe council met on Friday to approve the budget.")
    page.fill("#token", "not-the-token")
    page.click("button[type=submit]")
    page.wait_for_function("() => document.getElementById('error').textContent.length > 0")
    assert "not one this server accepts" in page.text_content("#error")
    page.fill("#token", API_TOKEN)
    page.click("button[type=submit]")
    page.wait_for_url("**/articles/*")
    assert "Token headline" in page.text_content("h1")
    page.goto(guarded_server + "/")  # remembered in this browser
    assert page.input_value("#token") == API_TOKEN


def test_a_key_made_over_the_api_signs_in_on_the_submit_page(page, guarded_server):
    request = urllib.request.Request(
        f"{guarded_server}/api/v1/keys",
        json.dumps({"name": "browser writer", "scope": "write"}).encode(),
        {"Content-Type": "application/json", "Authorization": f"Bearer {API_TOKEN}"},
    )
    key = json.load(urllib.request.urlopen(request))["key"]
    page.goto(guarded_server + "/")
    page.fill("#text", "Key headline\n\nThe harbour wall was approved on Friday.")
    page.fill("#token", key)
    page.click("button[type=submit]")
    page.wait_for_url("**/articles/*")
    assert "Key headline" in page.text_content("h1")


def test_a_private_article_plays_from_its_signed_player_link(page, guarded_server, worker):
    def api(path: str, body: dict | None = None) -> dict:
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {API_TOKEN}"}
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{guarded_server}{path}", data, headers)
        return json.load(urllib.request.urlopen(request))

    text = "A private draft\n\nThe council will vote on the harbour wall on Friday."
    created = api("/api/v1/articles", {"text": text, "visibility": "private"})
    wait_until(lambda: api(f"/api/v1/articles/{created['id']}")["status"] == "done")
    player = api(f"/api/v1/articles/{created['id']}")["links"]["player"]
    assert "signature=" in player

    page.goto(player.split("?")[0])  # without the signature it does not exist
    assert page.locator(f"{PLAYER} button.play:not([disabled])").count() == 0
    page.goto(player)
    wait_ready(page)
    page.click(f"{PLAYER} button.play")
    page.wait_for_function(f"() => document.querySelector('{PLAYER}').audio.currentTime > 0.5")
    assert "signature=" in audio(page, "currentSrc")
