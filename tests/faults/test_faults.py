"""Faults injected into a running service (see conftest.py): after each, every article
is done within 60 s of the fault clearing, with nothing restarted by hand; every MP3
decodes and matches its timing map; no article is lost or made twice."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from tests.support.cluster import RESULTS, Cluster
from tests.support.decode import decode_mp3
from tests.support.harness import command_line, descendants
from tests.support.openapi_check import conforms
from tests.support.waits import wait_until
from workers.catalog.db import session_scope
from workers.catalog.models import ArticleRow, JobRow, RevisionRow
from workers.runtime.jobs import audio_key

pytestmark = pytest.mark.faults

OUTAGE_S = 20
RECOVERY_LIMIT_S = 60
FINISHED = ("done", "failed", "cancelled")


@dataclass
class Batch:
    tag: str
    ids: list[str]


def article_text(tag: str, n: int, paragraphs: int = 6) -> dict[str, str]:
    body = "\n\n".join(
        f"In the {tag} trial, story {n} says part {p} in a few plain words of its own. "
        "It goes on for a second sentence, so that each paragraph takes the engine a while."
        for p in range(paragraphs)
    )
    return {"title": f"Fault {tag} story {n}", "text": body}


def submit_batch(web, tag: str, count: int = 12) -> Batch:
    response = web.post("/api/v1/batches", json=[article_text(tag, n) for n in range(count)])
    assert response.status_code == 202, response.get_json()
    items = web.get(response.headers["Location"], query_string={"per_page": 1000}).get_json()
    ids = [item["id"] for item in items["items"]]
    assert len(ids) == count and all(ids)
    return Batch(tag, ids)


def statuses(cluster: Cluster, ids: list[str]) -> dict[str, tuple[str, int, int, str | None]]:
    """article id -> (status, done, total, error) of its current job, read directly."""
    with session_scope(cluster.direct_url) as session:
        rows = session.execute(
            select(RevisionRow.article_id, JobRow.status, JobRow.done, JobRow.total, JobRow.error)
            .join(JobRow, JobRow.revision_id == RevisionRow.id)
            .where(RevisionRow.article_id.in_(ids))
        ).all()
    return {article_id: (status, done, total, error) for article_id, *rest in rows
            for status, done, total, error in [rest]}  # fmt: skip


def mid_batch(cluster: Cluster, ids: list[str]) -> bool:
    """Some paragraphs are done and some are not: the batch is in flight."""
    states = statuses(cluster, ids).values()
    done = sum(d for _, d, _, _ in states)
    return 0 < done < sum(t for _, _, t, _ in states)


def all_finished(cluster: Cluster, ids: list[str]) -> bool:
    states = statuses(cluster, ids)
    return len(states) == len(ids) and all(s[0] in FINISHED for s in states.values())


def audit(cluster: Cluster, batch: Batch) -> dict[str, int]:
    """Count corrupt MP3s, lost articles (not done) and duplicated ones (more articles,
    revisions or spoken paragraphs than were submitted)."""
    states = statuses(cluster, batch.ids)
    failed = {i: s[3] for i, s in states.items() if s[0] != "done"}
    assert not failed, failed
    corrupt = duplicated = 0
    with session_scope(cluster.direct_url) as session:
        articles = session.scalar(
            select(func.count())
            .select_from(RevisionRow)
            .where(RevisionRow.title.like(f"Fault {batch.tag} %"))
        )
        duplicated += articles - len(batch.ids)
        rows = session.scalars(select(ArticleRow).where(ArticleRow.id.in_(batch.ids))).all()
        made = [(r.id, r.current.number, [p.text for p in r.current.paragraphs]) for r in rows]
    storage = cluster.settings.audio_dir
    for article_id, number, paragraphs in made:
        duplicated += number - 1
        timings = json.loads((storage / audio_key(article_id, number, ".json")).read_text())
        if [p["text"] for p in timings["paragraphs"]] != paragraphs:
            duplicated += 1
        try:
            samples, rate, _ = decode_mp3(storage / audio_key(article_id, number, ".mp3"))
        except Exception:
            corrupt += 1
            continue
        if abs(len(samples) / rate * 1000 - timings["duration_ms"]) > 150:
            corrupt += 1
    lost = len(batch.ids) - len(made) + len(failed)
    return {"corrupt": corrupt, "lost": lost, "duplicated": duplicated}


def run_fault(
    cluster: Cluster,
    web,
    name: str,
    inject: Callable[[], None],
    clear: Callable[[], None],
    *,
    hold_s: float = OUTAGE_S,
    during: Callable[[Batch], None] | None = None,
) -> None:
    cluster.ensure_workers()
    batch = submit_batch(web, name.split()[0].lower())
    wait_until(lambda: mid_batch(cluster, batch.ids), 90, "the batch started")
    started = time.monotonic()
    inject()
    if during is not None:
        during(batch)
    time.sleep(max(0.0, hold_s - (time.monotonic() - started)))
    clear()
    outage = time.monotonic() - started
    recovered = wait_until(
        lambda: all_finished(cluster, batch.ids), RECOVERY_LIMIT_S, "every article finished"
    )
    figures = audit(cluster, batch)
    RESULTS.append(
        {
            "fault": name,
            "articles": len(batch.ids),
            "outage s": f"{outage:.1f}",
            "all done after it cleared, s": f"{recovered:.1f}",
            **figures,
        }
    )
    assert figures == {"corrupt": 0, "lost": 0, "duplicated": 0}


def test_a_worker_killed_mid_article(cluster, web):
    run_fault(
        cluster,
        web,
        "worker SIGKILL",
        lambda: cluster.kill_tree(cluster.workers[0]),
        lambda: None,
        hold_s=0,
    )


def not_ready(web, check: str) -> bool:
    """Whether /readyz answers 503 with `check` failed (its answer may be a second old)."""
    ready = web.get("/readyz")
    return ready.status_code == 503 and ready.get_json()["checks"][check] is False


def test_the_broker_stopped_and_started_mid_batch(cluster, web):
    def post_during_outage(batch: Batch) -> None:
        posted = web.post("/api/v1/articles", json=article_text(batch.tag, 99))
        assert posted.status_code == 202  # stored; queued when the broker is back
        batch.ids.append(posted.get_json()["id"])
        wait_until(lambda: not_ready(web, "broker"), 5, "/readyz saw the broker down")

    run_fault(
        cluster,
        web,
        "broker down 20 s",
        cluster.redis.stop,
        cluster.redis.start,
        during=post_during_outage,
    )


def test_the_database_cut_off_mid_batch(cluster, web):
    def answers_503(batch: Batch) -> None:
        for response, path, method in (
            (web.get(f"/api/v1/articles/{batch.ids[0]}"), "/api/v1/articles/{article_id}", "get"),
            (web.post("/api/v1/articles", json=article_text(batch.tag, 99)), "/api/v1/articles",
             "post"),
        ):  # fmt: skip
            assert response.status_code == 503
            assert response.headers["Retry-After"].isdigit()
            assert "database" in conforms(response, path, method)["detail"]
        wait_until(lambda: not_ready(web, "database"), 5, "/readyz saw the database away")

    run_fault(
        cluster, web, "database cut 20 s", cluster.proxy.cut, cluster.proxy.restore,
        during=answers_503,
    )  # fmt: skip


def test_storage_unwritable(cluster, web):
    audio = cluster.settings.audio_dir
    away = audio.with_name("audio.away")

    def break_storage() -> None:
        audio.rename(away)
        audio.write_bytes(b"not a folder")  # even root cannot write under a file

    def mend_storage() -> None:
        audio.unlink()
        away.rename(audio)

    def storage_not_ready(_batch: Batch) -> None:
        wait_until(lambda: not_ready(web, "storage"), 5, "/readyz saw storage unwritable")

    run_fault(
        cluster,
        web,
        "storage unwritable 20 s",
        break_storage,
        mend_storage,
        during=storage_not_ready,
    )


def test_a_hung_engine(cluster, web):
    stopped: list[int] = []

    def hang_an_engine() -> None:
        deadline = time.monotonic() + 30
        while not stopped:
            engines = [
                pid
                for worker in cluster.workers
                for pid in sorted(descendants(worker.pid))
                if "workers.pipeline.engines.espeak_child" in command_line(pid)
            ]
            if engines:
                os.kill(engines[0], signal.SIGSTOP)
                stopped.append(engines[0])
            assert time.monotonic() < deadline, "no engine process to hang"
            time.sleep(0.05)

    def until_replaced() -> None:
        wait_until(
            lambda: (
                not os.path.exists(f"/proc/{stopped[0]}/cmdline")
                or "workers.pipeline.engines.espeak_child" not in command_line(stopped[0])
            ),
            60,
            "the engine replaced",
        )

    run_fault(cluster, web, "engine hang (SIGSTOP)", hang_an_engine, until_replaced, hold_s=0)


def test_a_long_paragraph(cluster, web):
    cluster.ensure_workers()
    sentence = "The council met again on Tuesday to weigh the plan for the old mill site. "
    text = {"title": "Fault long story", "text": sentence * 55}  # one paragraph, ~4 KB
    created = web.post("/api/v1/articles", json=text)
    assert created.status_code == 202
    batch = Batch("long", [created.get_json()["id"]])
    took = wait_until(
        lambda: all_finished(cluster, batch.ids), RECOVERY_LIMIT_S, "the long article"
    )
    figures = audit(cluster, batch)
    RESULTS.append(
        {
            "fault": f"long paragraph ({len(text['text']) // 1000} KB)",
            "articles": 1,
            "outage s": "-",
            "all done after it cleared, s": f"{took:.1f} (from submission)",
            **figures,
        }
    )
    assert figures == {"corrupt": 0, "lost": 0, "duplicated": 0}
