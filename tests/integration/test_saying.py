"""A long article is said in pieces: the clean stage says its first paragraph and stores
the rest written; the lanes say the rest in chunks, in order, as they reach them
(workers/runtime/preparing.py, workers/runtime/saying.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.support.engines import FakeEngineSynthesizer
from tests.support.harness import run_job, said_anew
from workers.catalog.db import session_scope
from workers.catalog.models import ArticleRow, JobRow, UnsaidRow
from workers.pipeline.clean.cleaner import clean
from workers.pipeline.speaking import spoken_paragraphs
from workers.runtime import jobs, preparing, saying
from workers.runtime.preparing import prepare_job

pytestmark = pytest.mark.integration

LONG = "A headline for the long one\n\n" + "\n\n".join(
    f"Paragraph {n} costs £{n}m, up {n}% on 15/02/2023, says No. 10." for n in range(40)
)
CHANGED = LONG.replace("Paragraph 20 costs £20m", "Paragraph 20 now costs £21m")
DASHES = "Dashes in it\n\nThe first line says something.\n\n—\n\nThe last line says more.\n\n#"


def posted(client, settings, text: str) -> tuple[str, int]:
    """The article posted and cleaned as a worker's convert task begins: (id, job id)."""
    article_id = client.post("/api/v1/articles", json={"text": text}).get_json()["id"]
    with session_scope(settings.database_url) as session:
        job_id = session.get_one(ArticleRow, article_id).current.job.id
    assert prepare_job(settings, job_id)
    return article_id, job_id


def state(settings, article_id: str) -> tuple[list[tuple[int, str, str]], int, int]:
    """The current revision's paragraphs (index, written, spoken), its unsaid count and
    its job's total."""
    with session_scope(settings.database_url) as session:
        revision = session.get_one(ArticleRow, article_id).current
        rows = [(p.index, p.text, p.spoken) for p in revision.paragraphs]
        return rows, len(revision.unsaid), revision.job.total


def test_the_clean_stage_says_the_first_paragraph_and_counts_them_all(client, settings):
    article_id, job_id = posted(client, settings, LONG)
    expected = spoken_paragraphs(clean(LONG))
    rows, unsaid, total = state(settings, article_id)
    assert rows == [(0, *expected[0])] and unsaid == len(expected) - 1
    assert total == len(expected) == 41  # right from the start
    assert not prepare_job(settings, job_id)  # a redelivered convert stores nothing twice
    assert state(settings, article_id) == (rows, unsaid, total)
    shown = client.get(f"/api/v1/articles/{article_id}").get_json()
    assert shown["paragraphs"] == [written for written, _ in expected]  # all, said or not
    status = client.get(f"/api/v1/articles/{article_id}/status").get_json()
    assert status["progress"] == {"done": 0, "total": 41, "percent": 0, "playable": 0}


def test_the_lanes_say_the_rest_in_order_as_speak_would(client, settings, tmp_path):
    article_id, job_id = posted(client, settings, LONG)
    plan = jobs.start(settings, job_id)
    rows, unsaid, _ = state(settings, article_id)
    assert len(plan.to_synthesise) == settings.article_in_flight
    assert len(rows) < 41 / 2 and unsaid == 41 - len(rows)  # a chunk per lane, no more
    with FakeEngineSynthesizer("ok", tmp_path / "count") as synth:
        run_job(settings, job_id, synth)
    rows, unsaid, total = state(settings, article_id)
    assert rows == [(i, *pair) for i, pair in enumerate(spoken_paragraphs(clean(LONG)))]
    assert (unsaid, total) == (0, 41)
    timings = client.get(f"/api/v1/articles/{article_id}/timings.json").get_json()
    assert [p["text"] for p in timings["paragraphs"]] == [text for _, text, _ in rows]


def test_a_chunk_two_lanes_say_at_once_is_stored_once(client, settings, monkeypatch):
    article_id, job_id = posted(client, settings, LONG)
    speaker_for = saying.speaker_for
    raced = []

    def racing(*args, **kwargs):
        """While this lane says its chunk, another says the same one and stores it."""
        if not raced:
            raced.append(True)
            with session_scope(settings.database_url) as other:
                assert saying.say_next(other, settings, other.get_one(JobRow, job_id)).stored
        return speaker_for(*args, **kwargs)

    monkeypatch.setattr(saying, "speaker_for", racing)
    with session_scope(settings.database_url) as session:
        said = saying.say_next(session, settings, session.get_one(JobRow, job_id))
    assert said == saying.Said(0, False)  # the other lane stored it
    with session_scope(settings.database_url) as session:
        assert saying.say_next(session, settings, session.get_one(JobRow, job_id)).stored
    rows, unsaid, total = state(settings, article_id)
    assert [i for i, _, _ in rows] == list(range(len(rows)))  # in order, none twice
    assert [r[1:] for r in rows] == spoken_paragraphs(clean(LONG))[: len(rows)]
    assert unsaid + len(rows) == total == 41


def test_a_paragraph_with_nothing_to_say_comes_off_the_total(client, settings, tmp_path):
    """One lane, one paragraph a chunk: the dash in the middle is left out when said, and
    the last written line ("#") has nothing to say either, so saying it finishes the job
    (every paragraph stored is done): the lane that said it queues the join."""
    article_id, job_id = posted(client, settings, DASHES)
    one_lane = replace(settings, article_in_flight=1, chunk_chars=1)
    assert state(settings, article_id)[2] == 5
    with FakeEngineSynthesizer("ok", tmp_path / "count") as synth:
        plan = jobs.start(one_lane, job_id)
        lane, takes = plan.to_synthesise[0], []
        while lane:
            last = False
            for paragraph in lane:
                last |= jobs.synthesise_paragraph(one_lane, job_id, paragraph, lambda v, r: synth)
            assert not last  # the total still counts the "#" to say
            take = jobs.next_chunk(one_lane, job_id)
            takes.append(take)
            lane = take.paragraphs
        assert takes[-1] == jobs.Take([], stitch=True)
        assert jobs.stitch(one_lane, job_id, lambda v, r: synth) is not None
    rows, unsaid, total = state(settings, article_id)
    assert [text for _, text, _ in rows] == [
        "Dashes in it",
        "The first line says something.",
        "The last line says more.",
    ]
    assert (unsaid, total) == (0, 3)
    with session_scope(settings.database_url) as session:
        assert session.query(UnsaidRow).count() == 0


