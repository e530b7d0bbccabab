"""What a publisher gets, in Chromium: oEmbed iframes that size themselves, events for
their analytics, a mini player, transcript, playlist, listening statistics, weight
before play, accessibility (axe-core) and screenshots at three widths, light and dark."""

from __future__ import annotations

import json

import pytest

from tests.support.pages import (
    PLAYER,
    axe_violations,
    converted,
    fetch_json,
    oembed,
    player_js,
    publisher_page,
    snippet,
    story,
    wait_ready,
)
from tests.support.paths import SEED
from tests.support.waits import wait_until

ONE = f"document.querySelector('{PLAYER}')"


def test_oembed_iframe_sizes_itself_and_shows_the_host_page_through(
    page, server, publisher, worker, artifacts
):
    article = converted(server, story("Embedded by oEmbed", 3))
    origin, folder = publisher
    snippet = oembed(server, f"{server}/articles/{article['id']}")["html"]
    missing = oembed(server, f"{server}/articles/{article['id']}")["html"].replace(
        article["id"], "no-such-article"
    )
    publisher_page(
        folder,
        "oembed.html",
        f"<p>Before</p><div id=one>{snippet}</div><p>Between</p><div id=two>{missing}</div>",
    )
    page.set_viewport_size({"width": 320, "height": 700})
    page.emulate_media(color_scheme="dark")  # a light host page, a reader in dark mode
    page.goto(f"{origin}/oembed.html")
    frame = page.frame_locator("#one iframe")
    frame.locator(f"{PLAYER} button.play:not([disabled])").wait_for(timeout=60_000)
    inner = page.frames[1]
    # The player page posts its height; the host resizes the iframe to it.
    page.wait_for_function(
        "Math.abs(document.querySelector('#one iframe').getBoundingClientRect().height - 130) <= 1"
    )
    assert (
        inner.evaluate("document.querySelector('narrate-player').getBoundingClientRect().top") == 0
    )
    assert inner.evaluate("getComputedStyle(document.documentElement).colorScheme") == "normal"
    assert inner.evaluate("getComputedStyle(document.body).backgroundColor") == "rgba(0, 0, 0, 0)"
    box = page.locator("#one iframe").bounding_box()
    download = frame.locator(f"{PLAYER} a.download").bounding_box()
    assert download["x"] + download["width"] <= box["x"] + box["width"]
    page.screenshot(path=artifacts / "oembed-320px-dark.png")
    # An unknown id: a small neutral player that says so, not a whole page.
    other = page.frame_locator("#two iframe")
    other.locator(f"{PLAYER}[state=unavailable]").wait_for(timeout=20_000)
    assert other.locator(f"{PLAYER} .status").inner_text() == (
        "Audio is not available for this article"
    )
    assert other.locator("header").count() == 0


def test_events_reach_the_host_page_with_the_article_id(page, server, publisher, worker):
    article = converted(server, story("Events", 4))
    origin, folder = publisher
    publisher_page(
        folder,
        "events.html",
        f'<div data-narrate-article="{article["id"]}" data-narrate-stats="off"></div>'
        "<script>window.seen = []; for (const t of ['status','ready','play','pause','seek',"
        "'progress','ended']) document.addEventListener('narrate-' + t, e => "
        "seen.push([t, e.detail.article, e.detail.quartile || null]));</script>"
        f'<script src="{server}/embed.js" async></script>',
    )
    beacons = []
    page.on("request", lambda r: beacons.append(r.url) if r.url.endswith("/listens") else None)
    page.goto(f"{origin}/events.html")
    wait_ready(page)
    page.click(f"{PLAYER} button.play")
    page.wait_for_function(f"{ONE}.audio.duration > 0 && {ONE}.audio.currentTime > 0.2")
    page.evaluate(f"{ONE}.audio.currentTime = {ONE}.audio.duration * 0.8")
    page.wait_for_function(player_js("audio.ended"), timeout=30_000)
    seen = page.evaluate("seen")
    kinds = [kind for kind, _, _ in seen]
    assert {"status", "ready", "play", "seek", "progress", "ended"} <= set(kinds)
    assert all(article_id == article["id"] for _, article_id, _ in seen)
    assert [q for kind, _, q in seen if kind == "progress"] == [25, 50, 75]
    assert kinds.index("play") < kinds.index("seek") < kinds.index("ended")
    page.click(f"{PLAYER} button.play")
    page.wait_for_function("!" + player_js("audio.paused"))
    page.click(f"{PLAYER} button.play")
    page.wait_for_function("seen.some(([t]) => t === 'pause')")
    assert beacons == []  # stats="off"


