"""The service under load: the real web (gunicorn), real `celery worker` processes with
the real espeak-ng engine, its own Redis and catalog, all on 127.0.0.1, one table.

    .venv/bin/python bench/service.py            # the full run (about 6 minutes)
    .venv/bin/python bench/service.py --quick    # smaller counts, a smoke run
    .venv/bin/python bench/service.py --database postgresql://postgres@127.0.0.1/test

It starts, on free loopback ports: a `redis-server` of its own (never the machine's),
the catalog (SQLite in a temporary directory, or the given PostgreSQL database in a
schema of its own, dropped afterwards), gunicorn serving the app as `narrate serve`
does, and a Celery worker with 1 and then 2 worker processes. Rate limits are raised
far out of the way, so the bench measures the service, not the limiter. Every request
and every wait is bounded in count and in time.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import math
import os
import platform
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if __name__ == "__main__":
    # Run as a script, bench/ comes first on the path, where this file would stand in for
    # the project's `service` package: the project's root takes its place.
    sys.path[:] = [str(ROOT)] + [
        p for p in sys.path if Path(p or ".").resolve() not in (HERE, ROOT)
    ]

from bench.run import floor, generated_article, sentence, tree_rss_kb  # noqa: E402
from service.cli.serve import stop, worker_command  # noqa: E402

HOST = "127.0.0.1"
UNLIMITED = {
    "NARRATE_LIMIT_SUBMISSIONS": "1000000/second",  # the most a limit may allow a period
    "NARRATE_LIMIT_READS": "1000000/second",
    "NARRATE_LIMIT_CHARACTERS": "100000000000/hour",
}
REPORT_ONLY = "report only"
POLL_S = 0.05
RANGE_BYTES = 1 << 20


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile: the smallest value with at least p% of the values at
    or below it (p50 of 1..4 is 2, p99 of 1..100 is 99)."""
    if not values:
        raise ValueError("no values")
    if not 0 < p <= 100:
        raise ValueError(f"p must be in (0, 100], got {p}")
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of a process and all its descendants, from /proc,
    those it has waited for included."""
    tick, total, frontier = os.sysconf("SC_CLK_TCK"), 0, [pid]
    while frontier:
        current = frontier.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
            for task in Path(f"/proc/{current}/task").iterdir():
                frontier.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            continue
    return total / tick


def own_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def machine_ticks() -> tuple[int, int, int]:
    """The machine's CPU time so far, in ticks, from /proc/stat: all of it, idle (iowait
    included), and stolen (a virtual machine's CPU taken by its host)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return sum(fields), fields[3] + fields[4], fields[7]


def cores_between(before: tuple[int, int, int], after: tuple[int, int, int]) -> dict:
    """Idle and stolen cores, on average, between two `machine_ticks` readings."""
    total = max(1, after[0] - before[0])
    cores = os.cpu_count() or 1
    return {
        "idle_cores": (after[1] - before[1]) / total * cores,
        "steal_cores": (after[2] - before[2]) / total * cores,
    }


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.1f} {five:.1f} {fifteen:.1f}"


@dataclass
class Row:
    name: str
    figure: str
    target: str
    ok: bool | None  # None: no target to meet
    note: str = ""

    def line(self) -> str:
        verdict = "" if self.ok is None else ("ok" if self.ok else "MISSED")
        note = f"  ({self.note})" if self.note else ""
        return f"{self.name:<46}{self.figure:<34}{self.target:<22}{verdict:<7}{note}"


# --- HTTP on loopback ------------------------------------------------------------


class Client:
    """One connection per thread (gunicorn's sync workers close it after every answer;
    http.client opens it again)."""

    def __init__(self, port: int, timeout_s: float = 60) -> None:
        self.port, self.timeout_s = port, timeout_s
        self._local = threading.local()

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout_s)
            self._local.connection = connection
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            connection.close()
            self._local.connection = None
            raise
        if response.getheader("Connection", "").lower() == "close":
            connection.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data

    def json(self, method: str, path: str, payload: dict | None = None) -> tuple[int, dict]:
        body = json.dumps(payload).encode() if payload is not None else None
        headers = {"Content-Type": "application/json"} if body is not None else {}
        status, _, data = self.request(method, path, body, headers)
        return status, json.loads(data) if data else {}

    def post_article(self, text: str) -> dict:
        status, body = self.json("POST", "/api/v1/articles", {"text": text})
        if status != 202:
            raise SystemExit(f"POST /api/v1/articles answered {status}: {body}")
        return body

    def article(self, article_id: str) -> dict:
        status, body = self.json("GET", f"/api/v1/articles/{article_id}")
        if status != 200:
            raise SystemExit(f"GET article {article_id} answered {status}: {body}")
        return body