def test_an_edit_while_the_rest_is_unsaid_works_on_every_paragraph(client, settings):
    article_id, _ = posted(client, settings, LONG)
    response = client.patch(f"/api/v1/articles/{article_id}", json={"drop": [40]})
    assert response.status_code == 202
    rows, unsaid, total = state(settings, article_id)  # revision 2: said whole by the PATCH
    assert len(rows) == total == 40 and unsaid == 0
    assert rows[-1][1].startswith("Paragraph 38 ")


def edited(client, settings, tmp_path, article_id: str, body: dict) -> int:
    """The article's job run to done, then `body` PUT as its next revision and cleaned:
    the new job's id."""
    first = client.get(f"/api/v1/articles/{article_id}").get_json()
    with session_scope(settings.database_url) as session:
        job_id = session.get_one(ArticleRow, article_id).current.job.id
    with FakeEngineSynthesizer("ok", tmp_path / "count") as synth:
        run_job(settings, job_id, synth)
    assert client.put(f"/api/v1/articles/{article_id}", json=body).status_code == 202
    with session_scope(settings.database_url) as session:
        current = session.get_one(ArticleRow, article_id).current
        assert current.number == first["revision"] + 1
        job_id = current.job.id
    assert prepare_job(settings, job_id)
    return job_id


def test_an_edit_says_anew_only_the_paragraphs_it_changed(client, settings, tmp_path, monkeypatch):
    article_id, _ = posted(client, settings, LONG)
    job_id = edited(client, settings, tmp_path, article_id, {"text": CHANGED})
    calls = said_anew(monkeypatch)
    plan = jobs.start(settings, job_id)
    assert calls == [CHANGED.split("\n\n")[21]]  # the rest kept the spoken text they had
    rows, unsaid, total = state(settings, article_id)
    assert unsaid == 0 and total == 41  # the 39 kept said with it, in one chunk
    assert [r[1:] for r in rows] == spoken_paragraphs(clean(CHANGED))
    with session_scope(settings.database_url) as session:
        revision = session.get_one(JobRow, job_id).revision
        assert plan.to_synthesise == [[revision.paragraphs[21].id]]  # the only one to make


@pytest.mark.parametrize(
    "unlike",
    [
        {"style": "en-US"},
        {"voice": "piper:en_US-joe-medium"},  # reads text: no lexicon phonemes
        {"lexicon": [{"word": "costs", "say": "cost"}]},
        {"speech rules": "changed"},
    ],
)
def test_an_edit_said_otherwise_says_every_paragraph_anew(
    client, settings, tmp_path, monkeypatch, unlike
):
    article_id, _ = posted(client, settings, LONG)
    body = {"text": CHANGED, **{k: v for k, v in unlike.items() if k in ("style", "voice")}}
    if "lexicon" in unlike:
        assert client.put("/api/v1/lexicon", json={"entries": unlike["lexicon"]}).status_code == 200
    if "speech rules" in unlike:
        monkeypatch.setattr(preparing, "rules_key", lambda: "another deployment's rules")
    job_id = edited(client, settings, tmp_path, article_id, body)
    calls = said_anew(monkeypatch)
    with FakeEngineSynthesizer("ok", tmp_path / "count") as synth:
        run_job(settings, job_id, synth)
    assert len(calls) == 40  # all but the first, said by the clean stage
    rows, unsaid, total = state(settings, article_id)
    assert (len(rows), unsaid, total) == (41, 0, 41)


def test_a_chunk_said_while_written_is_read_is_neither_lost_nor_doubled(client, settings):
    """`RevisionRow.written` reads the said and the unsaid paragraphs together: a lane
    that says a chunk (its unsaid rows deleted, its paragraphs stored, in one commit)
    just before the unsaid are read would otherwise be missing from both reads."""
    from sqlalchemy import event

    from workers.catalog.db import engine_for

    article_id, job_id = posted(client, settings, LONG)
    everything = [written for written, _ in spoken_paragraphs(clean(LONG))]
    engine, said = engine_for(settings.database_url), []

    def a_lane_says_a_chunk(_conn, _cursor, statement, *_args) -> None:
        reads_unsaid = "FROM unsaid_paragraphs" in statement
        if reads_unsaid and "FROM paragraphs" not in statement and not said:
            said.append(True)
            with session_scope(settings.database_url) as other:
                saying.say_next(other, settings, other.get_one(JobRow, job_id))

    event.listen(engine, "before_cursor_execute", a_lane_says_a_chunk)
    try:
        with session_scope(settings.database_url) as session:
            written = session.get_one(ArticleRow, article_id).current.written
    finally:
        event.remove(engine, "before_cursor_execute", a_lane_says_a_chunk)
    assert written == everything
    assert not said  # no statement read the unsaid apart from the said
    with session_scope(settings.database_url) as session:  # and after a chunk is said
        assert saying.say_next(session, settings, session.get_one(JobRow, job_id)).stored
    with session_scope(settings.database_url) as session:
        assert session.get_one(ArticleRow, article_id).current.written == everything
