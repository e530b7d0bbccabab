"""Celery tasks: parse the arguments, call workers.runtime.jobs, decide what runs next.

Tasks are shared (bound to whichever app the worker built, see workers.runtime.celery_app) and
name the tasks they queue, so nothing here needs an app at import. Every task runs
inside `_working_on`: a heartbeat for the job while it works, and the one policy for
failures (workers.runtime.resilience): transient ones are retried with backoff, anything else
fails the job with its message."""

from __future__ import annotations

import atexit
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from celery import Task, shared_task
from celery.exceptions import Retry

from workers.config import Settings
from workers.delivery import webhooks
from workers.pipeline.engines.factory import synthesizer_for_voice
from workers.pipeline.engines.synth import Synthesizer
from workers.pipeline.errors import NarrateError
from workers.runtime import announcing, jobs, metrics, recovery, resilience
from workers.runtime.celery_app import (
    CONVERT,
    CONVERT_MANY,
    DELIVER,
    STITCH,
    SYNTHESISE,
    settings_of,
)
from workers.runtime.engine_pool import EnginePool

log = logging.getLogger("narrate.tasks")
# A Piper voice holds about 350 MB; an idle engine beyond this many is closed.
MAX_ENGINES_PER_PROCESS = 3
_pool: list[EnginePool] = []  # this process's, made at first use (after fork)
ENGINE_RETRIES = 3  # the synthesiser already tried each utterance `synth_attempts` times


def synthesizers(settings: Settings) -> jobs.SynthesizerFor:
    """One engine process per worker process and voice, started on first use (after
    fork), serving every rate of that voice (the rate travels with each utterance); the
    least recently used is closed when a new one would exceed the bound, and any engine
    left idle NARRATE_ENGINE_IDLE_S is closed (workers.runtime.engine_pool)."""
    if not _pool:

        def make(voice: str, rate: int) -> Synthesizer:
            return synthesizer_for_voice(
                voice,
                rate,
                piper_voice_dirs=settings.piper_voice_dirs,
                timeout_s=settings.synth_timeout_s,
                attempts=settings.synth_attempts,
                on_restart=metrics.engine_restarted,
            )

        _pool.append(
            EnginePool(
                make,
                max_engines=MAX_ENGINES_PER_PROCESS,
                idle_s=settings.engine_idle_s,
                on_count=metrics.engines_open,
            )
        )
    return _pool[0].checkout


@atexit.register
def _close_synthesizers() -> None:
    for pool in _pool:
        pool.close()


def _queue(task: Task, name: str, job_id: int, *args: object) -> None:
    settings = settings_of(task.app)
    task.app.send_task(name, args=[job_id, *args], queue=jobs.queue_of(settings, job_id))


@contextmanager
def _working_on(task: Task, job_id: int | None) -> Iterator[Settings]:
    settings = settings_of(task.app)
    try:
        if job_id is None:
            yield settings
        else:
            with recovery.heartbeat(settings, job_id):
                yield settings
    except Retry:
        raise
    except Exception as exc:
        part = resilience.unavailable(exc)
        if part is None:
            if job_id is None:
                raise
            if isinstance(exc, NarrateError):
                announcing.fail(task.app, job_id, str(exc))
            else:
                log.exception("job %s: unexpected error", job_id)
                announcing.fail(task.app, job_id, f"internal error: {exc!r}")
            return
        engine = part == resilience.ENGINE
        limit = ENGINE_RETRIES if engine else settings.task_retries
        retries = task.request.retries
        if retries < limit:
            delay = resilience.backoff_s(
                retries, base_s=2.0 if engine else 1.0, cap_s=settings.retry_backoff_max_s
            )
            log.warning(
                "job %s: %s; retry %d in %.1f s",
                job_id, resilience.describe(exc), retries + 1, delay,
            )  # fmt: skip
            raise task.retry(exc=exc, countdown=delay, max_retries=limit) from exc
        if job_id is None:
            raise
        announcing.fail(
            task.app, job_id, f"{resilience.describe(exc)} (gave up after {limit} retries)"
        )


@shared_task(name=CONVERT, bind=True)
def convert_article(self: Task, job_id: int) -> None:
    """Clean and plan the job, queue every lane but the first, and make the first here:
    the first paragraph (a chunk of its own) is heard without another trip through the
    broker, and a small edit (one changed paragraph) is a single task."""
    with _working_on(self, job_id) as settings:
        plan = jobs.start(settings, job_id)
        first, *others = plan.to_synthesise or [[]]
        for chunk in others:
            self.app.send_task(SYNTHESISE, args=[job_id, chunk], queue=plan.queue)
        if first:
            _make_chunk(self, settings, job_id, first)
        if plan.ready_to_stitch:
            _join(self, settings, job_id)


@shared_task(name=CONVERT_MANY, bind=True)
def convert_many(self: Task, job_ids: list[int], queue: str) -> None:
    """One convert task per job: the web process sends one message for many of a batch's
    jobs, where one message each would cost it a broker round trip per item."""
    for job_id in job_ids:
        self.app.send_task(CONVERT, args=[job_id], queue=queue)


@shared_task(name=SYNTHESISE, bind=True)
def synthesise_paragraphs(self: Task, job_id: int, paragraph_ids: list[int] | int) -> None:
    """One chunk of a job's paragraphs (a bare id: a message queued before chunks)."""
    chunk = [paragraph_ids] if isinstance(paragraph_ids, int) else paragraph_ids
    with _working_on(self, job_id) as settings:
        _make_chunk(self, settings, job_id, chunk)


@shared_task(name=STITCH, bind=True)
def stitch(self: Task, job_id: int) -> None:
    """A join queued on its own (by a version that did so: the lane that makes the last
    paragraph now joins at once)."""
    with _working_on(self, job_id) as settings:
        _join(self, settings, job_id)


def _make_chunk(task: Task, settings: Settings, job_id: int, chunk: list[int]) -> None:
    """Make a chunk of the job's paragraphs, then queue the lane's next chunk at the back
    of the queue; the lane that made the last paragraph joins the article at once."""
    synthesizer_for = synthesizers(settings)
    last = False
    for paragraph_id in chunk:
        last |= jobs.synthesise_paragraph(settings, job_id, paragraph_id, synthesizer_for)
    following = jobs.Take([]) if last else jobs.next_chunk(settings, job_id)
    if following.paragraphs:
        _queue(task, SYNTHESISE, job_id, following.paragraphs)
    elif last or following.stitch:
        _join(task, settings, job_id)


def _join(task: Task, settings: Settings, job_id: int) -> None:
    if jobs.stitch(settings, job_id, synthesizers(settings)) is not None:
        announcing.announce(task.app, job_id)


@shared_task(name=DELIVER, bind=True, max_retries=None)
def deliver_webhook(self: Task, delivery_id: int) -> None:
    with _working_on(self, None) as settings:
        attempt = webhooks.deliver(settings, delivery_id)
    if attempt.delivered or attempt.final:
        return
    if self.request.retries + 1 >= settings.webhook_attempts:
        webhooks.give_up(settings, delivery_id)
        return
    raise self.retry(
        countdown=webhooks.retry_delay(settings.webhook_backoff_s, self.request.retries)
    )
