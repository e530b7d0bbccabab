"""Helpers for the browser tests: articles made for real, the player, publishers' pages,
axe-core, and Playwright under the pages' Content Security Policy."""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
from pathlib import Path

from tests.support.waits import wait_until

PLAYER = "narrate-player"
API_TOKEN = "browser-test-token"  # the guarded server's key (tests/browser/conftest.py)
AXE = Path(__file__).resolve().parents[2] / ".axe" / "node_modules" / "axe-core" / "axe.min.js"


def submit(server: str, body: dict) -> dict:
    request = urllib.request.Request(
        f"{server}/api/v1/articles", json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    return json.load(urllib.request.urlopen(request))


def fetch_json(url: str) -> dict:
    return json.load(urllib.request.urlopen(url))


def converted(server: str, body: dict) -> dict:
    """The article once done (its GET: links, duration)."""
    article = submit(server, body)
    wait_until(lambda: fetch_json(article["links"]["self"])["status"] == "done")
    return fetch_json(article["links"]["self"])


def story(title: str, paragraphs: int, words: str = "The council met to talk about plans") -> dict:
    text = "\n\n".join(f"{words}, part {n}." for n in range(1, paragraphs + 1))
    return {"title": title, "text": text}


def wait_ready(page, selector: str = PLAYER) -> None:
    page.wait_for_selector(f"{selector} button.play:not([disabled])", timeout=120_000)


def player_js(expression: str, index: int = 0) -> str:
    return f"document.querySelectorAll('{PLAYER}')[{index}].{expression}"


def publisher_page(
    folder: Path, name: str, body: str, lang: str = "en", head: str = "", csp: str = ""
) -> str:
    """A publisher's page; with `csp`, served under that Content-Security-Policy (and
    without the inline <style> it would refuse)."""
    style = (
        ""
        if csp
        else ("<style>body{font-family:serif;max-width:680px;margin:auto;padding:0 8px}</style>")
    )
    (folder / name).write_text(
        f"<!doctype html><html lang='{lang}'><head><meta charset=utf-8><title>{name}</title>"
        f"<meta name=viewport content='width=device-width'>{style}{head}"
        f"</head><body><main>{body}</main></body></html>",
        encoding="utf-8",
    )
    if csp:
        (folder / f"{name}.csp").write_text(csp, encoding="utf-8")
    return name


def strict_policy(narrate: str) -> str:
    """A publisher's strict policy: no inline styles or scripts; Narrate allowed where the
    player needs it (docs/publishers/embedding.md)."""
    return (
        f"default-src 'self'; style-src 'self'; script-src 'self' {narrate}; "
        f"connect-src 'self' {narrate}; media-src 'self' {narrate} blob:; "
        f"img-src 'self' {narrate}; frame-src {narrate}"
    )


CSP_WATCH = """
window.violations = [];
addEventListener("securitypolicyviolation",
  (e) => violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}`), true);
"""


def oembed(server: str, url: str, **limits) -> dict:
    query = urllib.parse.urlencode({"url": url, **limits})
    return fetch_json(f"{server}/oembed?{query}")


def snippet(server: str, article_id: str, attributes: str = "") -> str:
    """What a publisher pastes: the holder div and embed.js."""
    return (
        f'<div data-narrate-article="{article_id}" {attributes}></div>'
        f'<script src="{server}/embed.js" async></script>'
    )


def axe_violations(page, include: str | None = None) -> list[dict]:
    """Run axe-core in the page (shadow roots included) and return its violations."""
    assert AXE.is_file(), f"{AXE} is missing: run `bash .ci/setup test`"
    # Evaluated through the browser's debugger protocol, not added as a <script>: Narrate's
    # pages allow only their own scripts (CSP), and axe is the test's, not the page's.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    context = json.dumps(include) if include else "document"
    result = page.evaluate(f"async () => (await axe.run({context}))")
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
    ]


_FUNCTION = re.compile(r"\s*(?:async\s+)?(?:function\b|\([^()]*\)\s*=>|\w+\s*=>)")


def under_csp(page):
    """Narrate's pages forbid eval (no 'unsafe-eval'), and Playwright evaluates a bare
    expression given to wait_for_function with eval inside the page; as a function it is
    compiled through the browser's debugger protocol instead, which CSP does not block."""
    wait_for_function = page.wait_for_function

    def as_function(expression: str, *args, **kwargs):
        if not _FUNCTION.match(expression):
            expression = f"() => ({expression})"
        return wait_for_function(expression, *args, **kwargs)

    page.wait_for_function = as_function
    return page
