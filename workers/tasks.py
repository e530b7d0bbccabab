"""Celery tasks: parse the arguments, call workers.jobs, decide what runs next."""

from __future__ import annotations

import atexit
import logging

from workers import jobs
from workers.celery_app import CONVERT, STITCH, SYNTHESISE, celery, settings
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


@celery.task(name=CONVERT)
def convert_article(job_id: int) -> None:
    plan = jobs.start(settings, job_id)
    for paragraph_id in plan.to_synthesise:
        synthesise_paragraph.delay(job_id, paragraph_id)
    if plan.ready_to_stitch:
        stitch.delay(job_id)


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
            jobs.fail(settings, job_id, f"{exc} (gave up after {self.max_retries} retries)")
            return
        raise
    except (EngineUnavailable, InvalidInput) as exc:
        jobs.fail(settings, job_id, str(exc))
        return
    if last:
        stitch.delay(job_id)


@celery.task(name=STITCH)
def stitch(job_id: int) -> None:
    jobs.stitch(settings, job_id)
