"""Conversion by a running Narrate server: submit, poll and download, one thread per
article in hand."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from service.cli.batch.inputs import CONTENT_TYPES, Item
from service.cli.batch.outcomes import Outcome, Report, failure
from service.cli.batch.state import Options, sha256_bytes
from service.cli.usage import UsageError
from workers.pipeline.audio.shape import atomic_output

SERVER_ITEM_TIMEOUT_S = 900.0
HTTP_TIMEOUT_S = 30.0
DEFAULT_RETRY_AFTER_S = 5.0


class _Stopped(Exception):
    """The batch is being interrupted."""


class ItemFailed(Exception):
    """This article cannot be converted by the server; the message says why."""


def check_server_url(url: str) -> str:
    """The base URL without a trailing slash; a UsageError if it is no Narrate server."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise UsageError(
            f"--server must be an http(s) URL such as http://127.0.0.1:8000, got {url!r}"
        )
    base = url.rstrip("/")
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=HTTP_TIMEOUT_S):
            pass
    except urllib.error.HTTPError as exc:
        raise UsageError(
            f"{base} is not a Narrate server (GET /healthz answered {exc.code})"
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise UsageError(f"cannot reach the server at {base} ({reason})") from None
    return base


def _problem_detail(error: urllib.error.HTTPError) -> str:
    body = error.read()
    try:
        detail = json.loads(body).get("detail")
    except (ValueError, AttributeError):
        detail = None
    return f"{error.code} {detail or body.decode(errors='replace')[:200] or error.reason}"


def _retry_after(error: urllib.error.HTTPError) -> float | None:
    """Seconds to wait before retrying, for 409/429/503 answers that say so."""
    if error.code not in {409, 429, 503} or "Retry-After" not in error.headers:
        return None
    try:
        return max(0.0, float(error.headers["Retry-After"]))
    except ValueError:
        return DEFAULT_RETRY_AFTER_S


class ServerRunner:
    """`jobs` threads, each submitting, polling and downloading one article at a time."""

    def __init__(
        self, base_url: str, out_dir: Path, options: Options, jobs: int, token: str | None = None
    ) -> None:
        self.base, self.out_dir, self.options, self.jobs = base_url, out_dir, options, jobs
        self.token = token
        self.stop = threading.Event()

    def run(self, todo: Sequence[Item], report: Report) -> None:
        pool = ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="narrate-batch")
        try:
            futures = [pool.submit(self.convert, item) for item in todo]
            for future in as_completed(futures):
                report(future.result())
        finally:
            self.stop.set()
            pool.shutdown(wait=True, cancel_futures=True)

    def convert(self, item: Item) -> Outcome:
        started = time.monotonic()
        deadline = started + SERVER_ITEM_TIMEOUT_S
        try:
            data = item.source.read_bytes()
            article = self._submit(item, data, deadline)
            article = self._wait_until_done(article, deadline)
            base = f"{self.base}/api/v1/articles/{article['id']}"
            for remote, suffix in (
                ("timings.json", ".timings.json"),
                ("captions.vtt", ".vtt"),
                ("audio.mp3", ".mp3"),  # last: an MP3 on disk means its companions are too
            ):
                self._download(f"{base}/{remote}", self.out_dir / f"{item.name}{suffix}", deadline)
        except _Stopped:
            raise
        except ItemFailed as exc:
            return failure(item, str(exc))
        except urllib.error.HTTPError as exc:
            return failure(item, f"the server answered {_problem_detail(exc)}")
        except (urllib.error.URLError, OSError) as exc:
            return failure(item, f"{getattr(exc, 'reason', None) or exc}")
        except Exception as exc:  # an unexpected answer fails this article, not the batch
            return failure(item, f"{type(exc).__name__}: {exc}")
        duration = article.get("duration_ms")
        return Outcome(item, True, sha256_bytes(data), "", duration, time.monotonic() - started)

    def _open(self, request: urllib.request.Request, deadline: float):
        """urlopen, waiting out Retry-After answers until `deadline`."""
        while True:
            if self.stop.is_set():
                raise _Stopped
            try:
                return urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S)
            except urllib.error.HTTPError as exc:
                wait = _retry_after(exc)
                if wait is None or time.monotonic() + wait > deadline:
                    raise ItemFailed(f"the server answered {_problem_detail(exc)}") from None
                exc.close()
                self._sleep(wait)

    def _sleep(self, seconds: float) -> None:
        if self.stop.wait(seconds):
            raise _Stopped

    def _submit(self, item: Item, data: bytes, deadline: float) -> dict[str, Any]:
        query = {
            key: str(value)
            for key, value in (("voice", self.options.voice), ("rate", self.options.rate))
            if value is not None
        }
        url = f"{self.base}/api/v1/articles"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        content_type = CONTENT_TYPES[item.source.suffix.lower()] + "; charset=utf-8"
        headers = {"Content-Type": content_type}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(url, data=data, method="POST", headers=headers)
        with self._open(request, deadline) as response:
            return json.load(response)

    def _wait_until_done(self, article: dict[str, Any], deadline: float) -> dict[str, Any]:
        url = f"{self.base}/api/v1/articles/{article['id']}"
        interval = 0.2
        while article["status"] not in {"done", "failed"}:
            if time.monotonic() + interval > deadline:
                raise ItemFailed(f"still {article['status']} after {SERVER_ITEM_TIMEOUT_S:.0f} s")
            self._sleep(interval)
            interval = min(interval * 1.5, 2.0)
            with self._open(urllib.request.Request(url), deadline) as response:
                article = json.load(response)
        if article["status"] == "failed":
            raise ItemFailed(f"the server could not convert it: {article.get('error')}")
        return article

    def _download(self, url: str, path: Path, deadline: float) -> None:
        with (
            self._open(urllib.request.Request(url), deadline) as response,
            atomic_output(path) as handle,
        ):
            while chunk := response.read(65536):
                if self.stop.is_set():
                    raise _Stopped
                handle.write(chunk)
