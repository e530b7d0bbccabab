"""What a reader meets on a real page, in Chromium: read-along across origins, several
players, clicks that are selections, scrolling away, no audio before intent, layout,
languages and right-to-left, the end of the audio, the lock screen."""

from __future__ import annotations

import itertools
import time
import urllib.request

import pytest

from tests.support.pages import (
    PLAYER,
    converted,
    fetch_json,
    player_js,
    publisher_page,
    snippet,
    story,
    submit,
    wait_ready,
)
from tests.support.waits import wait_until

ONE = f"document.querySelector('{PLAYER}')"
LONG = "The council met on Friday evening to talk at length about the plans for the town"


def _paragraphs_html(article: dict, attr: str = "") -> str:
    texts = fetch_json(article["links"]["self"])["paragraphs"]
    return "".join(
        f'<p data-narrate-paragraph="{i}" {attr}>{text}</p>' for i, text in enumerate(texts) if i
    )


def test_read_along_works_on_another_origin_after_a_fetch_without_origin(
    page, server, publisher, worker
):
    article = converted(server, story("Cached timings", 4))
    # Opened first on the service's own origin (no Origin header): the browser caches it.
    page.goto(article["links"]["timings"])
    origin, folder = publisher
    publisher_page(
        folder,
        "cached.html",
        f'<article><div data-narrate-article="{article["id"]}"></div>'
        f'<script src="{server}/embed.js" async></script>{_paragraphs_html(article)}</article>',
    )
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{origin}/cached.html")
    wait_ready(page)
    page.click(f"{PLAYER} button.play")
    page.wait_for_selector('[data-narrate-paragraph="1"][data-narrate-active]', timeout=20_000)
    assert not [e for e in errors if "CORS" in e]
    plain = urllib.request.urlopen(article["links"]["timings"])  # no Origin: still "*"
    assert plain.headers["Access-Control-Allow-Origin"] == "*"


def test_two_players_on_one_page_are_independent(page, server, publisher, worker):
    first = converted(server, story("First story", 3))
    second = converted(server, story("Second story", 3, "Another tale begins here"))
    origin, folder = publisher
    body = "".join(
        f'<article><h2 data-narrate-paragraph="0">{a["id"]}</h2>'
        f'<div data-narrate-article="{a["id"]}"></div>{_paragraphs_html(a)}</article>'
        for a in (first, second)
    )
    publisher_page(folder, "two.html", body + f'<script src="{server}/embed.js" async></script>')
    page.goto(f"{origin}/two.html")
    wait_ready(page, f"article:nth-of-type(1) {PLAYER}")
    wait_ready(page, f"article:nth-of-type(2) {PLAYER}")
    page.click(f"article:nth-of-type(2) {PLAYER} button.play")
    page.wait_for_function(player_js("audio.currentTime > 0.3", 1))
    page.wait_for_selector("article:nth-of-type(2) [data-narrate-active]")
    assert page.locator("article:nth-of-type(1) [data-narrate-active]").count() == 0

    page.click(f"article:nth-of-type(1) {PLAYER} button.play")  # one plays at a time
    page.wait_for_function(player_js("audio.currentTime > 0.3", 0))
    page.wait_for_function(player_js("audio.paused", 1))
    assert page.evaluate(player_js("audio.paused", 0)) is False

    page.click(f"{PLAYER} >> nth=0 >> button.play")  # pause the first
    page.wait_for_function(player_js("audio.paused", 0))
    page.click('article:nth-of-type(2) [data-narrate-paragraph="2"]')
    page.wait_for_function("!" + player_js("audio.paused", 1))
    page.wait_for_timeout(500)
    assert page.evaluate(player_js("audio.paused", 0)) is True