def test_listening_is_counted_without_cookies_and_shown_on_the_list(page, server, worker):
    article = converted(server, story("Counted", 3))
    page.goto(f"{server}/articles/{article['id']}")
    wait_ready(page)
    page.context.add_cookies([{"name": "session", "value": "reader", "url": server}])
    page.click(f"{PLAYER} button.play")
    page.wait_for_function(player_js("audio.currentTime > 1.5"))
    with page.expect_request(lambda r: r.url.endswith("/listens")) as beacon:
        page.click(f"{PLAYER} button.play")  # pause: the report goes
    assert "cookie" not in beacon.value.all_headers()  # not even the site's own cookie
    wait_until(
        lambda: (
            fetch_json(f"{server}/api/v1/articles/{article['id']}/stats")["totals"]["plays"] == 1
        ),
        timeout=10,
    )
    stats = fetch_json(f"{server}/api/v1/articles/{article['id']}/stats")
    assert stats["totals"]["quartiles"]["25"] >= 0 and len(stats["days"]) == 1
    page.goto(server + "/")
    assert "1 play" in page.locator("ul.recent").inner_text()


def test_mini_player_transcript_and_next_article(page, server, worker):
    first = converted(server, {**story("Older story", 3), "collection": "news"})
    second = converted(server, {**story("Newer story", 12), "collection": "news"})
    page.set_viewport_size({"width": 900, "height": 500})
    page.goto(f"{server}/articles/{second['id']}")
    wait_ready(page)
    page.click(f"{PLAYER} button.play")
    page.wait_for_function(player_js("audio.currentTime > 0.3"))
    next_link = page.locator(f"{PLAYER} a.next-article")
    next_link.wait_for()
    assert next_link.inner_text() == "Next article: Older story"
    assert next_link.get_attribute("href").endswith(f"/articles/{first['id']}")

    page.click(f"{PLAYER} button.show-transcript")
    transcript = page.locator(f"{PLAYER} ol.transcript")
    assert transcript.is_visible()
    page.wait_for_function(player_js("shadowRoot.querySelectorAll('.transcript li').length > 3"))
    page.wait_for_selector(f"{PLAYER} .transcript li[aria-current]", timeout=10_000)
    assert page.locator(f"{PLAYER} .transcript li[aria-current]").count() == 1
    assert page.locator(f"{PLAYER} audio track").get_attribute("src").endswith("captions.vtt")

    page.evaluate("scrollTo(0, document.body.scrollHeight)")  # the player leaves the view
    mini = page.locator(f"{PLAYER} .mini")
    mini.wait_for(state="visible", timeout=5_000)
    assert mini.locator(".title").inner_text() == "Newer story"
    mini.locator("button.mini-play").click()
    page.wait_for_function(player_js("audio.paused"))
    mini.wait_for(state="hidden")


def test_auto_advance_goes_on_to_the_publishers_page_of_the_next_article(
    page, server, publisher, worker
):
    origin, folder = publisher
    older = converted(
        server,
        {**story("Read next", 2), "collection": "city", "source_url": f"{origin}/next.html"},
    )
    newer = converted(server, {**story("Read first", 2), "collection": "city"})
    for name, article in (("advance.html", newer), ("next.html", older)):
        publisher_page(
            folder,
            name,
            f'<narrate-player article="{article["id"]}" autoadvance></narrate-player>'
            f'<script src="{server}/embed.js" async></script>',
        )
    page.goto(f"{origin}/advance.html")
    wait_ready(page)
    page.click(f"{PLAYER} button.play")
    page.wait_for_function(f"{ONE}.next && {ONE}.audio.duration > 0")
    assert page.locator(f"{PLAYER} a.next-article").get_attribute("href") == f"{origin}/next.html"
    page.evaluate(f"{ONE}.audio.currentTime = {ONE}.audio.duration - 0.3")
    page.wait_for_url(f"{origin}/next.html#narrate-play", timeout=20_000)  # not Narrate's page
    page.wait_for_function(f"!{ONE}.audio.paused")  # and it plays on there