def wait_until(
    check: Callable[[], bool], timeout_s: float, what: str, poll_s: float = POLL_S
) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"bench: {what} did not happen within {timeout_s:.0f} s")
        time.sleep(poll_s)


def wait_done(
    client: Client, article_id: str, timeout_s: float, revision: int = 1, poll_s: float = POLL_S
) -> dict:
    """The article once its `revision` is done (`poll_s`: a timed row polls finely)."""
    found: dict = {}

    def done() -> bool:
        found.update(client.article(article_id))
        if found["status"] == "failed":
            raise SystemExit(f"bench: article {article_id} failed: {found.get('error')}")
        return found["status"] == "done" and found["revision"] == revision

    wait_until(done, timeout_s, f"article {article_id} (revision {revision}) done", poll_s)
    return found


def first_audio_bytes(client: Client, article_id: str) -> None:
    """What a player needs to start: the first 64 KB of the MP3 (206)."""
    status, _, data = client.request(
        "GET", f"/api/v1/articles/{article_id}/audio.mp3", headers={"Range": "bytes=0-65535"}
    )
    if status != 206 or not data:
        raise SystemExit(f"bench: audio of {article_id} answered {status}")


def first_segment(client: Client, article_id: str, timeout_s: float) -> None:
    """What a progressive player needs to start: the status saying a paragraph is
    playable (polled every 20 ms), the segment list, and the first segment's bytes."""
    base = f"/api/v1/articles/{article_id}"

    def playable() -> bool:
        status, body = client.json("GET", base + "/status")
        if body.get("stage") == "failed":
            raise SystemExit(f"bench: article {article_id} failed")
        return status == 200 and body["progress"].get("playable", 0) > 0

    wait_until(playable, timeout_s, f"article {article_id} playable", poll_s=0.02)
    _, listed = client.json("GET", base + "/segments.json")
    path = urlsplit(listed["segments"][0]["url"]).path
    status, _, data = client.request("GET", path)
    if status != 200 or not data:
        raise SystemExit(f"bench: first segment of {article_id} answered {status}")


