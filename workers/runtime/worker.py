"""The worker's application module: `celery -A workers.runtime.worker worker` (what
`narrate worker` and the Procfile run). Settings come from the environment."""

from __future__ import annotations

from celery import Celery

from workers.catalog.db import worker_commits
from workers.config import Settings
from workers.runtime import hooks
from workers.runtime.celery_app import create_celery


def create_worker_app(settings: Settings) -> Celery:
    """The app a worker runs: the tasks registered, start-up hooks connected."""
    worker_commits()
    app = create_celery(settings)
    app.autodiscover_tasks(["workers.runtime"], related_name="tasks", force=True)
    hooks.connect()
    return app


app = create_worker_app(Settings.from_env())
