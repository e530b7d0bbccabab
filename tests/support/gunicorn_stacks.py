"""The Procfile's gunicorn settings (service.gunicorn_conf) for tests, plus one hook
(`-c python:tests.support.gunicorn_stacks`): each worker prints every thread's stack to
its log on SIGUSR2, so a test whose requests hang shows where the workers are. (gunicorn
sets SIGUSR2 back to its default in a worker before `post_worker_init`, and handles it
only in the arbiter.)"""

from __future__ import annotations

import faulthandler
import signal
import sys

from service.gunicorn_conf import on_starting  # noqa: F401  (gunicorn reads it from here)


def post_worker_init(worker) -> None:  # gunicorn's hook
    faulthandler.register(signal.SIGUSR2, file=sys.stderr, all_threads=True)