def concurrently(
    clients: int, work: Callable[[int], Iterator[float]], deadline_s: float
) -> tuple[list[float], float, int]:
    """Run `work(client_index)` on `clients` threads at once; each yields one latency
    per request and stops at its own count or at the deadline. Returns the latencies,
    the wall time and the number of failed requests."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + deadline_s
    start = threading.Barrier(clients + 1)

    def run(index: int) -> None:
        start.wait()
        for latency in work(index):
            with lock:
                if latency < 0:
                    failures[0] += 1
                else:
                    latencies.append(latency)
            if time.monotonic() > stop_at:
                return

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join(timeout=deadline_s + 120)
    return latencies, time.perf_counter() - began, failures[0]


def timed_requests(count: int, send: Callable[[], bool]) -> Callable[[int], Iterator[float]]:
    """`count` requests per client; `send` returns whether the answer was right."""

    def work(_index: int) -> Iterator[float]:
        for _ in range(count):
            began = time.perf_counter()
            try:
                right = send()
            except (OSError, http.client.HTTPException):
                right = False
            yield time.perf_counter() - began if right else -1.0

    return work


# --- the service -----------------------------------------------------------------


@dataclass
class Service:
    work: Path
    database_url: str
    redis_port: int = field(default_factory=free_port)
    web_port: int = field(default_factory=free_port)
    children: list[subprocess.Popen] = field(default_factory=list)
    worker: subprocess.Popen | None = None
    web: subprocess.Popen | None = None

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            **UNLIMITED,
            "NARRATE_DATA_DIR": str(self.work / "data"),
            "DATABASE_URL": self.database_url,
            "REDIS_URL": f"redis://{HOST}:{self.redis_port}/0",
            "NARRATE_PUBLIC_URL": f"http://{HOST}:{self.web_port}",
            "NARRATE_WEBHOOK_SECRET": "bench",
            "WEB_CONCURRENCY": "2",
        }

    def _start(self, command: list[str], log: str) -> subprocess.Popen:
        process = subprocess.Popen(
            command,
            env=self.env,
            cwd=ROOT,
            stdout=(self.work / log).open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # stopped by its own process group, nothing broader
        )
        self.children.append(process)
        return process

    def start(self) -> None:
        import redis

        from workers.catalog.db import migrate

        (self.work / "data").mkdir()
        redis_server = self._start(
            ["redis-server", "--bind", HOST, "--port", str(self.redis_port), "--save", "",
             "--appendonly", "no", "--dir", str(self.work), "--daemonize", "no"],
            "redis.log",
        )  # fmt: skip
        broker = redis.Redis(host=HOST, port=self.redis_port)

        def answers() -> bool:
            if redis_server.poll() is not None:
                raise SystemExit(f"bench: redis-server exited; see {self.work / 'redis.log'}")
            try:
                return bool(broker.ping())
            except redis.ConnectionError:
                return False

        wait_until(answers, 10, "redis-server answering")
        migrate(self.database_url)
        self.web = web = self._start(
            [sys.executable, "-m", "gunicorn", "-c", "python:service.gunicorn_conf",
             "--bind", f"{HOST}:{self.web_port}", "--workers", "2", "--preload",
             "service.app:create_app()"],
            "web.log",
        )  # fmt: skip
        client = Client(self.web_port, timeout_s=2)

        def serving() -> bool:
            if web.poll() is not None:
                raise SystemExit(f"bench: the web exited; see {self.work / 'web.log'}")
            try:
                return client.request("GET", "/healthz")[0] == 200
            except OSError:
                return False

        wait_until(serving, 60, "the web answering /healthz")

    def start_worker(self, processes: int) -> None:
        self.stop_worker()
        log = self.work / f"worker-{processes}.log"
        self.worker = self._start(
            [*worker_command(processes), "--without-gossip", "--without-mingle",
             "--without-heartbeat", "-n", f"bench{processes}-{os.getpid()}@%h"],
            log.name,
        )  # fmt: skip
        worker = self.worker

        def ready() -> bool:
            if worker.poll() is not None:
                raise SystemExit(f"bench: the worker exited; see {log}")
            return "ready." in log.read_text(errors="replace")

        wait_until(ready, 90, f"a worker with {processes} processes ready")

    def stop_worker(self) -> None:
        if self.worker is not None:
            stop([self.worker])
            self.children.remove(self.worker)
            self.worker = None

    def queued_tasks(self) -> int:
        import redis

        from workers.runtime.celery_app import QUEUES

        broker = redis.Redis(host=HOST, port=self.redis_port)
        return sum(int(broker.llen(queue)) for queue in QUEUES)

    def synthesised(self, article_id: str) -> tuple[int, int]:
        """How many of the current revision's paragraphs its job had to synthesise (the
        rest came from the clip cache), and how many it has."""
        from workers.catalog.db import session_scope
        from workers.catalog.models import ArticleRow

        with session_scope(self.database_url) as session:
            job = session.get_one(ArticleRow, article_id).current.job
            return job.synthesised, job.total

    def finished(self, article_ids: list[str]) -> dict[str, int]:
        """The audio length (ms) of each of the articles whose current revision is done,
        read from the catalog in one query (polling 200 articles over HTTP, or row by
        row, would take the CPU the worker is being measured on)."""
        from sqlalchemy import select

        from workers.catalog.db import session_scope
        from workers.catalog.models import JobRow, RevisionRow

        query = (
            select(RevisionRow.article_id, JobRow.status, JobRow.error, RevisionRow.duration_ms)
            .join(JobRow, JobRow.revision_id == RevisionRow.id)
            .where(RevisionRow.article_id.in_(article_ids))
            .order_by(RevisionRow.number)
        )
        with session_scope(self.database_url) as session:
            current = {row.article_id: row for row in session.execute(query)}  # the last wins
        for article_id, row in current.items():
            if row.status == "failed":
                raise SystemExit(f"bench: article {article_id} failed: {row.error}")
        return {a: row.duration_ms or 0 for a, row in current.items() if row.status == "done"}

    def close(self) -> None:
        stop(self.children)
        self.children.clear()


@contextmanager
def catalog(work: Path, database: str | None) -> Iterator[str]:
    """A SQLite file in `work`, or a schema of its own in the given PostgreSQL database."""
    if database is None:
        yield f"sqlite:///{work / 'narrate.db'}"
        return
    from sqlalchemy import text

    from workers.catalog.db import engine_for

    schema = f"narrate_bench_{os.getpid()}"
    with engine_for(database).begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"))
    separator = "&" if "?" in database else "?"
    try:
        yield f"{database}{separator}options=-csearch_path%3D{schema}"
    finally:
        with engine_for(database).begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))


# --- the rows --------------------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    articles: int  # the throughput rows' mixed articles
    mix: tuple[int, ...]  # their paragraph counts, in turn
    small: int
    large: int
    edited: int
    behind: int
    load_clients: int
    reads_per_client: int
    posts_per_client: int


FIRST_AUDIO_RUNS = 3
# 1 and then 2 worker processes, this many times in turn, each pooled over its rounds: one
# pass of each measured the same code at 1.66x to 1.94x, and taking turns keeps a drift of
# the machine's speed from favouring either.
THROUGHPUT_ROUNDS = 2
FULL = Sizes(200, (2, 3, 5, 8, 12, 20), 10, 500, 50, 1000, 20, 50, 10)
QUICK = Sizes(24, (2, 3, 5, 8, 12, 20), 10, 100, 50, 200, 20, 10, 3)


class Texts:
    """Unique articles: no two share a paragraph, so no clip is ever found in the cache
    unless a row means it to be (the edit)."""

    def __init__(self) -> None:
        self.seed = 10_000

    def article(self, paragraphs: int) -> str:
        self.seed += 1
        return generated_article(paragraphs - 1, seed=self.seed)  # + its title line


def throughput(service: Service, client: Client, texts: Texts, sizes: Sizes, processes: int):
    service.start_worker(processes)
    articles = [texts.article(sizes.mix[i % len(sizes.mix)]) for i in range(sizes.articles)]
    began = time.perf_counter()
    ids = [client.post_article(text)["id"] for text in articles]
    posted = time.perf_counter() - began
    finished: dict[str, int] = {}
    worker = service.worker
    assert worker is not None and service.web is not None
    web = service.web
    cpu_before, peak_kb = tree_cpu_s(worker.pid), 0
    web_before, bench_before = tree_cpu_s(web.pid), own_cpu_s()
    ticks_before = machine_ticks()

    def all_done() -> bool:
        nonlocal peak_kb
        peak_kb = max(peak_kb, tree_rss_kb(worker.pid))
        time.sleep(0.5)
        finished.update(service.finished(ids))
        return len(finished) == len(ids)

    wait_until(all_done, 900, f"{len(ids)} articles done with {processes} worker processes")
    seconds = time.perf_counter() - began
    durations = finished.values()
    return {
        "seconds": seconds,
        "posted_s": posted,
        "articles_per_min": len(ids) / seconds * 60,
        "audio_min_per_min": sum(durations) / 60_000 / seconds * 60,
        "paragraphs": sum(sizes.mix[i % len(sizes.mix)] for i in range(sizes.articles)),
        "cores": (tree_cpu_s(worker.pid) - cpu_before) / seconds,
        "web_cores": (tree_cpu_s(web.pid) - web_before) / seconds,
        "bench_cores": (own_cpu_s() - bench_before) / seconds,
        **cores_between(ticks_before, machine_ticks()),
        "rss_mb": peak_kb / 1024,
    }


def pooled(rounds: list[dict], articles: int) -> dict:
    """`throughput`'s figures over several rounds of `articles` each: rates and cores
    from the totals (each round weighted by its seconds), the peak RSS the highest."""
    seconds = sum(r["seconds"] for r in rounds)

    def weighted(key: str) -> float:
        return sum(r[key] * r["seconds"] for r in rounds) / seconds

    return {
        "seconds": seconds,
        "posted_s": sum(r["posted_s"] for r in rounds),
        "articles_per_min": articles * len(rounds) / seconds * 60,
        "audio_min_per_min": weighted("audio_min_per_min"),
        "paragraphs": sum(r["paragraphs"] for r in rounds),
        "cores": weighted("cores"),
        "web_cores": weighted("web_cores"),
        "bench_cores": weighted("bench_cores"),
        "idle_cores": weighted("idle_cores"),
        "steal_cores": weighted("steal_cores"),
        "rss_mb": max(r["rss_mb"] for r in rounds),
    }


# One copy of the floor, then two at once, this many times before each throughput round.
FLOOR_PAIRS = 5
FLOOR_PARAGRAPHS = 40  # about 1.5 s a copy


def floor_copies(work: Path, pairs: int = FLOOR_PAIRS) -> tuple[float, float]:
    """Seconds taken by one copy of the floor (bench/run.py's: espeak-ng to a WAV, then
    lame), and by two copies at once, each `pairs` times in turn: two single-threaded
    processes that share nothing, the most two worker processes could gain on this
    machine, measured beside them."""
    text = work / "floor.txt"
    if not text.exists():
        text.write_text(generated_article(FLOOR_PARAGRAPHS, seed=1))
    one = two = 0.0
    with ThreadPoolExecutor(2) as pool:
        for _ in range(pairs):
            one += floor(text, work).seconds
            began = time.perf_counter()
            for copy in [pool.submit(floor, text, work, f"floor-{n}") for n in (1, 2)]:
                copy.result()  # a copy that failed fails the bench
            two += time.perf_counter() - began
    return one, two


def time_to_audio(client: Client, texts: Texts, paragraphs: int) -> tuple[float, str]:
    """Seconds from the POST to the first paragraph's audio in hand (the article is then
    waited for, so the next row starts on an idle worker)."""
    began = time.perf_counter()
    article_id = client.post_article(texts.article(paragraphs))["id"]
    first_segment(client, article_id, 120)
    seconds = time.perf_counter() - began
    wait_done(client, article_id, 900)
    return seconds, article_id


def first_audio(client: Client, texts: Texts, sizes: Sizes) -> tuple[float, float, str]:
    """The median seconds to first audio of a small and of a large article, measured in
    turn FIRST_AUDIO_RUNS times (one run is within the 20 ms of a status poll of the
    other size), and the last large article's id."""
    small, large, large_id = [], [], ""
    for _ in range(FIRST_AUDIO_RUNS):
        small.append(time_to_audio(client, texts, sizes.small)[0])
        seconds, large_id = time_to_audio(client, texts, sizes.large)
        large.append(seconds)
    return statistics.median(small), statistics.median(large), large_id


