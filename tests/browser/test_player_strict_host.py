"""The player on a publisher's page that forbids inline styles and scripts (a strict
Content-Security-Policy), in Chromium: styled as designed, reading along, and not one
violation reported, on the page or in Narrate's iframe."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from tests.support.pages import (
    CSP_WATCH,
    PLAYER,
    axe_violations,
    converted,
    fetch_json,
    oembed,
    player_js,
    publisher_page,
    snippet,
    story,
    strict_policy,
    wait_ready,
)

ROOT = Path(__file__).resolve().parents[2]
PARAGRAPHS = "".join(
    f"<p data-narrate-paragraph={n}>The council met to talk about plans, part {n}.</p>"
    for n in range(1, 5)
)


def test_a_strict_host_page_gets_the_designed_player_and_read_along(
    page, server, publisher, worker
):
    article = converted(server, story("Strict host", 4))
    origin, folder = publisher
    publisher_page(
        folder,
        "strict.html",
        f"<h1>Strict host</h1><article>{snippet(server, article['id'])}{PARAGRAPHS}</article>",
        csp=strict_policy(server),
    )
    page.add_init_script(CSP_WATCH)
    page.goto(f"{origin}/strict.html")
    wait_ready(page)
    box = page.locator(f"{PLAYER} button.play").bounding_box()
    assert (round(box["width"]), round(box["height"])) == (48, 48)  # not the bare 34x27 button
    assert round(page.locator(PLAYER).bounding_box()["height"]) == 130
    page.click(f"{PLAYER} button.play")
    page.wait_for_function(player_js("audio.currentTime > 0.3"))
    active = page.locator("[data-narrate-active]")
    active.wait_for(timeout=10_000)
    background = active.evaluate("(p) => getComputedStyle(p).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent"), background
    assert page.evaluate("violations") == []
    found = axe_violations(page)  # playing, a paragraph highlighted
    assert found == [], json.dumps(found, indent=1)


def test_an_oembed_iframe_on_a_strict_host_page(page, server, publisher, worker):
    article = converted(server, story("Strict frame", 2))
    origin, folder = publisher
    html = oembed(server, f"{server}/articles/{article['id']}")["html"]
    # The policy ignores the snippet's style attribute; embed.js sets the same through the CSSOM.
    body = "<h1>Strict frame</h1>" + html.replace(' style="', ' data-style="')
    publisher_page(folder, "framed.html", body, csp=strict_policy(server))
    page.add_init_script(CSP_WATCH)
    page.set_viewport_size({"width": 400, "height": 700})
    page.goto(f"{origin}/framed.html")
    frame = page.locator("iframe").element_handle().content_frame()
    wait_ready(frame)
    box = frame.locator(f"{PLAYER} button.play").bounding_box()
    assert (round(box["width"]), round(box["height"])) == (48, 48)
    border = page.locator("iframe").evaluate("(f) => getComputedStyle(f).borderTopWidth")
    assert border == "0px"
    assert page.locator("iframe").bounding_box()["width"] <= 400
    assert page.evaluate("violations") == [] and frame.evaluate("() => violations") == []
    # axe in the frame and on the page: the page's run does not look into a cross-origin frame
    found = axe_violations(frame) + axe_violations(page)
    assert found == [], json.dumps(found, indent=1)


def documented_snippets(server: str, article_id: str) -> list[str]:
    """The holder and element snippets as docs/publishers/embedding.md gives them."""
    text = (ROOT / "docs" / "publishers" / "embedding.md").read_text(encoding="utf-8")
    lines = [
        line
        for line in text.splitlines()
        if line.startswith(("<div data-narrate-article=", "<narrate-player article="))
    ]
    assert len(lines) == 2, lines
    return [line.replace("ARTICLE_ID", article_id) for line in lines]


def test_the_documented_snippets_keep_their_room_before_embed_js_arrives(
    page, server, publisher, worker
):
    article = converted(server, story("Room kept", 2))
    origin, folder = publisher
    holder, element = documented_snippets(server, article["id"])
    publisher_page(
        folder,
        "room.html",
        f"<p>Before</p>{holder}<p id=middle>Between</p>{element}<p id=after>After</p>",
    )
    page.goto(f"{origin}/room.html")  # no embed.js yet: it arrives late
    where = "() => [middle, after].map((p) => p.getBoundingClientRect().top)"
    before = page.evaluate(where)
    assert page.evaluate("customElements.get('narrate-player')") is None
    assert round(page.locator(PLAYER).bounding_box()["height"]) == 130  # the element's own room
    page.add_script_tag(url=f"{server}/embed.js")
    page.wait_for_function(
        f"[...document.querySelectorAll('{PLAYER}')].filter((p) => p.getAttribute('state')"
        " === 'ready').length === 2"
    )
    assert page.evaluate(where) == before  # nothing below them moved


BRAND = {
    "colours": {"accent": "#ffcc00", "background": "#002244", "text": "#ffffff"},
    "label": "Hear it from The Gazette",
}


def test_a_collections_brand_paints_the_player_under_a_strict_policy(
    page, server, publisher, worker
):
    """Branding: the collection's `brand` (set over the API) comes with the status the
    player polls, and paints it over its defaults."""
    origin, folder = publisher
    (folder / "logo.svg").write_text(
        "<svg xmlns='http://www.w3.org/2000/svg' width='40' height='20'>"
        "<rect width='40' height='20' fill='#fc0'/></svg>",
        encoding="utf-8",
    )
    brand = {**BRAND, "logo": f"{origin}/logo.svg"}
    setting = urllib.request.Request(
        f"{server}/api/v1/collections/gazette",
        json.dumps({"title": "The Gazette", "brand": brand}).encode(),
        {"Content-Type": "application/json"},
        method="PUT",
    )
    urllib.request.urlopen(setting).close()
    article = converted(server, {**story("Branded", 2), "collection": "gazette"})
    status = fetch_json(f"{server}/api/v1/articles/{article['id']}/status")
    assert status["brand"]["label"] == BRAND["label"]
    publisher_page(folder, "brand.html", snippet(server, article["id"]), csp=strict_policy(server))
    page.add_init_script(CSP_WATCH)
    page.goto(f"{origin}/brand.html")
    wait_ready(page)
    shadow = f"document.querySelector('{PLAYER}').shadowRoot"
    look = page.evaluate(
        f"""() => {{
            const $ = (s) => {shadow}.querySelector(s);
            const css = (s, p) => getComputedStyle($(s))[p];
            return [css('button.play', 'backgroundColor'), css('button.play', 'color'),
                    css('.bar', 'backgroundColor'), css('.bar', 'color'),
                    $('.heading .title').textContent, $('.logo').hidden,
                    $('.logo').naturalWidth];
        }}"""
    )
    assert look == [
        "rgb(255, 204, 0)",
        "rgb(16, 21, 28)",  # dark on a light accent
        "rgb(0, 34, 68)",
        "rgb(255, 255, 255)",
        "Hear it from The Gazette",
        False,
        40,
    ]
    assert page.evaluate("violations") == []
