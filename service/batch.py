"""`narrate batch`: convert many articles to MP3s, in parallel, resumably.

Inputs are .txt/.html/.htm files, given directly or found (recursively, sorted) in the
directories given. Each becomes OUT/<name>.mp3 with <name>.timings.json and <name>.vtt,
where <name> is the path relative to the directory given, "/" turned into "__" and the
suffix dropped.

Two ways to convert:

* in-process (default): N worker processes, each a fresh interpreter started with
  `python -m service.batch --worker` that creates its own Pyttsx3Synthesizer on its
  first article. Plain subprocesses rather than a ProcessPoolExecutor, because then the
  parent knows which article each worker holds: a worker that dies fails only that
  article and is replaced (a dead pool worker breaks every pending future), and a
  worker whose parent is killed notices (EOF on stdin, a changed parent pid) and exits
  instead of lingering. Workers run in their own session so a terminal's Ctrl-C reaches
  only the parent, which stops them with SIGTERM; that unwinds `atomic_output`, so no
  temporary files are left behind.
* `--server URL`: threads POST each file to URL/api/v1/articles, poll it, and download
  the audio, timings and captions.

Resume: OUT/.narrate-batch.json records, per output name, the SHA-256 of the source and
the options it was converted with; it is rewritten atomically after every success, and a
rerun skips what it lists whose outputs still exist.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Protocol, TextIO

from service.cli import UsageError, _positive_int
from workers.pipeline.audio import atomic_output

CONTENT_TYPES = {".txt": "text/plain", ".html": "text/html", ".htm": "text/html"}
STATE_FILE = ".narrate-batch.json"
STATE_VERSION = 1
OUTPUT_SUFFIXES = (".mp3", ".timings.json", ".vtt")
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
REASON_WIDTH = 160
SERVER_ITEM_TIMEOUT_S = 900.0
HTTP_TIMEOUT_S = 30.0
DEFAULT_RETRY_AFTER_S = 5.0


# -- inputs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    source: Path  # as given or found, for messages
    name: str  # output stem inside OUT


def output_name(path: Path, root: Path | None) -> str:
    """<name> for a file: relative to `root` (a directory given), separators -> "__"."""
    relative = path.relative_to(root) if root is not None else Path(path.name)
    return "__".join(relative.with_suffix("").parts)


def _walk(root: Path) -> Iterator[Path]:
    """Article files under `root`, recursively, sorted; hidden files and folders skipped."""
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and Path(name).suffix.lower() in CONTENT_TYPES:
                yield Path(folder) / name


def discover(paths: Sequence[Path]) -> list[Item]:
    """Every article file in `paths`, in argument order then sorted, each file once."""
    items: list[Item] = []
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found = [(file, output_name(file, path)) for file in _walk(path)]
        elif path.is_file():
            if path.suffix.lower() not in CONTENT_TYPES:
                raise UsageError(f"{path} is not a .txt, .html or .htm article")
            found = [(path, output_name(path, None))]
        else:
            raise UsageError(f"no such file or directory: {path}")
        for file, name in found:
            if file.resolve() not in seen:
                seen.add(file.resolve())
                items.append(Item(file, name))
    if not items:
        raise UsageError(f"no .txt, .html or .htm articles found in {', '.join(map(str, paths))}")
    return items


# -- outcomes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    item: Item
    ok: bool
    sha256: str | None = None
    reason: str = ""
    duration_ms: int | None = None
    elapsed_s: float = 0.0


def failure(item: Item, reason: str) -> Outcome:
    return Outcome(item, ok=False, reason=one_line(reason))


def one_line(text: str, width: int = REASON_WIDTH) -> str:
    text = " ".join(str(text).split()) or "unknown error"
    return text if len(text) <= width else text[: width - 1] + "…"


def split_collisions(items: Sequence[Item]) -> tuple[list[Item], list[Outcome]]:
    """Items whose output name is already taken (a.txt beside a.html, say) fail alone."""
    owners: dict[str, Item] = {}
    unique: list[Item] = []
    clashes: list[Outcome] = []
    for item in items:
        owner = owners.setdefault(item.name, item)
        if owner is item:
            unique.append(item)
        else:
            clashes.append(
                failure(item, f"output name {item.name!r} is already used by {owner.source}")
            )
    return unique, clashes


# -- resume state ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    """What an MP3 was made with. None: the server's default (with --server)."""

    voice: str | None
    rate: int | None
    bitrate: int | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def outputs_of(out_dir: Path, name: str) -> list[Path]:
    return [out_dir / f"{name}{suffix}" for suffix in OUTPUT_SUFFIXES]