def edit(service: Service, client: Client, texts: Texts, paragraphs: int) -> dict:
    text = texts.article(paragraphs)
    began = time.perf_counter()
    article_id = client.post_article(text)["id"]
    wait_done(client, article_id, 600, poll_s=0.02)
    first_audio_bytes(client, article_id)
    full = time.perf_counter() - began
    lines = text.split("\n\n")
    middle = len(lines) // 2
    lines[middle] = sentence(random.Random(texts.seed + 500_000)) + " This line is new."
    stitched_before = metric(client, "narrate_stitch_seconds_sum")
    began = time.perf_counter()
    status, body = client.json(
        "PUT", f"/api/v1/articles/{article_id}", {"text": "\n\n".join(lines)}
    )
    if status != 202:
        raise SystemExit(f"bench: PUT answered {status}: {body}")
    wait_done(client, article_id, 600, revision=2, poll_s=0.02)
    first_audio_bytes(client, article_id)
    edited = time.perf_counter() - began
    stitch_s = metric(client, "narrate_stitch_seconds_sum") - stitched_before
    made, total = service.synthesised(article_id)
    return {
        "id": article_id,
        "full": full,
        "edited": edited,
        "stitch_s": stitch_s,
        "made": made,
        "total": total,
    }


def metric(client: Client, name: str) -> float:
    """The sum of a metric's samples (over all labels) on /metrics."""
    status, _, data = client.request("GET", "/metrics")
    if status != 200:
        raise SystemExit(f"bench: /metrics answered {status}")
    samples = [line.split()[-1] for line in data.decode().splitlines() if line.startswith(name)]
    return sum(float(value) for value in samples)


