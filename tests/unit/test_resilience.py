"""What counts as transient (retried) and how long a retry waits; settings are checked
once, with a one-line error naming the variable."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError
from kombu.exceptions import OperationalError as BrokerError
from sqlalchemy.exc import IntegrityError, OperationalError

from workers.config import ConfigurationError, Settings
from workers.pipeline.errors import EngineUnavailable, InvalidInput, SynthesisFailed
from workers.runtime.resilience import backoff_s, describe, unavailable


def _s3_error(code: str, status: int) -> ClientError:
    answer = {
        "Error": {"Code": code, "Message": code},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return ClientError(answer, "PutObject")


@pytest.mark.parametrize(
    ("error", "part"),
    [
        (OperationalError("SELECT 1", {}, Exception("connection refused")), "database"),
        (BrokerError("Error 111 connecting to 127.0.0.1:6379"), "broker"),
        (PermissionError(13, "Permission denied"), "storage"),
        (NotADirectoryError(20, "Not a directory"), "storage"),
        (SynthesisFailed("timed out"), "engine"),
        (EndpointConnectionError(endpoint_url="http://minio.internal:9000"), "storage"),
        (ReadTimeoutError(endpoint_url="http://minio.internal:9000"), "storage"),
        (_s3_error("SlowDown", 503), "storage"),
        (_s3_error("InternalError", 500), "storage"),
        (_s3_error("AccessDenied", 403), None),
        (_s3_error("NoSuchBucket", 404), None),
        (IntegrityError("INSERT", {}, Exception("duplicate key")), None),
        (EngineUnavailable("espeak-ng is missing"), None),
        (InvalidInput("unknown voice"), None),
        (ValueError("a bug"), None),
    ],
)
def test_what_is_transient(error, part):
    assert unavailable(error) == part


def test_a_failure_is_described_by_the_part_that_failed():
    error = OperationalError("SELECT 1", {}, Exception("connection refused\nat line 2"))
    assert describe(error).startswith("database unavailable: (builtins.Exception) connection")
    assert "\n" not in describe(error)


def test_backoff_doubles_with_jitter_and_is_capped():
    for retries in range(8):
        step = min(10.0, 2**retries)
        waits = [backoff_s(retries, cap_s=10.0) for _ in range(200)]
        assert all(step / 2 <= wait <= step for wait in waits)
        assert max(waits) - min(waits) > step / 10  # spread out, not in lock-step


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"NARRATE_STALL_S": "0"}, "NARRATE_STALL_S must be at least 1, got 0"),
        ({"NARRATE_RATE": "1000"}, "NARRATE_RATE must be at most 450, got 1000"),
        ({"NARRATE_RECOVERY_INTERVAL_S": "soon"}, "NARRATE_RECOVERY_INTERVAL_S must be a number"),
        ({"NARRATE_SYNTH_TIMEOUT_S": "nan"}, "NARRATE_SYNTH_TIMEOUT_S must be a finite number"),
        ({"NARRATE_JOB_ATTEMPTS": "2.5"}, "NARRATE_JOB_ATTEMPTS must be a whole number"),
    ],
)
def test_bad_settings_name_the_variable(env, message, tmp_path):
    with pytest.raises(ConfigurationError) as raised:
        Settings.from_env({"NARRATE_DATA_DIR": str(tmp_path), **env})
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


def test_recovery_settings_from_the_environment(tmp_path):
    settings = Settings.from_env(
        {"NARRATE_DATA_DIR": str(tmp_path), "NARRATE_STALL_S": "6", "NARRATE_JOB_ATTEMPTS": "9"}
    )
    assert (settings.stall_s, settings.job_attempts, settings.task_retries) == (6, 9, 20)
