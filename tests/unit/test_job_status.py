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
