"""A real browser (Debian's chromium, driven by Playwright) against Narrate served for real
on a local port, with a real worker and engine, and a publisher's page on a second port."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.integration.conftest import (  # noqa: F401  (fixtures)
    BROKER_PREFIX,
    REDIS_URL,
    UNLIMITED,
    app,
    broker,
    run_worker,
    serving,
)
from workers.config import Settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def pytest_collection_modifyitems(items):
    for item in items:
        item.add_marker(pytest.mark.browser)


@pytest.fixture
def settings(tmp_path: Path, broker) -> Settings:  # noqa: F811
    return Settings(
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'narrate.db'}",
        redis_url=REDIS_URL,
        broker_prefix=BROKER_PREFIX,
        **UNLIMITED,
    )


@pytest.fixture
def worker(settings: Settings, app, tmp_path: Path) -> Iterator:  # noqa: F811
    yield from run_worker(settings, tmp_path, concurrency=2)


@pytest.fixture
def server(app) -> Iterator[str]:  # noqa: F811
    """The app on a real socket, as the browser needs."""
    yield from serve(app)


@pytest.fixture
def guarded_server(settings: Settings) -> Iterator[str]:
    """A second app on the same catalog that takes changes only with API_TOKEN."""
    from service.app import create_app

    guarded = settings.with_overrides(api_tokens=(API_TOKEN,))
    yield from serve(create_app({"TESTING": True, "NARRATE_SETTINGS": guarded}))


API_TOKEN = "browser-test-token"


def serve(flask_app) -> Iterator[str]:
    with serving(flask_app) as url:
        yield url


@pytest.fixture
def publisher(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A second origin serving whatever pages the test writes into its folder."""
    root = tmp_path / "publisher"
    root.mkdir()
    handler = partial(SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None
    http = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{http.server_port}", root
    http.shutdown()


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


def wait_until(predicate, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)