def test_selecting_words_and_following_links_do_not_play(page, server, publisher, worker):
    article = converted(server, story("Links and words", 3))
    origin, folder = publisher
    texts = fetch_json(article["links"]["self"])["paragraphs"]
    body = (
        f'<article><div data-narrate-article="{article["id"]}"></div>'
        f'<p data-narrate-paragraph="1">{texts[1]} <a id="link" href="#elsewhere">a link</a></p>'
        f'<p data-narrate-paragraph="2">{texts[2]}</p>'
        f'<p data-narrate-paragraph="3">{texts[3]}</p></article>'
        f'<script src="{server}/embed.js" async></script><div id="elsewhere">…</div>'
    )
    publisher_page(folder, "links.html", body)
    page.goto(f"{origin}/links.html")
    wait_ready(page)
    page.dblclick('[data-narrate-paragraph="2"]')  # selecting a word
    page.click("#link")
    page.wait_for_timeout(900)
    assert page.evaluate(player_js("audio.paused")) is True
    assert page.evaluate(player_js("audio.currentSrc")) == ""  # not even loaded

    # A plain click plays from that paragraph; so does Enter on a focused paragraph.
    page.evaluate("getSelection().removeAllRanges()")
    page.click('[data-narrate-paragraph="3"]')
    page.wait_for_function("!" + player_js("audio.paused"))
    timings = fetch_json(article["links"]["timings"])["paragraphs"]
    assert page.evaluate(player_js("audio.currentTime")) >= timings[3]["start_ms"] / 1000 - 0.3
    page.evaluate(player_js("audio.pause()"))
    page.focus('[data-narrate-paragraph="2"]')
    assert page.evaluate("document.activeElement.dataset.narrateParagraph") == "2"
    assert page.evaluate("document.activeElement.tabIndex") == 0
    page.keyboard.press("Enter")
    page.wait_for_function("!" + player_js("audio.paused"))
    now = page.evaluate(player_js("audio.currentTime"))
    assert timings[2]["start_ms"] / 1000 - 0.3 <= now < timings[3]["start_ms"] / 1000


def test_a_reader_who_scrolled_away_is_not_pulled_back(page, server, publisher, worker):
    article = converted(server, story("Scrolling", 10, LONG))
    origin, folder = publisher
    publisher_page(
        folder,
        "scroll.html",
        f'<article><div data-narrate-article="{article["id"]}"></div>{_paragraphs_html(article)}'
        f'</article><section id="comments" style="height:4000px">Comments</section>'
        f'<script src="{server}/embed.js" async></script>',
    )
    page.set_viewport_size({"width": 800, "height": 500})
    page.goto(f"{origin}/scroll.html")
    wait_ready(page)
    timings = fetch_json(article["links"]["timings"])["paragraphs"]
    page.click(f"{PLAYER} button.play")
    page.wait_for_selector("[data-narrate-active]")
    page.mouse.move(400, 300)
    for _ in range(8):
        page.mouse.wheel(0, 500)  # the reader goes down to the comments
        page.wait_for_timeout(100)
    page.wait_for_timeout(500)
    scrolled_to = page.evaluate("scrollY")
    assert scrolled_to > 2000
    page.evaluate(player_js(f"audio.currentTime = {timings[4]['start_ms'] / 1000 + 0.1}"))
    page.wait_for_selector('[data-narrate-paragraph="4"][data-narrate-active]')
    page.wait_for_timeout(1200)
    assert abs(page.evaluate("scrollY") - scrolled_to) < 5
    follow = page.locator(f"{PLAYER} button.follow")
    assert follow.is_visible()
    assert follow.inner_text() == "Back to the paragraph"
    follow.click()
    page.wait_for_function(
        "(() => { const b = document.querySelector('[data-narrate-active]')"
        ".getBoundingClientRect(); return b.top >= 0 && b.bottom <= innerHeight; })()"
    )
    # Following again: the next paragraph is brought into view by the player.
    page.wait_for_function(player_js("shadowRoot.querySelector('.follow').hidden"))


def test_no_audio_is_fetched_before_the_reader_shows_intent(page, server, publisher, worker):
    article = converted(server, story("Intent", 3))
    origin, folder = publisher
    publisher_page(
        folder,
        "intent.html",
        snippet(server, article["id"]),
    )
    seen = []
    page.on("request", lambda r: seen.append(r.url) if r.url.startswith(server) else None)
    page.goto(f"{origin}/intent.html")
    wait_ready(page)
    page.wait_for_timeout(1500)
    paths = [url[len(server) :] for url in seen]
    assert paths == ["/embed.js", f"/api/v1/articles/{article['id']}/status"]
    assert page.evaluate(player_js("audio.preload")) == "none"
    page.hover(f"{PLAYER} button.play")  # intent
    wait_until(lambda: any(url.endswith("/audio.mp3") for url in seen), timeout=10)

    seen.clear()
    page.goto(f"{server}/player/{article['id']}")
    wait_ready(page)
    page.wait_for_timeout(1500)
    assert not [url for url in seen if "audio.mp3" in url or "timings" in url]