def test_without_the_publishers_page_the_next_article_plays_in_place(
    page, server, publisher, worker
):
    older = converted(server, {**story("Heard next", 2), "collection": "town"})
    newer = converted(server, {**story("Heard first", 2), "collection": "town"})
    origin, folder = publisher
    publisher_page(
        folder,
        "in-place.html",
        f'<article><div data-narrate-article="{newer["id"]}" data-narrate-autoadvance></div>'
        "<p data-narrate-paragraph=1>The council met to talk about plans, part 1.</p>"
        f'</article><script src="{server}/embed.js" async></script>',
    )
    page.goto(f"{origin}/in-place.html")
    wait_ready(page)
    page.click(f"{PLAYER} button.play")
    page.wait_for_function(f"{ONE}.next && {ONE}.audio.duration > 0")
    page.evaluate(f"{ONE}.audio.currentTime = {ONE}.audio.duration - 0.3")
    page.wait_for_function(
        f"{ONE}.getAttribute('article') === '{older['id']}' && {ONE}.audio.currentTime > 0.2",
        timeout=20_000,
    )
    assert page.url == f"{origin}/in-place.html"
    assert page.locator(PLAYER).count() == 1
    assert page.locator("[data-narrate-index]").count() == 0  # the text is the first one's


def test_before_play_only_embed_js_and_one_status_request(page, server, publisher, worker):
    """The figures the README quotes: requests and bytes before the reader shows intent."""
    article = converted(server, {"text": SEED.read_text(encoding="utf-8")})
    origin, folder = publisher
    publisher_page(
        folder,
        "weight.html",
        snippet(server, article["id"]),
    )
    loaded = []
    page.on("requestfinished", lambda r: loaded.append(r) if r.url.startswith(server) else None)
    page.goto(f"{origin}/weight.html")
    wait_ready(page)
    page.wait_for_timeout(1000)
    sizes = {r.url[len(server) :]: r.sizes() for r in loaded}
    assert list(sizes) == ["/embed.js", f"/api/v1/articles/{article['id']}/status"]
    total = sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes.values())
    embed = sizes["/embed.js"]["responseBodySize"]
    print(f"\nbefore play: {len(sizes)} requests, {total} bytes; embed.js {embed} bytes gzipped")
    assert embed < 16_000  # compressed
    assert total < 20_000


ACCESSIBLE_PAGES = ["article", "player", "embed"]


@pytest.mark.parametrize("where", ACCESSIBLE_PAGES)
def test_axe_finds_no_violations(page, server, publisher, worker, where):
    article = converted(server, story("Accessible", 3))
    origin, folder = publisher
    publisher_page(
        folder,
        "axe.html",
        f"<h1>A publisher's story</h1><article>"
        f'<div data-narrate-article="{article["id"]}"></div>'
        f"{''.join(f'<p data-narrate-paragraph={i}>Paragraph {i}.</p>' for i in (1, 2, 3))}"
        f'</article><script src="{server}/embed.js" async></script>',
    )
    url = {
        "article": f"{server}/articles/{article['id']}",
        "player": f"{server}/player/{article['id']}",
        "embed": f"{origin}/axe.html",
    }[where]
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.goto(url)
        wait_ready(page)
        page.hover(f"{PLAYER} button.play")  # the state a reader uses
        violations = axe_violations(page)
        assert violations == [], json.dumps(violations, indent=1)


@pytest.mark.parametrize("width", [320, 768, 1280])
def test_screenshots_light_and_dark(page, server, worker, artifacts, width):
    article = converted(server, story("Screenshots of the player at work", 4))
    page.set_viewport_size({"width": width, "height": 700})
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.goto(f"{server}/articles/{article['id']}")
        wait_ready(page)
        page.click(f"{PLAYER} button.play")
        page.wait_for_function(player_js("audio.currentTime > 0.3"))
        page.click(f"{PLAYER} button.play")
        path = artifacts / f"player-{width}px-{scheme}.png"
        page.screenshot(path=path)
        assert path.stat().st_size > 1000
        overflow = page.evaluate(player_js("shadowRoot.querySelector('.bar').scrollWidth"))
        assert overflow <= page.evaluate(player_js("getBoundingClientRect().width")) + 1
