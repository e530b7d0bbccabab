"""The one way a finished job is announced: its webhooks (the article's callback_url,
finished batches) are recorded and queued on the webhook queue, whether a task finished
or failed the job or the recovery sweep gave it up."""

from __future__ import annotations

from celery import Celery

from workers.delivery import webhooks
from workers.runtime import jobs
from workers.runtime.celery_app import DELIVER, WEBHOOK_QUEUE, settings_of


def announce(app: Celery, job_id: int) -> None:
    """Queue the webhooks a job that just finished (done or failed) calls for."""
    settings = settings_of(app)
    article_id = jobs.article_of(settings, job_id)
    links = settings.article_links(article_id) if article_id else {}
    for delivery_id in webhooks.events_for_job(settings, job_id, links):
        app.send_task(DELIVER, args=[delivery_id], queue=WEBHOOK_QUEUE)


def fail(app: Celery, job_id: int, message: str) -> bool:
    """Fail the job with `message` and announce it; False (nothing announced) when it
    was finished already, so a job is announced once however many paths fail it."""
    if not jobs.fail(settings_of(app), job_id, message):
        return False
    announce(app, job_id)
    return True
