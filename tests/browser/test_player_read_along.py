"""Read-along on a publisher's own markup, in Chromium: paragraphs found by their text
(not their position), one Tab stop for all of them, arrows between them, Space to pause;
a transcript that floats and scrolls by keyboard; reduced motion; the lock screen's image."""

from __future__ import annotations

from tests.support.pages import (
    PLAYER,
    axe_violations,
    converted,
    player_js,
    publisher_page,
    snippet,
    story,
    wait_ready,
)

WORDS = "The council met to talk about plans"


def host_markup(server: str, article_id: str) -> str:
    spoken = [f"<p>{WORDS}, part {n}.</p>" for n in range(1, 5)]
    spoken[1] = f"<p>{WORDS}, part 2. <a href='#related'>Related: ferry fares</a></p>"
    return (
        "<article><h1>Aligned by text</h1><p class=byline>By Jane Reporter</p>"
        "<p>Listen to this article</p>"
        + snippet(server, article_id, 'data-narrate-read-along="article h1, article p"')
        + "".join(spoken[:2])
        + "<p>Advertisement</p>"
        + "".join(spoken[2:])
        + "</article>"
    )


def marked(page) -> list[tuple[str, str | None]]:
    return page.evaluate(
        "() => [...document.querySelectorAll('article h1, article p')]"
        ".map((p) => [p.textContent.slice(0, 20), p.dataset.narrateIndex || null])"
    )


def test_paragraphs_are_found_by_their_text_and_are_one_tab_stop(page, server, publisher, worker):
    article = converted(server, story("Aligned by text", 4))
    origin, folder = publisher
    publisher_page(folder, "aligned.html", host_markup(server, article["id"]))
    page.goto(f"{origin}/aligned.html")
    wait_ready(page)
    page.wait_for_function("document.querySelectorAll('[data-narrate-index]').length === 5")
    assert marked(page) == [
        ["Aligned by text", "0"],
        ["By Jane Reporter", None],  # what the cleaner left out is left alone
        ["Listen to this artic", None],
        ["The council met to t", "1"],
        ["The council met to t", "2"],
        ["Advertisement", None],
        ["The council met to t", "3"],
        ["The council met to t", "4"],
    ]
    stops = page.evaluate(
        "document.querySelectorAll('[data-narrate-index][tabindex=\"0\"]').length"
    )
    assert stops == 1

    page.locator("[data-narrate-index='3']").click()  # plays from the third paragraph
    page.wait_for_selector("[data-narrate-index='3'][data-narrate-active]", timeout=10_000)
    page.wait_for_function(f"!{player_js('audio.paused')}")
    timings = page.evaluate(player_js("timings"))
    assert page.evaluate(player_js("audio.currentTime")) * 1000 >= timings[3]["start_ms"] - 50

    # Tab reaches the paragraphs once, at the one being read; arrows move between them.
    page.focus(f"{PLAYER}")
    page.locator("[data-narrate-index='3']").focus()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.dataset.narrateIndex") == "4"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.dataset.narrateIndex") == "2"
    assert (
        page.evaluate("document.querySelectorAll('[data-narrate-index][tabindex=\"0\"]').length")
        == 1
    )
    page.keyboard.press(" ")  # pauses, where Enter plays from the paragraph
    page.wait_for_function(player_js("audio.paused"))
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-narrate-index='2'][data-narrate-active]", timeout=10_000)
    page.wait_for_function(f"!{player_js('audio.paused')}")


def test_transcript_floats_scrolls_by_keyboard_and_motion_can_be_reduced(
    page, server, publisher, worker
):
    article = converted(server, story("A long transcript", 24))
    origin, folder = publisher
    paragraphs = "".join(
        f"<p data-narrate-paragraph={n}>{WORDS}, part {n}.</p>" for n in range(1, 25)
    )
    publisher_page(
        folder,
        "calm.html",
        f"<article>{snippet(server, article['id'])}{paragraphs}</article>"
        "<section style='height:3000px'>Comments</section>",
        head="<meta property='og:image' content='/cover.png'>",
    )
    page.emulate_media(reduced_motion="reduce")
    page.add_init_script(
        "window.scrolls = []; const into = Element.prototype.scrollIntoView;"
        "Element.prototype.scrollIntoView = function (options) {"
        " scrolls.push(options && options.behavior); return into.call(this, options); };"
    )
    page.set_viewport_size({"width": 800, "height": 400})
    page.goto(f"{origin}/calm.html")
    wait_ready(page)
    page.click(f"{PLAYER} button.show-transcript")
    page.wait_for_function(player_js("shadowRoot.querySelectorAll('.transcript li').length > 20"))
    transcript = page.locator(f"{PLAYER} ol.transcript")
    assert transcript.is_visible()
    assert round(page.locator(PLAYER).bounding_box()["height"]) == 130  # it floats below
    violations = axe_violations(page, PLAYER)
    assert violations == [], violations  # scrollable-region-focusable among them
    transcript.focus()
    page.keyboard.press("PageDown")
    page.wait_for_function(player_js("shadowRoot.querySelector('.transcript').scrollTop > 0"))

    page.click(f"{PLAYER} button.play")
    page.wait_for_function(player_js("audio.currentTime > 0.3"))
    artwork = page.evaluate("navigator.mediaSession.metadata.artwork.map((a) => a.src)")
    assert artwork == [f"{origin}/cover.png"]  # the page's own image, on the lock screen
    page.wait_for_selector("[data-narrate-active]")
    page.mouse.move(400, 300)
    for _ in range(6):
        page.mouse.wheel(0, 500)  # the reader scrolls away from the paragraph read
        page.wait_for_timeout(100)
    page.click(f"{PLAYER} button.follow")  # and back to it
    page.wait_for_function("scrolls.length > 0")
    assert set(page.evaluate("scrolls")) == {"auto"}  # no smooth scrolling
