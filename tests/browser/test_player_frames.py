"""Several oEmbed (iframe) players on a publisher's page, in Chromium: one voice at a
time across the iframes and the page's own players, and each host-page event once."""

from __future__ import annotations

from tests.support.pages import (
    PLAYER,
    axe_violations,
    converted,
    oembed,
    publisher_page,
    snippet,
    story,
    wait_ready,
)

# functions, not expressions: a frame's page forbids eval (its CSP), which Playwright uses for those
PLAYING = f"() => !document.querySelector('{PLAYER}').audio.paused"
PAUSED = f"() => document.querySelector('{PLAYER}').audio.paused"


def framed(server: str, article: dict, name: str) -> str:
    html = oembed(server, f"{server}/articles/{article['id']}")["html"]
    return f"<div id={name}>{html}</div>"


def frame(page, name: str):
    return page.locator(f"#{name} iframe").element_handle().content_frame()


def press_play(page, where) -> None:
    where.locator(f"{PLAYER} button.play").click()


def test_starting_one_player_pauses_the_others_in_frames_and_on_the_page(
    page, server, publisher, worker
):
    first, second, third = (
        converted(server, story(title, 10, words))
        for title, words in (
            ("First framed", "The council met to talk about plans"),
            ("Second framed", "Another tale begins here with news"),
            ("On the page", "A third voice speaks of the harbour"),
        )
    )
    origin, folder = publisher
    publisher_page(
        folder,
        "voices.html",
        "<h1>Three voices</h1>"
        + framed(server, first, "one")
        + framed(server, second, "two")
        + f"<div id=three>{snippet(server, third['id'])}</div>",
    )
    page.goto(f"{origin}/voices.html")
    one, two = frame(page, "one"), frame(page, "two")
    for where in (one, two, page):
        wait_ready(where)

    press_play(page, one)
    one.wait_for_function(PLAYING)
    press_play(page, two)
    two.wait_for_function(PLAYING)
    one.wait_for_function(PAUSED, timeout=5_000)  # another iframe started: this one stops

    press_play(page, page.locator("#three"))
    page.wait_for_function(PLAYING)
    two.wait_for_function(PAUSED, timeout=5_000)  # the page's own player stops the iframe's

    press_play(page, one)
    one.wait_for_function(PLAYING)
    page.wait_for_function(PAUSED, timeout=5_000)  # and an iframe's stops the page's
    assert two.evaluate(PAUSED) is True
    found = axe_violations(one) + axe_violations(two) + axe_violations(page)
    assert found == [], found


def test_two_oembed_snippets_send_each_event_once(page, server, publisher, worker):
    first = converted(server, story("Counted once", 6))
    second = converted(server, story("Counted too", 6, "Another tale begins here"))
    origin, folder = publisher
    publisher_page(
        folder,
        "counted.html",
        "<script>window.seen = {}; for (const t of ['play', 'pause', 'seek']) "
        "document.addEventListener('narrate-' + t, (e) => { const key = "
        "`${e.target.parentElement.id}:${t}:${e.detail.article}`; "
        "seen[key] = (seen[key] || 0) + 1; });</script>"
        + framed(server, first, "one")
        + framed(server, second, "two"),
    )
    page.goto(f"{origin}/counted.html")  # waits for both copies of embed.js to have run
    one = frame(page, "one")
    wait_ready(one)
    press_play(page, one)
    one.wait_for_function(f"() => document.querySelector('{PLAYER}').audio.currentTime > 0.3")
    one.evaluate(f"document.querySelector('{PLAYER}').audio.currentTime = 2")
    press_play(page, one)
    page.wait_for_function("seen[Object.keys(seen).find((k) => k.includes(':pause:'))]")
    page.wait_for_timeout(500)  # a second copy's dispatch would have arrived by now
    article = first["id"]
    assert page.evaluate("seen") == {
        f"one:play:{article}": 1,
        f"one:seek:{article}": 1,
        f"one:pause:{article}": 1,
    }


def test_the_host_page_draws_the_mini_player_of_an_iframe_out_of_view(
    page, server, publisher, worker
):
    article = converted(server, story("Framed and scrolled", 12))
    origin, folder = publisher
    publisher_page(
        folder,
        "mini.html",
        framed(server, article, "one") + "<p>Text</p>" * 200,
    )
    page.set_viewport_size({"width": 800, "height": 500})
    page.goto(f"{origin}/mini.html")
    one = frame(page, "one")
    wait_ready(one)
    press_play(page, one)
    one.wait_for_function(f"() => document.querySelector('{PLAYER}').audio.currentTime > 0.2")
    mini = page.locator("narrate-dock .mini")
    assert mini.count() == 0 or not mini.is_visible()
    page.evaluate("scrollTo(0, document.body.scrollHeight)")  # the iframe leaves the view
    mini.wait_for(state="visible", timeout=5_000)
    assert mini.locator(".title").inner_text() == "Framed and scrolled"
    box = mini.bounding_box()
    assert box["y"] + box["height"] <= 500 and box["height"] > 40
    assert (
        one.evaluate(
            f"() => document.querySelector('{PLAYER}').shadowRoot.querySelector('.mini').hidden"
        )
        is True
    )  # not drawn in the frame
    mini.locator("button.mini-play").click()
    # polled by time: a frame out of view gets no animation frames to poll by
    one.wait_for_function(PAUSED, polling=100, timeout=5_000)
    mini.wait_for(state="hidden")
