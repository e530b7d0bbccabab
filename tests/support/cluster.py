"""A service under fire (tests/faults): its own redis-server (no persistence, so a stop
loses every queued message), PostgreSQL behind a TCP proxy the tests can cut, real
`narrate worker` processes with the default recovery clocks, and the rows of the suite's
report."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.harness import descendants, start_worker, wait_ready
from tests.support.services import RedisServer
from tests.support.tcp_proxy import TcpProxy
from workers.config import Settings

SCHEMA = f"narrate_f{os.getpid()}"
# No recovery setting is shortened: the workers run with the defaults of workers/config.py.
RESULTS: list[dict[str, object]] = []  # one row per fault, printed after the run


@dataclass
class Cluster:
    settings: Settings  # what the workers and the web app use (the database via the proxy)
    direct_url: str  # the same schema straight, for the tests' own reading
    redis: RedisServer
    proxy: TcpProxy
    folder: Path
    workers: list[subprocess.Popen] = field(default_factory=list)

    def start_worker(self, name: str) -> subprocess.Popen:
        log = self.folder / f"{name}.log"
        process = start_worker(self.settings, log, concurrency=1, name=name)
        wait_ready(process, log, timeout=90)
        return process

    def ensure_workers(self) -> None:
        """Two running workers before each fault (a fault may have killed one)."""
        self.workers = [w for w in self.workers if w.poll() is None]
        while len(self.workers) < 2:
            self.workers.append(self.start_worker(f"w{len(self.workers)}-{time.monotonic_ns()}"))

    def kill_tree(self, process: subprocess.Popen) -> None:
        """SIGKILL a worker and everything under it: no warm shutdown, no hand-back."""
        tree = [process.pid, *descendants(process.pid)]
        for pid in tree:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait()

    def stop(self) -> None:
        for worker in self.workers:
            worker.terminate()
        for worker in self.workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill_tree(worker)