class BatchState:
    """OUT/.narrate-batch.json: {"version", "items": {name: {source, sha256, options, at}}}."""

    def __init__(self, out_dir: Path, items: dict[str, dict[str, Any]] | None = None) -> None:
        self.out_dir = out_dir
        self.path = out_dir / STATE_FILE
        self.items = items or {}

    @classmethod
    def load(cls, out_dir: Path, warn: TextIO | None = None) -> BatchState:
        """The saved state; an empty one (with a warning) if it is missing or unreadable."""
        path = out_dir / STATE_FILE
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            items = document["items"]
            if document.get("version") != STATE_VERSION or not isinstance(items, dict):
                raise ValueError(f"unsupported state version {document.get('version')!r}")
        except FileNotFoundError:
            return cls(out_dir)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            if warn is not None:
                print(f"narrate: ignoring {path} ({exc}); converting everything", file=warn)
            return cls(out_dir)
        return cls(out_dir, items)

    def is_done(self, item: Item, sha256: str, options: Options) -> bool:
        entry = self.items.get(item.name)
        return (
            isinstance(entry, dict)
            and entry.get("sha256") == sha256
            and entry.get("options") == options.as_dict()
            and all(path.is_file() for path in outputs_of(self.out_dir, item.name))
        )

    def record(self, item: Item, sha256: str, options: Options) -> None:
        """Note one success and save at once, atomically."""
        self.items[item.name] = {
            "source": str(item.source),
            "sha256": sha256,
            "options": options.as_dict(),
            "converted_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        document = {"version": STATE_VERSION, "items": self.items}
        with atomic_output(self.path, "w") as handle:
            json.dump(document, handle, indent=1, sort_keys=True)


@dataclass
class Plan:
    todo: list[Item] = field(default_factory=list)
    skipped: list[Item] = field(default_factory=list)
    failed: list[Outcome] = field(default_factory=list)


def plan(items: Sequence[Item], state: BatchState, options: Options) -> Plan:
    """Sort items into to-do, already done (same bytes, same options, outputs there), failed."""
    unique, clashes = split_collisions(items)
    result = Plan(failed=clashes)
    for item in unique:
        try:
            digest = sha256_bytes(item.source.read_bytes())
        except OSError as exc:
            result.failed.append(failure(item, f"cannot read the file: {exc.strerror or exc}"))
            continue
        target = result.skipped if state.is_done(item, digest, options) else result.todo
        target.append(item)
    return result


def remove_stale_temporaries(out_dir: Path, name: str) -> None:
    """Temporary files `atomic_output` left when a previous run was killed mid-write."""
    for output in outputs_of(out_dir, name):
        for stale in glob.glob(glob.escape(str(output.parent / f".{output.name}.")) + "*"):
            Path(stale).unlink(missing_ok=True)


# -- summary --------------------------------------------------------------------------------


@dataclass
class Tally:
    converted: int = 0
    skipped: int = 0
    failures: list[Outcome] = field(default_factory=list)
    interrupted_by: int | None = None  # the signal number
    remaining: int = 0

    def add(self, outcome: Outcome) -> None:
        if outcome.ok:
            self.converted += 1
        else:
            self.failures.append(outcome)


def exit_status(tally: Tally) -> int:
    if tally.interrupted_by is not None:
        return 128 + tally.interrupted_by
    return EXIT_FAILED if tally.failures else EXIT_OK


def format_summary(tally: Tally) -> str:
    lines = []
    if tally.interrupted_by is not None:
        lines.append(
            f"interrupted: {tally.remaining} not converted; run the same command again "
            "to convert only those"
        )
    lines.append(
        f"converted {tally.converted}, skipped {tally.skipped} (already done), "
        f"failed {len(tally.failures)}"
    )
    if tally.failures:
        sources = [str(outcome.item.source) for outcome in tally.failures]
        width = max(len("FILE"), *map(len, sources))
        lines.append(f"{'FILE':<{width}}  REASON")
        lines.extend(
            f"{source:<{width}}  {one_line(outcome.reason)}"
            for source, outcome in zip(sources, tally.failures, strict=True)
        )
    return "\n".join(lines)


# -- progress -------------------------------------------------------------------------------


def describe(outcome: Outcome) -> str:
    if not outcome.ok:
        return f"FAILED {outcome.item.source}: {one_line(outcome.reason)}"
    audio = ""
    if outcome.duration_ms is not None:
        minutes, seconds = divmod(outcome.duration_ms / 1000, 60)
        audio = f", {int(minutes)}:{seconds:04.1f} of audio"
    return (
        f"converted {outcome.item.source} -> {outcome.item.name}.mp3"
        f" ({outcome.elapsed_s:.1f} s{audio})"
    )


class Progress(Protocol):
    def finished(self, outcome: Outcome) -> None: ...
    def close(self) -> None: ...


class LineProgress:
    """One line per finished item: for logs and pipes."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total, self.done, self.stream = total, 0, stream

    def finished(self, outcome: Outcome) -> None:
        self.done += 1
        print(f"[{self.done}/{self.total}] {describe(outcome)}", file=self.stream, flush=True)

    def close(self) -> None:
        pass


class BarProgress:
    """A tqdm bar with an ETA; failures are printed above it."""

    def __init__(self, total: int, stream: TextIO) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=total, file=stream, unit="article", dynamic_ncols=True)
        self.failed = 0

    def finished(self, outcome: Outcome) -> None:
        if not outcome.ok:
            self.failed += 1
            self.bar.write(describe(outcome), file=self.bar.fp)
            self.bar.set_postfix(failed=self.failed, refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


def make_progress(total: int, stream: TextIO) -> Progress:
    if total and stream.isatty():
        return BarProgress(total, stream)
    return LineProgress(total, stream)


# -- in-process conversion: worker subprocesses --------------------------------------------


Report = Callable[[Outcome], None]


class Runner(Protocol):
    def run(self, todo: Sequence[Item], report: Report) -> None: ...


def convert_file(source: Path, mp3: Path, synthesizer: Any, bitrate: int) -> dict[str, Any]:
    """Convert one article; a JSON-ready reply. Never raises for a bad article."""
    from workers.pipeline.convert import Outputs, convert_article
    from workers.pipeline.errors import NarrateError
    from workers.pipeline.text import clean

    try:
        data = source.read_bytes()
    except OSError as exc:
        return {"ok": False, "reason": f"cannot read the file: {exc.strerror or exc}"}
    try:
        raw = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return {"ok": False, "reason": f"not UTF-8 text ({exc.reason}); save it as UTF-8"}
    try:
        article = clean(raw, filename=source.name)
        result = convert_article(article, Outputs.beside(mp3), synthesizer, bitrate_kbps=bitrate)
    except NarrateError as exc:
        return {"ok": False, "reason": str(exc)}
    except OSError as exc:
        return {"ok": False, "reason": f"cannot write the outputs: {exc}"}
    except Exception as exc:  # an unexpected bug fails this article, not the batch
        return {"ok": False, "reason": f"{type(exc).__name__}: {exc}"}
    return {"ok": True, "sha256": sha256_bytes(data), "duration_ms": result.duration_ms}


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds atomic_output and closes the synthesizer


def _watch_parent(parent: int) -> None:
    """Exit (cleanly, through SIGTERM) as soon as the batch that started us is gone."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def worker_main(options_json: str) -> None:
    """`python -m service.batch --worker OPTIONS`: {"source", "mp3"} lines in, replies out."""
    from workers.pipeline.synth import Pyttsx3Synthesizer

    options = json.loads(options_json)
    replies = os.fdopen(os.dup(1), "w")  # libraries may print; keep the reply channel clean
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    _watch_parent(options["parent"])
    synthesizer = None
    try:
        for line in sys.stdin:
            request = json.loads(line)
            if synthesizer is None:  # created here, in this process, on first use
                synthesizer = Pyttsx3Synthesizer(voice=options["voice"], rate=options["rate"])
            reply = convert_file(
                Path(request["source"]), Path(request["mp3"]), synthesizer, options["bitrate"]
            )
            try:
                replies.write(json.dumps(reply) + "\n")
                replies.flush()
            except BrokenPipeError:
                break
    finally:
        if synthesizer is not None:
            synthesizer.close()


class _Worker:
    """One `python -m service.batch --worker` process and the item it is converting."""

    def __init__(self, options: Options) -> None:
        settings = {**options.as_dict(), "parent": os.getpid()}
        self.log: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (lives with the worker)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "service.batch", "--worker", json.dumps(settings)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            start_new_session=True,  # Ctrl-C reaches only the parent; a group to clean up
        )
        self.item: Item | None = None
        self.started = 0.0
        self._unread = b""

    @property
    def stdout_fd(self) -> int:
        assert self.process.stdout is not None
        return self.process.stdout.fileno()

    def send(self, item: Item, out_dir: Path) -> bool:
        request = {"source": str(item.source.resolve()), "mp3": str(out_dir / f"{item.name}.mp3")}
        self.item, self.started = item, time.monotonic()
        assert self.process.stdin is not None
        try:
            self.process.stdin.write((json.dumps(request) + "\n").encode())
            self.process.stdin.flush()
        except BrokenPipeError:
            return False
        return True

    def read(self) -> Outcome | None:
        """The finished item's outcome once its reply is complete (call when readable)."""
        assert self.item is not None
        chunk = os.read(self.stdout_fd, 65536)
        if not chunk:
            return failure(self.item, f"the worker process died ({self.last_words()})")
        self._unread += chunk
        if b"\n" not in self._unread:
            return None
        line, _, self._unread = self._unread.partition(b"\n")
        item, self.item = self.item, None
        elapsed = time.monotonic() - self.started
        try:
            reply = json.loads(line)
        except ValueError:
            return failure(item, f"the worker sent a garbled reply: {line[:80]!r}")
        if not reply.get("ok"):
            return Outcome(item, ok=False, reason=one_line(reply.get("reason", "")))
        return Outcome(item, True, reply["sha256"], "", reply.get("duration_ms"), elapsed)

    def last_words(self) -> str:
        """Why the worker ended: the signal that killed it, or its exit status and the
        last line it wrote to stderr (a signal is the whole story; stderr then is noise)."""
        status = self.process.wait()
        if status < 0:
            return f"killed by {signal.Signals(-status).name}"
        self.log.seek(0)
        lines = self.log.read().decode(errors="replace").strip().splitlines()
        return f"exit status {status}" + (f": {lines[-1]}" if lines else "")

    def stop(self, grace_s: float = 5.0) -> None:
        """SIGTERM (the worker cleans up its temporary files), then SIGKILL after `grace_s`."""
        if self.process.poll() is None:
            with suppress(OSError):
                self.process.stdin.close()  # type: ignore[union-attr]
            self.process.terminate()
            try:
                self.process.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if hasattr(os, "killpg"):  # its engine child, orphaned if the worker was killed
            with suppress(OSError):
                os.killpg(self.process.pid, signal.SIGKILL)  # the worker's own group only
        for stream in (self.process.stdin, self.process.stdout, self.log):
            with suppress(OSError):
                stream.close()  # type: ignore[union-attr]


