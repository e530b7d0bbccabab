"""Celery tasks: parse the arguments, call workers.jobs, decide what runs next."""

from __future__ import annotations

import atexit
import logging
from collections import OrderedDict

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
from workers.pipeline.synth import Synthesizer
from workers.pipeline.voices import synthesizer_for_voice

log = logging.getLogger("narrate.tasks")
# A Piper voice holds about 350 MB; an idle engine beyond this many is closed.
MAX_ENGINES_PER_PROCESS = 3
_synthesizers: OrderedDict[tuple[str, int], Synthesizer] = OrderedDict()


def synthesizer_for(voice: str, rate: int) -> Synthesizer:
    """One engine process per worker process, voice and rate, started on first use (after
    fork); the least recently used is closed when a new one would exceed the bound."""
    key = (voice, rate)
    if key in _synthesizers:
        _synthesizers.move_to_end(key)
        return _synthesizers[key]
    synthesizer = synthesizer_for_voice(
        voice,
        rate,
        piper_voice_dirs=settings.piper_voice_dirs,
        timeout_s=settings.synth_timeout_s,
        attempts=settings.synth_attempts,
    )
    while len(_synthesizers) >= MAX_ENGINES_PER_PROCESS:
        _synthesizers.popitem(last=False)[1].close()
    _synthesizers[key] = synthesizer
    return synthesizer


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
