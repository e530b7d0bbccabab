"""NARRATE_LOG_FORMAT=json: one JSON object per line with the job id as a field."""

from __future__ import annotations

import io
import json
import logging

import pytest

from workers.config import ConfigurationError, Settings
from workers.runtime.logs import configure_logging


def lines_logged(log_format: str, emit) -> list[str]:
    stream = io.StringIO()
    root = logging.Logger("test-root")
    root.addHandler(logging.StreamHandler(stream))
    configure_logging(log_format, root)
    emit(root)
    return stream.getvalue().splitlines()


def test_json_lines_carry_the_job_and_article_ids():
    def emit(log):
        log.info("job %s: done, %d ms of audio", 42, 1200)
        log.warning("webhook sent", extra={"article_id": "abc", "delivery_id": "d1"})
        try:
            raise OSError("disk full")
        except OSError:
            log.exception("job %s: failed", 7)

    first, second, third = (json.loads(line) for line in lines_logged("json", emit)[:3])
    assert first["message"] == "job 42: done, 1200 ms of audio"
    assert (first["job_id"], first["level"]) == (42, "info")
    assert (second["article_id"], second["delivery_id"]) == ("abc", "d1")
    assert "job_id" not in second
    assert third["job_id"] == 7 and "OSError: disk full" in third["exception"]


def test_text_is_the_default():
    (line,) = lines_logged("text", lambda log: log.info("job %s: started", 3))
    assert line.endswith("test-root job 3: started")
    assert Settings.from_env({"HOME": "/tmp"}).log_format == "text"


def test_an_unknown_format_is_named():
    with pytest.raises(ConfigurationError, match="NARRATE_LOG_FORMAT must be one of text, json"):
        Settings.from_env({"HOME": "/tmp", "NARRATE_LOG_FORMAT": "xml"})
