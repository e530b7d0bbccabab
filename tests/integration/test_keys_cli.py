"""`narrate keys` against a real catalog, and the refusal to serve an open service on a
public address."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from service.security.exposure import is_loopback, refusal
from tests.support.harness import environment_for

pytestmark = pytest.mark.integration
NARRATE = str(Path(sys.executable).parent / "narrate")  # the console script


def narrate(settings, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [NARRATE, *args],
        env={**environment_for(settings), "PYTHONWARNINGS": "ignore"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_keys_are_made_listed_and_revoked_from_the_command_line(settings, app):
    made = narrate(
        settings, "keys", "create", "--name", "cms", "--scope", "write", "--collection", "news"
    )
    assert made.returncode == 0, made.stderr
    key = made.stdout.splitlines()[-1]  # on its own line, to copy
    assert key.startswith("nk_")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    body = {"title": "T", "text": "Body text.", "collection": "news"}
    assert client.post("/api/v1/articles", json=body, headers=headers).status_code == 202
    listed = narrate(settings, "keys", "list")
    key_id = key.split("_")[1]
    assert key_id in listed.stdout and "cms" in listed.stdout and "news" in listed.stdout
    assert key.split("_", 2)[2] not in listed.stdout
    assert narrate(settings, "keys", "revoke", key_id).returncode == 0
    assert client.post("/api/v1/articles", json=body, headers=headers).status_code == 401
    again = narrate(settings, "keys", "revoke", key_id)
    assert again.returncode == 2 and "narrate keys list" in again.stderr
    wrong = narrate(settings, "keys", "create", "--name", "x", "--scope", "root")
    assert wrong.returncode == 2


def test_a_key_gets_its_own_submission_limit_from_the_command_line(settings, app):
    args = ("keys", "create", "--name", "feed", "--scope", "write", "--limit")
    bad = narrate(settings, *args, "lots/fortnight")
    assert bad.returncode == 2
    assert "Flask-Limiter's notation" in bad.stderr and "600/minute;10000/hour" in bad.stderr
    made = narrate(settings, *args, "600/minute;10000/hour")
    assert made.returncode == 0, made.stderr
    assert "limit 600/minute;10000/hour" in made.stdout
    headers = {"Authorization": f"Bearer {made.stdout.splitlines()[-1]}"}
    body = {"title": "T", "text": "Body text."}
    submitted = app.test_client().post("/api/v1/articles", json=body, headers=headers)
    assert submitted.status_code == 202 and submitted.headers["RateLimit-Limit"] == "600"
    assert "600/minute;10000" in narrate(settings, "keys", "list").stdout


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.5", False),
        ("news.example", False),
    ],
)
def test_what_counts_as_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_an_open_service_may_listen_only_on_loopback(settings, app):
    assert refusal(settings, ["127.0.0.1"]) is None
    assert "narrate keys create" in refusal(settings, ["0.0.0.0"])
    assert refusal(settings.with_overrides(api_tokens=("t",)), ["0.0.0.0"]) is None
    made = narrate(settings, "keys", "create", "--name", "ops", "--scope", "admin")
    assert made.returncode == 0
    assert refusal(settings, ["0.0.0.0"]) is None


def test_narrate_serve_refuses_a_public_address_without_a_key(settings):
    served = subprocess.run(
        [NARRATE, "serve", "--host", "0.0.0.0", "--port", "1"],
        env={**environment_for(settings), **{k: v for k, v in os.environ.items() if k == "PATH"}},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert served.returncode == 1
    assert "refusing to listen on 0.0.0.0" in served.stderr
