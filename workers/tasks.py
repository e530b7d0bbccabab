"""Celery tasks: parse the arguments, call workers.jobs, decide what runs next.

Every task runs inside `_working_on`: a heartbeat for the job while it works, and the
one policy for failures (workers.resilience): transient ones are retried with backoff,
anything else fails the job with its message."""

from __future__ import annotations

import atexit
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from celery import Task
from celery.exceptions import Retry

from workers import jobs, recovery, resilience, webhooks
from workers.celery_app import CONVERT, DELIVER, STITCH, SYNTHESISE, celery, settings
from workers.pipeline.errors import NarrateError
from workers.pipeline.synth import Pyttsx3Synthesizer

log = logging.getLogger("narrate.tasks")
_synthesizers: dict[tuple[str, int], Pyttsx3Synthesizer] = {}
ENGINE_RETRIES = 3  # the synthesiser already tried each utterance `synth_attempts` times


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
        deliver_webhook.apply_async((delivery_id,), queue=jobs.queue_of(settings, job_id))


def _fail(job_id: int, message: str) -> None:
    if jobs.fail(settings, job_id, message):
        _announce(job_id)


@contextmanager
def _working_on(task: Task, job_id: int | None) -> Iterator[None]:
    try:
        if job_id is None:
            yield
        else:
            with recovery.heartbeat(settings, job_id):
                yield
    except Retry:
        raise
    except Exception as exc:
        part = resilience.unavailable(exc)
        if part is None:
            if not isinstance(exc, NarrateError):
                log.exception("job %s: unexpected error", job_id)
            if job_id is None:
                raise
            _fail(job_id, str(exc) if isinstance(exc, NarrateError) else f"internal error: {exc!r}")
            return
        limit = ENGINE_RETRIES if part == resilience.ENGINE else settings.task_retries
        retries = task.request.retries
        if retries < limit:
            delay = resilience.backoff_s(
                retries,
                base_s=2.0 if part == resilience.ENGINE else 1.0,
                cap_s=settings.retry_backoff_max_s,
            )
            log.warning(
                "job %s: %s; retry %d in %.1f s",
                job_id,
                resilience.describe(exc),
                retries + 1,
                delay,
            )
            raise task.retry(exc=exc, countdown=delay, max_retries=limit) from exc
        if job_id is None:
            raise
        _fail(job_id, f"{resilience.describe(exc)} (gave up after {limit} retries)")


@celery.task(name=CONVERT, bind=True)
def convert_article(self: Task, job_id: int) -> None:
    with _working_on(self, job_id):
        plan = jobs.start(settings, job_id)
        for paragraph_id in plan.to_synthesise:
            synthesise_paragraph.apply_async((job_id, paragraph_id), queue=plan.queue)
        if plan.ready_to_stitch:
            stitch.apply_async((job_id,), queue=plan.queue)


@celery.task(name=SYNTHESISE, bind=True)
def synthesise_paragraph(self: Task, job_id: int, paragraph_id: int) -> None:
    with _working_on(self, job_id):
        if jobs.synthesise_paragraph(settings, job_id, paragraph_id, synthesizer_for):
            stitch.apply_async((job_id,), queue=jobs.queue_of(settings, job_id))


@celery.task(name=STITCH, bind=True)
def stitch(self: Task, job_id: int) -> None:
    with _working_on(self, job_id):
        if jobs.stitch(settings, job_id, synthesizer_for) is not None:
            _announce(job_id)


@celery.task(name=DELIVER, bind=True, max_retries=None)
def deliver_webhook(self: Task, delivery_id: int) -> None:
    with _working_on(self, None):
        attempt = webhooks.deliver(settings, delivery_id)
    if attempt.delivered or attempt.final:
        return
    if self.request.retries + 1 >= settings.webhook_attempts:
        webhooks.give_up(settings, delivery_id)
        return
    raise self.retry(countdown=settings.webhook_backoff_s * 2**self.request.retries)