@pytest.mark.parametrize("width", [320, 1280])
def test_the_player_keeps_its_height_and_its_touch_targets(page, server, width, worker):
    waiting = submit(server, story("Long one", 40))  # still being made when the page opens
    page.set_viewport_size({"width": width, "height": 800})
    page.add_init_script(
        "window.layoutShift = 0; new PerformanceObserver((list) => { for (const e of"
        " list.getEntries()) if (!e.hadRecentInput) window.layoutShift += e.value; })"
        ".observe({type: 'layout-shift', buffered: true});"
    )
    page.goto(f"{server}/articles/{waiting['id']}")
    page.wait_for_function(player_js("getAttribute('state') !== null"))
    making = page.evaluate(player_js("getBoundingClientRect().height"))
    wait_ready(page)
    ready = page.evaluate(player_js("getBoundingClientRect().height"))
    page.click(f"{PLAYER} button.play")
    page.wait_for_function(player_js("audio.currentTime > 0.2"))
    playing = page.evaluate(player_js("getBoundingClientRect().height"))
    assert making == ready == playing
    shift = page.evaluate("window.layoutShift")
    assert shift < 0.01
    small = page.evaluate(
        f"[...{ONE}.shadowRoot.querySelectorAll('.bar button, .bar select, .bar a.icon')]"
        ".map(e => e.getBoundingClientRect()).filter(b => b.width > 0)"  # shown ones
        ".filter(b => b.width < 44 || b.height < 44).length"
    )
    assert small == 0
    width_used = page.evaluate(player_js("shadowRoot.querySelector('.bar').scrollWidth"))
    assert width_used <= page.evaluate(player_js("getBoundingClientRect().width")) + 1


def test_strings_follow_the_page_language_and_rtl_is_mirrored(page, server, publisher, worker):
    article = converted(server, story("Languages", 2))
    origin, folder = publisher
    publisher_page(
        folder,
        "ar.html",
        f'<div dir="rtl"><div data-narrate-article="{article["id"]}"></div></div>'
        f'<script src="{server}/embed.js" async></script>',
        lang="ar",
    )
    page.goto(f"{origin}/ar.html")
    wait_ready(page)
    assert page.get_attribute(f"{PLAYER} button.play", "aria-label") == "تشغيل"
    assert page.locator(f"{PLAYER} .heading .title").inner_text() == "استمع إلى هذا المقال"
    assert page.get_attribute(f"{PLAYER} .bar", "dir") == "rtl"
    remaining = page.locator(f"{PLAYER} .remaining")
    assert remaining.inner_text().startswith("-")
    assert remaining.evaluate("e => getComputedStyle(e).direction") == "ltr"
    assert (
        page.locator(f"{PLAYER} select.speed").evaluate("e => getComputedStyle(e).direction")
        == "ltr"
    )
    transform = page.locator(f"{PLAYER} button.next svg").evaluate(
        "e => getComputedStyle(e).transform"
    )
    assert transform.startswith("matrix(-1")
    # The remaining time sits at the inline end: on the left in right-to-left.
    elapsed_x = page.locator(f"{PLAYER} .elapsed").bounding_box()["x"]
    assert remaining.bounding_box()["x"] < elapsed_x

    publisher_page(
        folder,
        "fr.html",
        f'<narrate-player article="{article["id"]}" lang="fr"></narrate-player>'
        f'<script src="{server}/embed.js" async></script>',
    )
    page.goto(f"{origin}/fr.html")
    wait_ready(page)
    assert page.get_attribute(f"{PLAYER} button.play", "aria-label") == "Lecture"
    assert page.get_attribute(f"{PLAYER} .bar", "dir") == "ltr"


def test_after_the_end_the_player_offers_a_replay(page, server, worker):
    article = converted(server, story("The end", 2))
    page.goto(f"{server}/articles/{article['id']}")
    wait_ready(page)
    page.click(f"{PLAYER} button.play")
    page.wait_for_function(player_js("audio.duration > 0"))
    page.evaluate(f"{ONE}.audio.currentTime = {ONE}.audio.duration - 0.3")
    page.wait_for_function(player_js("audio.ended"), timeout=10_000)
    assert page.get_attribute(f"{PLAYER} button.play", "aria-label") == "Replay"
    page.reload()
    wait_ready(page)
    assert page.get_attribute(f"{PLAYER} button.play", "aria-label") == "Replay"
    assert page.locator(f"{PLAYER} .elapsed").inner_text() == "0:00"
    page.click(f"{PLAYER} button.play")
    page.wait_for_function("!" + player_js("audio.paused"))
    assert page.evaluate(player_js("audio.currentTime")) < 2