def behind_a_long_one(service: Service, client: Client, texts: Texts, long: int) -> dict:
    long_id = client.post_article(texts.article(long))["id"]
    wait_until(
        lambda: client.article(long_id)["status"] == "processing", 120, "the long one started"
    )
    began = time.perf_counter()
    short_id = client.post_article(texts.article(2))["id"]
    wait_done(client, short_id, 600)
    waited = time.perf_counter() - began
    progress = client.article(long_id)["progress"]
    # the long one is not what this row measures: delete it and let its lanes run dry
    client.request("DELETE", f"/api/v1/articles/{long_id}")
    wait_until(lambda: service.queued_tasks() == 0, 120, "the queues empty")
    time.sleep(1)
    return {"seconds": waited, "done": progress["done"], "total": progress["total"]}


def reads(client: Client, sizes: Sizes, article_id: str, audio_id: str) -> dict:
    def get_article() -> bool:
        return client.request("GET", f"/api/v1/articles/{article_id}")[0] == 200

    def get_range() -> bool:
        status, _, data = client.request(
            "GET",
            f"/api/v1/articles/{audio_id}/audio.mp3",
            headers={"Range": f"bytes=0-{RANGE_BYTES - 1}"},
        )
        return status == 206 and len(data) == RANGE_BYTES

    results = {}
    for name, send in (("article", get_article), ("range", get_range)):
        work = timed_requests(sizes.reads_per_client, send)
        latencies, seconds, failed = concurrently(sizes.load_clients, work, 120)
        results[name] = (latencies, seconds, failed)
    return results