class LocalRunner:
    """Up to `jobs` worker processes; each takes the next item when it finishes one."""

    def __init__(self, out_dir: Path, options: Options, jobs: int) -> None:
        self.out_dir, self.options, self.jobs = out_dir, options, jobs
        self._idle: list[_Worker] = []
        self._busy: dict[int, _Worker] = {}  # by stdout descriptor
        self._all: list[_Worker] = []

    def run(self, todo: Sequence[Item], report: Report) -> None:
        pending = deque(todo)
        try:
            with selectors.DefaultSelector() as selector:
                while pending or self._busy:
                    while pending and len(self._busy) < self.jobs:
                        self._dispatch(pending.popleft(), selector, report)
                    for key, _ in selector.select():
                        self._collect(self._busy[key.fd], selector, report)
        finally:
            for worker in self._all:
                worker.stop()

    def _dispatch(self, item: Item, selector: selectors.BaseSelector, report: Report) -> None:
        worker = self._idle.pop() if self._idle else self._start()
        if not worker.send(item, self.out_dir):  # it died while idle: not this item's fault
            worker.stop()
            worker = self._start()
            if not worker.send(item, self.out_dir):
                report(failure(item, f"no worker process would start ({worker.last_words()})"))
                return
        self._busy[worker.stdout_fd] = worker
        selector.register(worker.stdout_fd, selectors.EVENT_READ)

    def _collect(self, worker: _Worker, selector: selectors.BaseSelector, report: Report) -> None:
        outcome = worker.read()
        if outcome is None:  # half a reply so far
            return
        selector.unregister(worker.stdout_fd)
        del self._busy[worker.stdout_fd]
        if worker.item is None and worker.process.poll() is None:
            self._idle.append(worker)
        else:  # it died with the item; a fresh worker takes the next one
            worker.stop()
        report(outcome)

    def _start(self) -> _Worker:
        worker = _Worker(self.options)
        self._all.append(worker)
        return worker


