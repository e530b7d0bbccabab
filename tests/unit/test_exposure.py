"""Where the service listens, as the check at every request knows it: what gunicorn
bound (recorded before its workers fork) unless NARRATE_LISTEN says."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from service import gunicorn_conf
from service.security import exposure
from workers.config import Settings


@pytest.fixture
def unrecorded():
    yield
    exposure.record_binding([])


def test_gunicorn_records_where_it_listens_for_every_request(
    tmp_path: Path, monkeypatch, unrecorded
):
    monkeypatch.setenv("NARRATE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("NARRATE_API_TOKENS", "t")  # protected: it may start anywhere
    monkeypatch.delenv("NARRATE_LISTEN", raising=False)
    server = SimpleNamespace(cfg=SimpleNamespace(address=[("0.0.0.0", 8000), "unix:/run/n.sock"]))
    gunicorn_conf.on_starting(server)
    settings = Settings.from_env()
    assert exposure.exposed_hosts(settings) == ["0.0.0.0"]
    assert exposure.exposed_hosts(settings.with_overrides(listen=("127.0.0.1",))) == []


def test_narrate_listen_names_the_addresses(tmp_path: Path, unrecorded):
    settings = Settings.from_env(
        {"NARRATE_DATA_DIR": str(tmp_path), "NARRATE_LISTEN": "::1,10.0.0.2"}
    )
    assert settings.listen == ("::1", "10.0.0.2")
    assert exposure.exposed_hosts(settings) == ["10.0.0.2"]
    assert exposure.exposed_hosts(settings.with_overrides(listen=())) == []  # nothing known