def posts(client: Client, texts: Texts, sizes: Sizes) -> tuple[list[float], float, int]:
    bodies = [
        [
            json.dumps({"text": texts.article(2 + (i + c) % 3)}).encode()
            for i in range(sizes.posts_per_client)
        ]
        for c in range(sizes.load_clients)
    ]
    return timed_posts(client, bodies)


def timed_posts(client: Client, bodies: list[list[bytes]]) -> tuple[list[float], float, int]:
    """Each client (one list of JSON bodies each) posts its articles one after another,
    all clients at once; an answer other than 202 counts as failed."""

    def work(index: int) -> Iterator[float]:
        for payload in bodies[index]:
            began = time.perf_counter()
            try:
                status, _, _ = client.request(
                    "POST", "/api/v1/articles", payload, {"Content-Type": "application/json"}
                )
            except (OSError, http.client.HTTPException):
                status = 0
            yield time.perf_counter() - began if status == 202 else -1.0

    return concurrently(len(bodies), work, 300)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def run(service: Service, sizes: Sizes, emit: Callable[[Row], None]) -> None:
    client, texts = Client(service.web_port), Texts()

    rounds, floors = [], []
    for _ in range(THROUGHPUT_ROUNDS):
        floors.append(floor_copies(service.work))  # the worker idle meanwhile
        rounds.append([throughput(service, client, texts, sizes, p) for p in (1, 2)])
    one, two = (pooled(list(side), sizes.articles) for side in zip(*rounds, strict=True))
    scale = two["articles_per_min"] / one["articles_per_min"]
    machine = 2 * sum(f[0] for f in floors) / sum(f[1] for f in floors)
    emit(
        Row(
            "the machine: 2 copies of the floor at once",
            f"{machine:.2f}x of 1 copy",
            REPORT_ONLY,
            None,
            f"espeak-ng then lame, {FLOOR_PAIRS} times before each of the "
            f"{THROUGHPUT_ROUNDS} throughput rounds, one copy and two in turn: what two "
            "processes that share nothing gain on this machine",
        )
    )
    for processes, figures in ((1, one), (2, two)):
        details = (
            f"{THROUGHPUT_ROUNDS} rounds, taking turns: "
            f"{figures['seconds']:.0f} s for {figures['paragraphs']} paragraphs (posting "
            f"{figures['posted_s']:.1f} s); cores used once posted: worker {figures['cores']:.2f}, "
            f"web {figures['web_cores']:.2f}, bench {figures['bench_cores']:.2f}; the "
            f"machine's cores idle {figures['idle_cores']:.2f}, stolen by its host "
            f"{figures['steal_cores']:.2f}; worker peak RSS {figures['rss_mb']:.0f} MB"
        )
        emit(
            Row(
                f"{sizes.articles} mixed articles, {processes} worker process"
                + ("es" if processes > 1 else ""),
                f"{figures['articles_per_min']:.1f} art/min, "
                f"{figures['audio_min_per_min']:.0f} audio-min/min",
                ">= 1.85x of 1 process" if processes == 2 else REPORT_ONLY,
                scale >= 1.85 if processes == 2 else None,
                f"{scale:.2f}x of 1 process, {scale / machine:.0%} of the machine's 2 floors; "
                f"{details}"
                if processes == 2
                else details,
            )
        )
    # the worker keeps its 2 processes for the rest

    small_s, large_s, large_id = first_audio(client, texts, sizes)
    progressive = (
        f"POST to the first segment's bytes (status polled every 20 ms); median of "
        f"{FIRST_AUDIO_RUNS} runs, the two sizes alternating"
    )
    emit(
        Row(
            f"first playable audio, {sizes.small} paragraphs",
            f"{small_s:.2f} s",
            "<= 2 s",
            small_s <= 2,
            progressive,
        )
    )
    emit(
        Row(
            f"first playable audio, {sizes.large} paragraphs",
            f"{large_s:.2f} s ({large_s / small_s:.1f}x of {sizes.small})",
            "<= 2 s, <= 1.5x",
            large_s <= 2 and large_s <= 1.5 * small_s,
            progressive,
        )
    )

    edited = edit(service, client, texts, sizes.edited)
    ratio = edited["edited"] / edited["full"]
    emit(
        Row(
            f"edit 1 of {sizes.edited} paragraphs: new MP3 / full",
            f"{ratio:.2f} ({edited['edited']:.2f} s / {edited['full']:.2f} s)",
            "<= 0.10",
            ratio <= 0.10,
            f"{edited['made']} of {edited['total']} paragraphs synthesised again; the join "
            f"took {edited['stitch_s']:.2f} s; done polled every 20 ms",
        )
    )

    behind = behind_a_long_one(service, client, texts, sizes.behind)
    emit(
        Row(
            f"2 paragraphs behind a {sizes.behind}-paragraph one",
            f"{behind['seconds']:.2f} s to done",
            "long one < 50% done",
            behind["done"] < behind["total"] / 2,
            f"the long one was at {behind['done']} of {behind['total']} paragraphs",
        )
    )

    read = reads(client, sizes, edited["id"], large_id)
    for name, label in (("article", "GET article (JSON)"), ("range", "GET 1 MB Range of the MP3")):
        latencies, seconds, failed = read[name]
        emit(
            Row(
                f"{label}, {sizes.load_clients} clients",
                f"{len(latencies) / seconds:.0f} req/s, p99 {ms(percentile(latencies, 99))}",
                REPORT_ONLY,
                None if not failed else False,
                f"{len(latencies)} requests"
                + (f", {failed} failed" if failed else "")
                + (f", p50 {ms(percentile(latencies, 50))}"),
            )
        )

    latencies, seconds, failed = posts(client, texts, sizes)
    emit(
        Row(
            f"POST article, {sizes.load_clients} clients",
            f"p50 {ms(percentile(latencies, 50))}, p95 {ms(percentile(latencies, 95))}",
            REPORT_ONLY,
            None if not failed else False,
            f"{len(latencies)} posts of 2-4 paragraphs in {seconds:.1f} s, workers running"
            + (f", {failed} failed" if failed else ""),
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts: a smoke run")
    parser.add_argument(
        "--database",
        metavar="URL",
        help="a PostgreSQL URL (a schema of its own is made and dropped); default SQLite",
    )
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    began = time.monotonic()
    print(
        f"{datetime.date.today()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{'PostgreSQL' if args.database else 'SQLite'}, espeak-ng default voice; {load()}",
        flush=True,
    )
    header = f"{'case':<46}{'measured':<34}{'target':<22}{'':<7}"
    print(header)
    print("-" * len(header), flush=True)
    missed = []

    def emit(row: Row) -> None:
        if row.ok is False:
            missed.append(row.name)
        print(f"{row.line()}  [{load()}]", flush=True)

    with tempfile.TemporaryDirectory(prefix="narrate-service-bench-") as tmp:
        work = Path(tmp)
        with catalog(work, args.database) as database_url:
            service = Service(work, database_url)
            try:
                service.start()
                run(service, sizes, emit)
            finally:
                service.close()
    print(f"{len(missed)} target(s) missed; {time.monotonic() - began:.0f} s; {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