# -- conversion by a Narrate server ---------------------------------------------------------


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

    def __init__(self, base_url: str, out_dir: Path, options: Options, jobs: int) -> None:
        self.base, self.out_dir, self.options, self.jobs = base_url, out_dir, options, jobs
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
        request = urllib.request.Request(
            url, data=data, method="POST", headers={"Content-Type": content_type}
        )
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


# -- the command ----------------------------------------------------------------------------


class _Interrupted(KeyboardInterrupt):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class _Stoppable:
    """While active, Ctrl-C and `kill PID` both raise `_Interrupted` in the main thread,
    except inside `deferred()`, which finishes its block first. Python runs signal
    handlers only in the main thread, so a flag is enough to hold one back."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self._holding = False
        self._pending: int | None = None

    def _handle(self, signum: int, _frame: object) -> None:
        if self._holding:
            self._pending = self._pending or signum
        else:
            raise _Interrupted(signum)

    @contextmanager
    def active(self) -> Iterator[None]:
        previous = {signum: signal.signal(signum, self._handle) for signum in self.SIGNALS}
        try:
            yield
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    @contextmanager
    def deferred(self) -> Iterator[None]:
        self._holding = True
        try:
            yield
        finally:
            self._holding = False
        if self._pending is not None:
            raise _Interrupted(self._pending)


def prepare_out_dir(out: Path) -> Path:
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file; give a directory for the MP3s")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create --out {out}: {exc.strerror or exc}") from None
    return out.resolve()


def resolve_options(args: argparse.Namespace) -> Options:
    if args.server:
        if args.bitrate is not None:
            raise UsageError("--bitrate cannot be used with --server: the server's setting applies")
        return Options(args.voice, args.rate, None)
    from workers.pipeline.synth import DEFAULT_RATE, DEFAULT_VOICE

    return Options(args.voice or DEFAULT_VOICE, args.rate or DEFAULT_RATE, args.bitrate or 64)


def default_jobs() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def run_batch(
    args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """The `batch` command; its exit status (usage errors are reported here, as 2)."""
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    try:
        options = resolve_options(args)
        base_url = check_server_url(args.server) if args.server else None
        items = discover([Path(p) for p in args.paths])
        out_dir = prepare_out_dir(Path(args.out))
    except UsageError as exc:  # caught here: under `python -m service.cli` the class differs
        print(f"narrate: error: {exc}", file=stderr)
        return EXIT_USAGE
    jobs = args.jobs or default_jobs()
    state = BatchState.load(out_dir, warn=stderr)
    work = plan(items, state, options)
    tally = Tally(skipped=len(work.skipped), remaining=len(work.todo))
    if work.skipped:
        print(f"skipping {len(work.skipped)} already converted (see {state.path})", file=stderr)
    runner: Runner = (
        ServerRunner(base_url, out_dir, options, jobs)
        if base_url
        else LocalRunner(out_dir, options, jobs)
    )
    progress = make_progress(len(work.todo) + len(work.failed), stderr)

    todo = set(work.todo)
    stoppable = _Stoppable()

    def report(outcome: Outcome) -> None:
        with stoppable.deferred():  # the state file and the tally agree, whenever Ctrl-C comes
            if outcome.ok and outcome.sha256:
                state.record(outcome.item, outcome.sha256, options)
            if outcome.item in todo:
                tally.remaining -= 1
            tally.add(outcome)
        progress.finished(outcome)

    try:
        with stoppable.active():
            for outcome in work.failed:
                report(outcome)
            for item in work.todo:
                remove_stale_temporaries(out_dir, item.name)
            runner.run(work.todo, report)
    except KeyboardInterrupt as exc:  # _Interrupted, or a Ctrl-C before the handlers were set
        tally.interrupted_by = exc.signum if isinstance(exc, _Interrupted) else signal.SIGINT
    finally:
        progress.close()
    print(format_summary(tally), file=stdout, flush=True)
    return exit_status(tally)


def add_batch_command(commands: argparse._SubParsersAction) -> None:
    batch = commands.add_parser(
        "batch",
        help="convert many articles (files or folders) to MP3s, in parallel and resumably",
        description="Convert .txt/.html/.htm articles to OUT/<name>.mp3 with .timings.json "
        "and .vtt. A rerun skips what is already converted.",
    )
    batch.add_argument("paths", nargs="+", metavar="PATH", help="article files or folders")
    batch.add_argument("--out", required=True, metavar="DIR", help="where the MP3s go")
    batch.add_argument(
        "--jobs", type=_positive_int(1, 64), help="parallel conversions (default: CPU count)"
    )
    batch.add_argument("--server", metavar="URL", help="convert with this Narrate server")
    batch.add_argument("--voice", help="espeak-ng voice or language")
    batch.add_argument("--rate", type=_positive_int(80, 450), help="words per minute")
    batch.add_argument("--bitrate", type=_positive_int(8, 160), help="MP3 bitrate in kb/s")
    batch.set_defaults(run=run_batch)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"] and len(sys.argv) == 3:
        worker_main(sys.argv[2])
    else:
        sys.exit("usage: narrate batch PATH... --out DIR (this module's own entry is internal)")
