"""Celery tasks: parse the arguments, call workers.jobs, decide what runs next."""

from __future__ import annotations

import atexit
import logging

from workers import jobs, webhooks
from workers.celery_app import (
    CONVERT,
    DELIVER,
    STITCH,
    SYNTHESISE,
    WEBHOOK_QUEUE,
    celery,
    settings,
)
from workers.pipeline.errors import EngineUnavailable, InvalidInput, SynthesisFailed
from workers.pipeline.synth import Pyttsx3Synthesizer

log = logging.getLogger("narrate.tasks")
_synthesizers: dict[tuple[str, int], Pyttsx3Synthesizer] = {}


def synthesizer_for(voice: str, rate: int) -> Pyttsx3Synthesizer:
    """One engine process per worker process and voice, started on first use (after fork)."""
    key = (voice, rate)
    if key not in _synthesizers:
        _synthesizers[key] = Pyttsx3Synthesizer(
            voice, rate, timeout_s=settings.synth_timeout_s, attempts=settings.synth_attempts
        )
    return _synthesizers[key]


@atexit.register
def _close_synthesizers() -> None:
    for synthesizer in _synthesizers.values():
        synthesizer.close()


def _announce(job_id: int) -> None:
    """Queue the webhooks a job that just finished calls for."""
    article_id = jobs.article_of(settings, job_id)
    links = settings.article_links(article_id) if article_id else {}
    for delivery_id in webhooks.events_for_job(settings, job_id, links):
        deliver_webhook.apply_async((delivery_id,), queue=WEBHOOK_QUEUE)


def _fail(job_id: int, message: str) -> None:
    if jobs.fail(settings, job_id, message):
        _announce(job_id)


@celery.task(name=CONVERT)
def convert_article(job_id: int) -> None:
    plan = jobs.start(settings, job_id)
    for paragraph_id in plan.to_synthesise:
        synthesise_paragraph.apply_async((job_id, paragraph_id), queue=plan.queue)
    if plan.ready_to_stitch:
        stitch.apply_async((job_id,), queue=plan.queue)


@celery.task(
    name=SYNTHESISE,
    bind=True,
    autoretry_for=(SynthesisFailed,),
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=3,
)
def synthesise_paragraph(self, job_id: int, paragraph_id: int) -> None:
    try:
        last = jobs.synthesise_paragraph(settings, job_id, paragraph_id, synthesizer_for)
    except SynthesisFailed as exc:
        if self.request.retries >= self.max_retries:
            _fail(job_id, f"{exc} (gave up after {self.max_retries} retries)")
            return
        raise
    except (EngineUnavailable, InvalidInput) as exc:
        _fail(job_id, str(exc))
        return
    if last:
        stitch.apply_async((job_id,), queue=jobs.queue_of(settings, job_id))


@celery.task(name=STITCH)
def stitch(job_id: int) -> None:
    if jobs.stitch(settings, job_id, synthesizer_for) is not None:
        _announce(job_id)


@celery.task(name=DELIVER, bind=True, max_retries=None)
def deliver_webhook(self, delivery_id: int) -> None:
    attempt = webhooks.deliver(settings, delivery_id)
    if attempt.delivered or attempt.final:
        return
    if self.request.retries + 1 >= settings.webhook_attempts:
        webhooks.give_up(settings, delivery_id)
        return
    raise self.retry(
        countdown=webhooks.retry_delay(settings.webhook_backoff_s, self.request.retries)
    )
