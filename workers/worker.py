"""The worker's application module: `celery -A workers.worker worker` (what
`narrate worker` and the Procfile run). Settings come from the environment."""

from workers.celery_app import create_worker_app
from workers.settings import Settings

app = create_worker_app(Settings.from_env())
