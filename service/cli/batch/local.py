"""In-process conversion: worker subprocesses, one article at a time each (the package
docstring says why plain subprocesses)."""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import IO, Any

from service.cli.batch.inputs import Item
from service.cli.batch.outcomes import Outcome, Report, failure, one_line
from service.cli.batch.state import Options, sha256_bytes


def convert_file(
    source: Path,
    mp3: Path,
    synthesizer: Any,
    bitrate: int,
    *,
    voice: str,
    lexicon: Path,
    style: str,
) -> dict[str, Any]:
    """Convert one article, said in `voice` and house `style` with the deployment-wide
    entries of the lexicon file `lexicon`; a JSON-ready reply. Never raises for a bad
    article."""
    from workers.pipeline.clean.cleaner import clean
    from workers.pipeline.convert import Outputs, convert_article
    from workers.pipeline.errors import NarrateError
    from workers.pipeline.speaking import speak

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
        spoken = speak(article, voice, lexicon, None, style=style).paragraphs
        result = convert_article(
            article, Outputs.beside(mp3), synthesizer, bitrate_kbps=bitrate, spoken=spoken
        )
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
    """`python -m service.cli.batch --worker OPTIONS`: {"source", "mp3"} lines in, replies out."""
    from workers.config import Settings
    from workers.pipeline.engines.factory import synthesizer_for_voice
    from workers.pipeline.speaking import style_for

    options = json.loads(options_json)
    settings = Settings.from_env()
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
                synthesizer = synthesizer_for_voice(
                    options["voice"],
                    options["rate"],
                    piper_voice_dirs=settings.piper_voice_dirs,
                )
            reply = convert_file(
                Path(request["source"]),
                Path(request["mp3"]),
                synthesizer,
                options["bitrate"],
                voice=options["voice"],
                lexicon=settings.lexicon_path,
                style=style_for(options["voice"], None, None, settings.style),
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
    """One `python -m service.cli.batch --worker` process and the item it is converting."""

    def __init__(self, options: Options) -> None:
        settings = {**options.as_dict(), "parent": os.getpid()}
        self.log: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (lives with the worker)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "service.cli.batch", "--worker", json.dumps(settings)],
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
