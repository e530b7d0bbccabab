"""Webhooks: tell a publisher's system when an article or a batch is done or failed.

Each event becomes a delivery row in the catalog (so attempts and failures are visible
on the article), then a task POSTs it, retrying with backoff until a 2xx answer.
The body is signed: X-Narrate-Signature: sha256=HMAC-SHA256(secret, body) in hex.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
import time
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import update

from workers.catalog.batches import has_unfinished, status_counts, unannounced_batches_of
from workers.catalog.db import session_scope
from workers.catalog.models import JOB_FINISHED, BatchRow, JobRow, WebhookDeliveryRow, now
from workers.config import Settings
from workers.delivery import pinned_http
from workers.delivery.callback_urls import CallbackNotAllowed, check_callback_url, resolve
from workers.storage.secret_files import secret_in

log = logging.getLogger("narrate.webhooks")
SIGNATURE_HEADER = "X-Narrate-Signature"
DELIVERY_DEADLINE_S = 10.0


def webhook_secret(settings: Settings) -> bytes:
    """NARRATE_WEBHOOK_SECRET, or a random secret kept in the data directory."""
    if settings.webhook_secret:
        return settings.webhook_secret.encode()
    return secret_in(settings.data_dir / "webhook-secret")


def retry_delay(base_s: float, retries: int, rng: random.Random | None = None) -> float:
    """Doubling backoff with jitter (between half and the whole of the doubled delay), so
    deliveries that failed together, say while a receiver was down, do not retry in step."""
    ceiling = base_s * 2**retries
    return (rng or random).uniform(ceiling / 2, ceiling)


def sign(secret: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify(secret: bytes, body: bytes, signature: str) -> bool:
    """What a receiver does: compare in constant time."""
    return hmac.compare_digest(sign(secret, body), signature)


def events_for_job(settings: Settings, job_id: int, links: dict[str, str]) -> list[int]:
    """Record the deliveries a finished job calls for; return their ids."""
    deliveries: list[WebhookDeliveryRow] = []
    with session_scope(settings.database_url) as session:
        job = session.get(JobRow, job_id)
        if job is None or job.status not in ("done", "failed"):
            return []
        revision = job.revision
        event = f"article.{job.status}"
        if revision.callback_url:
            payload = {
                "event": event,
                "article": {
                    "id": revision.article_id,
                    "revision": revision.number,
                    "status": job.status,
                    "title": revision.title,
                    "duration_ms": revision.duration_ms,
                    "error": job.error,
                    "links": links,
                },
            }
            deliveries.append(
                WebhookDeliveryRow(
                    article_id=revision.article_id,
                    url=revision.callback_url,
                    event=event,
                    payload=payload,
                )
            )
        deliveries.extend(_finished_batches(session, revision.id))
        session.add_all(deliveries)
        session.flush()
        return [d.id for d in deliveries]


def _finished_batches(session, revision_id: int) -> list[WebhookDeliveryRow]:
    """A batch event once every item of a batch holding this revision has finished."""
    deliveries = []
    for batch in unannounced_batches_of(session, revision_id):
        if has_unfinished(session, batch.id):
            continue
        counts = status_counts(session, batch.id)
        if not _claim(session, batch.id):
            continue  # the worker that finished another of its items announced it
        if not batch.callback_url:
            continue
        counts = Counter({str(s): counts[s] for s in JOB_FINISHED if counts[s]})
        event = "batch.failed" if counts["failed"] else "batch.done"
        deliveries.append(
            WebhookDeliveryRow(
                batch_id=batch.id,
                url=batch.callback_url,
                event=event,
                payload={"event": event, "batch": {"id": batch.id, "counts": dict(counts)}},
            )
        )
    return deliveries


def _claim(session, batch_id: str) -> bool:
    """Mark the batch announced; False if another worker did so first. The last items of
    a batch often finish together, and each worker sees the whole batch finished."""
    claimed = session.execute(
        update(BatchRow)
        .where(BatchRow.id == batch_id, BatchRow.notified.is_(False))
        .values(notified=True)
    ).rowcount
    return claimed == 1


@dataclass(frozen=True)
class Attempt:
    delivered: bool
    detail: str
    final: bool = False  # no point retrying: the destination is not allowed


def deliver(settings: Settings, delivery_id: int) -> Attempt:
    """POST one delivery once and record the attempt."""
    with session_scope(settings.database_url) as session:
        delivery = session.get(WebhookDeliveryRow, delivery_id)
        if delivery is None or delivery.status == "delivered":
            return Attempt(True, "already delivered")
        url, public_id, event = delivery.url, delivery.delivery_id, delivery.event
        body = json.dumps({"delivery": public_id, **delivery.payload}).encode()
    status_code, attempt = _post(settings, url, body, event, public_id)
    with session_scope(settings.database_url) as session:
        delivery = session.get_one(WebhookDeliveryRow, delivery_id)
        delivery.attempts += 1
        delivery.last_status_code = status_code
        if attempt.delivered:
            delivery.status, delivery.delivered_at, delivery.last_error = "delivered", now(), None
        else:
            delivery.last_error = attempt.detail
            if attempt.final:
                delivery.status = "failed"
    log.info("webhook %s to %s: %s", public_id, url, attempt.detail)
    return attempt


def _post(
    settings: Settings, url: str, body: bytes, event: str, public_id: str
) -> tuple[int | None, Attempt]:
    try:
        addresses = check_callback_url(
            url, allow_private=settings.webhook_allow_private, resolver=resolve
        )
    except CallbackNotAllowed as exc:
        return None, Attempt(False, str(exc), final=True)
    except OSError as exc:  # the name does not resolve (now)
        return None, Attempt(False, f"unreachable: {exc}")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Narrate-Webhook/1",
        "X-Narrate-Event": event,
        "X-Narrate-Delivery": public_id,
        SIGNATURE_HEADER: sign(webhook_secret(settings), body),
    }
    status, error = None, OSError("the host resolved to no address")
    deadline = time.monotonic() + DELIVERY_DEADLINE_S  # one deadline for the whole delivery
    for address in addresses:  # the addresses just checked, never a second DNS answer
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            error = pinned_http.DeadlineExceeded(
                f"no answer within {DELIVERY_DEADLINE_S:g} s from any address"
            )
            break
        try:
            status = pinned_http.post(url, address, body, headers, remaining)
            break
        except OSError as exc:
            error = exc
    if status is None:
        return None, Attempt(False, f"unreachable: {error}")
    if 200 <= status < 300:
        return status, Attempt(True, f"HTTP {status}")
    redirect = " (webhooks do not follow redirects)" if 300 <= status < 400 else ""
    return status, Attempt(False, f"HTTP {status}{redirect}")


def give_up(settings: Settings, delivery_id: int) -> None:
    with session_scope(settings.database_url) as session:
        delivery = session.get(WebhookDeliveryRow, delivery_id)
        if delivery is not None and delivery.status != "delivered":
            delivery.status = "failed"
