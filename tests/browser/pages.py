"""Helpers for the browser tests: articles made for real, publishers' pages, axe-core."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from pathlib import Path

from tests.browser.conftest import wait_until

PLAYER = "narrate-player"
AXE = Path(__file__).resolve().parents[2] / ".axe" / "node_modules" / "axe-core" / "axe.min.js"


def submit(server: str, body: dict) -> dict:
    request = urllib.request.Request(
        f"{server}/api/v1/articles", json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    return json.load(urllib.request.urlopen(request))


def fetch_json(url: str) -> dict:
    return json.load(urllib.request.urlopen(url))


def converted(server: str, body: dict) -> dict:
    article = submit(server, body)
    wait_until(lambda: fetch_json(article["links"]["self"])["status"] == "done")
    return article


def story(title: str, paragraphs: int, words: str = "The council met to talk about plans") -> dict:
    text = "\n\n".join(f"{words}, part {n}." for n in range(1, paragraphs + 1))
    return {"title": title, "text": text}


def wait_ready(page, selector: str = PLAYER) -> None:
    page.wait_for_selector(f"{selector} button.play:not([disabled])", timeout=120_000)


def player_js(expression: str, index: int = 0) -> str:
    return f"document.querySelectorAll('{PLAYER}')[{index}].{expression}"


def publisher_page(folder: Path, name: str, body: str, lang: str = "en", head: str = "") -> str:
    (folder / name).write_text(
        f"<!doctype html><html lang='{lang}'><head><meta charset=utf-8><title>{name}</title>"
        "<meta name=viewport content='width=device-width'>"
        f"<style>body{{font-family:serif;max-width:680px;margin:auto;padding:0 8px}}</style>{head}"
        f"</head><body><main>{body}</main></body></html>",
        encoding="utf-8",
    )
    return name


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
