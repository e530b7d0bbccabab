"""Narrate's own pages work under their Content-Security-Policy, which really blocks."""

from __future__ import annotations

from tests.support.pages import PLAYER, converted, wait_ready


def violations_on(page) -> list[str]:
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return found


def test_pages_and_player_run_without_a_single_violation(page, server, worker):
    article = converted(server, {"title": "Ferry fares", "text": "Fares rise in April."})
    found = violations_on(page)
    page.goto(server + "/")
    page.fill("#text", "A headline\n\nA paragraph worth hearing.")
    for path in (f"/articles/{article['id']}", f"/player/{article['id']}"):
        page.goto(server + path)
        wait_ready(page)
        page.click(f"{PLAYER} button.play")
        page.wait_for_function(f"() => document.querySelector('{PLAYER}').audio.currentTime > 0")
    assert found == []


def test_an_injected_inline_script_is_blocked(page, server):
    found = violations_on(page)
    page.goto(server + "/")
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.body.append(script);
        }"""
    )
    assert page.evaluate("() => window.injected === undefined")
    assert any("script-src" in text for text in found)
