"""A bounded contract fuzz in CI: schemathesis makes requests from the served OpenAPI
document (a fixed number per operation, derandomized: the same requests every run) and
sends them to the real app (SQLite catalog, the test Redis, a key with every scope).

Every answer is checked the way schemathesis checks them: no server error, a status
code, content type, headers and body the document declares for that operation. Its
"schema-valid request rejected" check is left out: some bodies have a grammar JSON
Schema cannot state (lexicon.tsv, NDJSON and zip batches, a beacon's JSON sent as
text/plain, indexes that must exist in the article), so a 400 for them is right; the
ranges and requirements it can state (pages, text or html, non-empty batches and
edits, collection names) are in the document."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.support.settings import settings_for

pytestmark = pytest.mark.integration
EXAMPLES = 25  # per operation
KEY = "contract-fuzz-key"


@pytest.fixture
def api_schema(tmp_path, broker, redis_url):
    from service.app import create_app

    settings = settings_for(
        tmp_path / "data",
        f"sqlite:///{tmp_path / 'narrate.db'}",
        redis_url,
        api_tokens=(KEY,),
        limit_characters="1000000000000/hour",  # the fuzz is one client: limits are tested apart
    )
    app = create_app({"TESTING": True, "NARRATE_SETTINGS": settings})
    app.test_client().post(
        "/api/v1/articles",
        json={"title": "Fuzz", "text": "A paragraph to read."},
        headers={"Authorization": f"Bearer {KEY}"},
    )
    config = SchemathesisConfig.from_dict(
        {
            # text the service can be sent at all: UTF-8 (no lone surrogates), no NUL
            "generation": {"codec": "utf-8", "allow-x00": False},
            "headers": {"Authorization": f"Bearer {KEY}"},
        }
    )
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)


def test_every_answer_keeps_to_the_openapi_document(api_schema):
    findings: list[str] = []
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case) -> None:
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        try:
            check()
        except BaseException as failure:  # schemathesis groups what it found (an ExceptionGroup)
            findings.append(f"{operation.label}: {failure}")
    assert operations >= 20  # the document really was read
    assert not findings, "\n\n".join(findings)