def test_next_in_the_last_paragraph_does_not_jump_back(page, server, worker):
    article = converted(server, story("Last paragraph", 3))
    timings = fetch_json(article["links"]["timings"])["paragraphs"]
    page.goto(f"{server}/player/{article['id']}")
    wait_ready(page)
    page.click(f"{PLAYER} button.play")
    page.wait_for_function(player_js("audio.duration > 0"))
    page.click(f"{PLAYER} button.play")  # pause
    page.evaluate(player_js(f"audio.currentTime = {timings[-1]['start_ms'] / 1000 + 1}"))
    before = page.evaluate(player_js("audio.currentTime"))
    page.evaluate(player_js("shadowRoot.querySelector('.next').click()"))
    page.wait_for_timeout(200)
    assert page.evaluate(player_js("audio.currentTime")) >= before
    assert page.locator(f"{PLAYER} button.next").is_disabled()


def test_live_region_announces_stages_and_status_polls_are_small(page, server, worker):
    seen = []
    page.on(
        "response",
        lambda r: (
            seen.append((r.url, r.status, len(r.body()) if r.status == 200 else 0))
            if "/api/v1/" in r.url
            else None
        ),
    )
    # long enough that a status poll (every second while it moves) sees it playable
    # before it is ready, even on a fast machine: 60 paragraphs were done between two polls
    article = submit(server, story("Announcements", 400))
    page.goto(f"{server}/player/{article['id']}")
    page.wait_for_function(player_js("shadowRoot !== null"))
    page.evaluate(
        "window.said = []; new MutationObserver(() => said.push("
        + player_js("shadowRoot.querySelector('.live').textContent")
        + ")).observe("
        + player_js("shadowRoot.querySelector('.live')")
        + ", {childList: true, characterData: true, subtree: true})"
    )
    # playable early (progressive playback), then ready once the MP3 is done
    page.wait_for_selector(f"{PLAYER}[state=ready]", timeout=120_000)
    said = page.evaluate("said")
    assert said and said[-1] == "Audio ready"
    assert "Listen now while the rest is made" in said
    assert len(said) <= 4, said
    assert all("%" not in text for text in said)
    polls = [s for s in seen if s[0].endswith("/status")]
    assert polls and not [s for s in seen if s[0].endswith(article["id"])]  # never the full JSON
    assert max(size for _, _, size in polls) < 400


def test_status_polling_backs_off_while_nothing_changes(page, server, broker):
    article = submit(server, story("Nobody converts this", 3))  # no worker: it stays queued
    moments = []
    page.on("request", lambda r: moments.append(time.monotonic()) if "/status" in r.url else None)
    page.goto(f"{server}/player/{article['id']}")
    page.wait_for_timeout(12_000)
    assert 3 <= len(moments) <= 7, len(moments)  # polling every second would be 12
    # the player's wait from one answer to its next poll, in the page's own clock (a
    # gap between requests also holds the answer's time, seconds on a loaded machine)
    answered_then_asked = page.evaluate(
        "performance.getEntriesByType('resource').filter(e => e.name.includes('/status'))"
        ".map(e => [e.startTime, e.responseEnd])"
    )
    waits = [b[0] - a[1] for a, b in itertools.pairwise(answered_then_asked)]
    assert len(waits) >= 2 and waits[-1] > 2 * waits[0], waits
    assert page.locator(f"{PLAYER} .status").inner_text() == "Waiting to make the audio…"


def test_media_session_shows_the_article_on_the_lock_screen(page, server, worker):
    article = converted(
        server, {"title": "Lock screen title", "text": "By Ann Writer\n\nA short paragraph."}
    )
    page.add_init_script(
        "window.actions = []; const set = navigator.mediaSession.setActionHandler"
        ".bind(navigator.mediaSession); navigator.mediaSession.setActionHandler ="
        " (name, handler) => { actions.push(name); set(name, handler); };"
    )
    page.goto(f"{server}/articles/{article['id']}")
    wait_ready(page)
    page.click(f"{PLAYER} button.play")
    page.wait_for_function("navigator.mediaSession.metadata !== null")
    assert {"play", "pause", "seekbackward", "seekforward", "seekto", "nexttrack"} <= set(
        page.evaluate("actions")
    )
    metadata = page.evaluate(
        "({title: navigator.mediaSession.metadata.title,"
        " artist: navigator.mediaSession.metadata.artist})"
    )
    assert metadata["title"] == "Lock screen title"
    assert metadata["artist"] == "Ann Writer"  # the byline the cleaner found
