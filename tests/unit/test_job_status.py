"""One set of job states: the catalog's JobStatus is what the OpenAPI document allows
wherever an article's status appears."""

from __future__ import annotations

import jsonschema
import pytest

from service.openapi import document
from service.web.api import STATUSES
from workers.catalog.models import JOB_FINISHED, JOB_UNFINISHED, JobStatus


def test_the_openapi_job_status_is_the_catalogs():
    spec = document()
    assert spec["components"]["schemas"]["JobStatus"]["enum"] == [s.value for s in JobStatus]
    assert list(STATUSES) == [s.value for s in JobStatus]
    assert set(JOB_UNFINISHED) | set(JOB_FINISHED) == set(JobStatus)


@pytest.mark.parametrize("where", ["ArticleSummary", "Batch-item"])
def test_a_cancelled_article_conforms(where):
    spec = document()
    schemas = spec["components"]["schemas"]
    if where == "ArticleSummary":
        status_schema = schemas["ArticleSummary"]["properties"]["status"]
    else:
        status_schema = schemas["Batch"]["properties"]["items"]["items"]["properties"]["status"]
    schema = {**status_schema, "components": spec["components"]}
    jsonschema.validate("cancelled", schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate("lost", schema)


def test_the_status_never_counts_more_playable_paragraphs_than_its_job_has():
    """`playable` is read in a statement after the job: a worker that made paragraphs in
    between must not give a status that reads "cleaning", 0 of 0, and 1 playable."""
    from service.web.status import article_status
    from workers.catalog.models import ArticleRow, JobRow, RevisionRow

    job = JobRow(status=JobStatus.CLEANING, done=0, total=0)
    revision = RevisionRow(number=1, title="A title", job=job)
    row = ArticleRow(id="a1", revisions=[revision])
    status = article_status(row, playable=1)
    assert (status["status"], status["progress"]["playable"]) == ("cleaning", 0)
    job.status, job.done, job.total = JobStatus.PROCESSING, 2, 5
    assert article_status(row, playable=2)["progress"]["playable"] == 2
