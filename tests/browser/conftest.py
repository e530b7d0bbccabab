"""A real browser (Debian's chromium, driven by Playwright) against Narrate served for real
on a local port, with a real worker and engine, and a publisher's page on a second port."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support.catalogs import sqlite_catalog
from tests.support.harness import serving
from tests.support.pages import API_TOKEN, under_csp
from tests.support.settings import settings_for
from workers.config import Settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def pytest_collection_modifyitems(items):
    for item in items:
        item.add_marker(pytest.mark.browser)


@pytest.fixture
def settings(tmp_path: Path, broker, redis_url: str, sqlite_template: Path) -> Settings:
    database_url = sqlite_catalog(sqlite_template, tmp_path / "narrate.db")
    return settings_for(tmp_path / "data", database_url, redis_url)


@pytest.fixture
def server(app) -> Iterator[str]:
    """The app on a real socket, as the browser needs."""
    with serving(app) as url:
        yield url


@pytest.fixture
def guarded_server(settings: Settings) -> Iterator[str]:
    """A second app on the same catalog that takes changes only with API_TOKEN."""
    from service.app import create_app

    guarded = settings.with_overrides(api_tokens=(API_TOKEN,))
    with serving(create_app({"TESTING": True, "NARRATE_SETTINGS": guarded})) as url:
        yield url


@pytest.fixture
def publisher(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A second origin serving whatever pages the test writes into its folder."""
    root = tmp_path / "publisher"
    root.mkdir()
    http = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Publisher, directory=str(root)))
    threading.Thread(target=http.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{http.server_port}", root
    http.shutdown()


class _Publisher(SimpleHTTPRequestHandler):
    """Files from the folder; a page NAME with a NAME.csp beside it is sent with that policy."""

    def end_headers(self) -> None:
        policy = Path(self.translate_path(self.path) + ".csp")
        if policy.is_file():
            self.send_header("Content-Security-Policy", policy.read_text(encoding="utf-8"))
        super().end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    page = under_csp(context.new_page())
    yield page
    context.close()
