"""Harnesses around the real parts: a `narrate worker` process started on the tests'
broker, jobs run in this process with the fake engine, the app on a real socket, the
Procfile's commands, and the process tree under a pid."""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from service.cli.serve import worker_command
from tests.support.engines import FakeEngineSynthesizer
from tests.support.paths import ROOT
from tests.support.waits import wait_until
from workers.config import Settings
from workers.runtime import jobs


def environment_for(settings: Settings) -> dict[str, str]:
    """This process's environment with `settings` as a `narrate` process reads them."""
    return {
        **os.environ,
        "NARRATE_DATA_DIR": str(settings.data_dir),
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url or "",
        "NARRATE_BROKER_PREFIX": settings.broker_prefix,
        "NARRATE_WEBHOOK_SECRET": settings.webhook_secret or "",
        "NARRATE_WEBHOOK_BACKOFF_S": str(settings.webhook_backoff_s),
        "NARRATE_WEBHOOK_ALLOW_PRIVATE": "1" if settings.webhook_allow_private else "0",
        "NARRATE_STORAGE": settings.storage_url,
        "NARRATE_S3_ENDPOINT_URL": settings.s3_endpoint_url or "",
    }


def start_worker(
    settings: Settings,
    log: Path,
    *,
    concurrency: int = 1,
    name: str = "test",
    extra_env: dict[str, str] | None = None,
    cores: set[int] | None = None,
) -> subprocess.Popen:
    """`narrate worker`'s command, started and not waited for; on `cores` only, if
    given (as a container's CPU set would allow)."""
    return subprocess.Popen(
        [
            *worker_command(concurrency),
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"{name}-{os.getpid()}@%h",
        ],
        env={**environment_for(settings), **(extra_env or {})},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        preexec_fn=(lambda: os.sched_setaffinity(0, cores)) if cores else None,
    )


def wait_ready(process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    """Wait until a started worker says it is ready; fail if it stops first."""

    def ready() -> bool:
        assert process.poll() is None, log.read_text()[-3000:]
        return "ready." in log.read_text()

    wait_until(ready, timeout, f"worker did not start in {timeout:.0f} s", interval=0.2)


def stop_worker(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def run_worker(
    settings: Settings,
    tmp_path: Path,
    concurrency: int,
    extra_env: dict[str, str] | None = None,
    cores: set[int] | None = None,
) -> Iterator[subprocess.Popen]:
    """Start a worker, wait until it is ready, yield it, stop it."""
    log = tmp_path / "worker.log"
    process = start_worker(settings, log, concurrency=concurrency, extra_env=extra_env, cores=cores)
    try:
        wait_ready(process, log)
        yield process
    finally:
        stop_worker(process)


def run_jobs_in_process(settings: Settings, tmp_path: Path) -> None:
    """Do what the worker would, with the fake engine, for every queued job."""
    from workers.catalog.db import session_scope
    from workers.catalog.models import JobRow

    clean_submitted(settings)  # the convert task's first step; fails what has nothing to say
    with session_scope(settings.database_url) as session:
        unfinished = session.query(JobRow).filter(JobRow.status.in_(("queued", "processing")))
        job_ids = [j.id for j in unfinished]
    with FakeEngineSynthesizer("ok", tmp_path / "count") as synth:
        for job_id in job_ids:
            run_job(settings, job_id, synth)


def clean_submitted(settings: Settings) -> list[int]:
    """Do what a worker's convert task does first (workers/runtime/preparing.py), for
    every job still "cleaning", and say the rest of its paragraphs as its lanes would
    (workers/runtime/saying.py): its paragraphs are made, or it fails with the cleaner's
    message. The ids of the jobs cleaned."""
    from workers.catalog.db import session_scope
    from workers.catalog.models import JobRow
    from workers.pipeline.errors import NarrateError
    from workers.runtime.preparing import prepare_job
    from workers.runtime.saying import say_next

    with session_scope(settings.database_url) as session:
        query = session.query(JobRow.id).filter(JobRow.status == "cleaning").order_by(JobRow.id)
        job_ids = [job_id for (job_id,) in query]
    for job_id in job_ids:
        try:
            prepare_job(settings, job_id)
        except NarrateError as error:
            jobs.fail(settings, job_id, str(error))
            continue
        with session_scope(settings.database_url) as session:
            job = session.get_one(JobRow, job_id)
            while say_next(session, settings, job) is not None:
                pass
    return job_ids


def run_job(settings: Settings, job_id: int, synth, *, stitch: bool = True) -> None:
    """Start one job and synthesise its paragraphs with `synth`; stitch if asked."""
    lanes = list(jobs.start(settings, job_id).to_synthesise)
    while lanes:  # as the tasks do: each lane queues its next chunk when done
        for paragraph_id in lanes.pop(0):
            jobs.synthesise_paragraph(settings, job_id, paragraph_id, lambda v, r: synth)
        if following := jobs.next_chunk(settings, job_id).paragraphs:
            lanes.append(following)
    if stitch:
        jobs.stitch(settings, job_id, lambda v, r: synth)


def synthesised_by_revision(settings: Settings, article_id: str) -> dict[int, int]:
    """How many paragraphs each revision's job had to synthesise (the rest were stored)."""
    from workers.catalog.db import session_scope
    from workers.catalog.models import ArticleRow

    with session_scope(settings.database_url) as session:
        article = session.get(ArticleRow, article_id)
        return {revision.number: revision.job.synthesised for revision in article.revisions}


@contextmanager
def serving(flask_app) -> Iterator[str]:
    """The app on a real socket on a free port, which becomes its public URL (as
    `narrate serve` does), so the links it answers with lead back to it."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, flask_app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    settings = flask_app.extensions["narrate.settings"]
    flask_app.extensions["narrate.settings"] = settings.with_overrides(public_url=url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        thread.join(timeout=10)


def procfile() -> dict[str, str]:
    """The Procfile's process types and their commands."""
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def children(pid: int) -> set[int]:
    """The processes `pid` started (any of its threads), from /proc."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.update(map(int, (task / "children").read_text().split()))
        except OSError:
            continue
    return found


def descendants(pid: int) -> set[int]:
    """Every process under `pid` (children, theirs, ...), from /proc."""
    found, frontier = set(), [pid]
    while frontier:
        for child in children(frontier.pop()) - found:
            found.add(child)
            frontier.append(child)
    return found


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie or a dead process does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in {"Z", "X"}


def engine_processes(worker_pid: int) -> list[int]:
    """The espeak-ng engine processes a worker's pool runs (pid, from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            grandparent = int((Path("/proc") / str(parent) / "stat").read_text().split()[3])
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
        engine = b"workers.pipeline.engines.espeak_child" in command
        if engine and worker_pid in (parent, grandparent):
            found.append(int(entry.name))
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def said_anew(monkeypatch) -> list[str]:
    """The written paragraphs the speech normaliser is run on from now on (in this
    process: the app under the test client, or jobs run here), in order."""
    from workers.pipeline import speaking

    calls: list[str] = []
    to_spoken = speaking.to_spoken

    def counted(text: str, style: str) -> str:
        calls.append(text)
        return to_spoken(text, style)

    monkeypatch.setattr(speaking, "to_spoken", counted)
    return calls
