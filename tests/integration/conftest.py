"""Real services for integration tests: Redis (REDIS_URL, default the machine's own on
127.0.0.1:6379, database 15), the catalog on both SQLite (a temp file) and PostgreSQL
(TEST_DATABASE_URL, default the machine's own `test` database), and, where asked for,
a real `celery worker` process."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

from service.cli.serve import worker_command
from tests.unit.test_synth import FakeEngineSynthesizer
from workers.config import Settings
from workers.runtime import jobs

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
# Each test run keeps to its own Redis keys and PostgreSQL schema, so two runs on one
# machine (two developers, or a developer and CI) never take each other's jobs.
RUN = f"t{os.getpid()}"
BROKER_PREFIX = f"{RUN}:"
POSTGRES_SCHEMA = f"narrate_{RUN}"
POSTGRES_URL = (
    os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1/test")
    + f"?options=-csearch_path%3D{POSTGRES_SCHEMA}"
)


# Tests poll as fast as they like from one address; the limits are tested on their own
# (test_rate_limits.py sets them).
UNLIMITED = {"limit_reads": "1000000/minute", "limit_submissions": "1000000/minute"}


@pytest.fixture
def broker() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL)
    client.ping()
    _forget_keys(client)
    yield client
    _forget_keys(client)


def _forget_keys(client: redis.Redis) -> None:
    for key in client.scan_iter(match=f"{BROKER_PREFIX}*"):
        client.delete(key)


def queue_key(queue: str) -> str:
    return BROKER_PREFIX + queue


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request, tmp_path: Path, broker) -> Settings:
    if request.param == "sqlite":
        database_url = f"sqlite:///{tmp_path / 'narrate.db'}"
    else:
        database_url = POSTGRES_URL
        _reset_database(database_url)
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        redis_url=REDIS_URL,
        broker_prefix=BROKER_PREFIX,
        webhook_secret="test-secret",
        webhook_backoff_s=0.2,
        webhook_allow_private=True,  # the test receivers listen on 127.0.0.1
        **UNLIMITED,
    )


def _reset_database(url: str) -> None:
    from sqlalchemy import text

    from workers.catalog.db import engine_for

    with engine_for(url).begin() as connection:
        connection.execute(
            text(
                f"DROP SCHEMA IF EXISTS {POSTGRES_SCHEMA} CASCADE; CREATE SCHEMA {POSTGRES_SCHEMA}"
            )
        )


@pytest.fixture
def app(settings: Settings):
    from service.app import create_app

    return create_app({"TESTING": True, "NARRATE_SETTINGS": settings})


@pytest.fixture
def client(app):
    return app.test_client()


def environment_for(settings: Settings) -> dict[str, str]:
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


@pytest.fixture
def worker(settings: Settings, app, tmp_path: Path) -> Iterator[subprocess.Popen]:
    """A real Celery worker process (2 prefork children) on the test broker."""
    yield from run_worker(settings, tmp_path, concurrency=2)


def start_worker(
    settings: Settings,
    log: Path,
    *,
    concurrency: int = 1,
    name: str = "test",
    extra_env: dict[str, str] | None = None,
) -> subprocess.Popen:
    """`narrate worker`'s command, started and not waited for."""
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
    )


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
) -> Iterator[subprocess.Popen]:
    """Start a worker, wait until it is ready, yield it, stop it."""
    log = tmp_path / "worker.log"
    process = start_worker(settings, log, concurrency=concurrency, extra_env=extra_env)
    deadline = time.monotonic() + 60
    while "ready." not in log.read_text():
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "worker did not start in 60 s"
        time.sleep(0.2)
    yield process
    stop_worker(process)


def run_jobs_in_process(settings, tmp_path):
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
    """Do what a worker's convert task does first (workers/runtime/preparing.py), for every job
    still "cleaning": its paragraphs are made, or it fails with the cleaner's message.
    The ids of the jobs cleaned."""
    from workers.catalog.db import session_scope
    from workers.catalog.models import JobRow
    from workers.pipeline.errors import NarrateError
    from workers.runtime.preparing import prepare_job

    with session_scope(settings.database_url) as session:
        query = session.query(JobRow.id).filter(JobRow.status == "cleaning").order_by(JobRow.id)
        job_ids = [job_id for (job_id,) in query]
    for job_id in job_ids:
        try:
            prepare_job(settings, job_id)
        except NarrateError as error:
            jobs.fail(settings, job_id, str(error))
    return job_ids


def run_job(settings: Settings, job_id: int, synth, *, stitch: bool = True) -> None:
    """Start one job and synthesise its paragraphs with `synth`; stitch if asked."""
    lanes = list(jobs.start(settings, job_id).to_synthesise)
    while lanes:  # as the tasks do: each lane queues its next chunk when done
        for paragraph_id in lanes.pop(0):
            jobs.synthesise_paragraph(settings, job_id, paragraph_id, lambda v, r: synth)
        if following := jobs.next_chunk(settings, job_id):
            lanes.append(following)
    if stitch:
        jobs.stitch(settings, job_id, lambda v, r: synth)


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
