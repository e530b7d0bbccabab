"""A service under fire (tests/support/cluster.py): the session's cluster with its own
redis-server and the session's PostgreSQL behind a TCP proxy the tests can cut, two real
`narrate worker` processes, and the web app in this process. The workers run with the
default recovery settings (workers/config.py), so the times the suite reports are an
operator's; the outages are as long as an operator's too (20 s)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cluster import RESULTS, SCHEMA, Cluster
from tests.support.services import PostgresServer, RedisServer, reset_schema, schema_url
from tests.support.tcp_proxy import TcpProxy
from workers.config import Settings


@pytest.fixture(scope="session")
def cluster(request, postgres_server: PostgresServer) -> Iterator[Cluster]:
    # Not tmp_path_factory: pytest runs of other checkouts on the machine prune its folders.
    folder = Path(tempfile.mkdtemp(prefix="narrate-faults-"))
    reset_schema(postgres_server.url, SCHEMA)
    with RedisServer(folder) as redis, TcpProxy(postgres_server.socket_path) as proxy:
        settings = Settings(
            data_dir=folder / "data",
            database_url=schema_url(postgres_server.url, SCHEMA, port=proxy.port),
            redis_url=redis.url,
            webhook_secret="test-secret",
        )
        direct = schema_url(postgres_server.url, SCHEMA)
        cluster = Cluster(settings, direct, redis, proxy, folder)
        try:
            yield cluster
        finally:
            cluster.stop()
    reset_schema(postgres_server.url, SCHEMA, create=False)
    if not request.session.testsfailed:  # otherwise the logs are worth a look
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def web(cluster: Cluster):
    from service.app import create_app

    app = create_app({"TESTING": True, "NARRATE_SETTINGS": cluster.settings})
    return app.test_client()


def pytest_terminal_summary(terminalreporter) -> None:
    if not RESULTS:
        return
    columns = list(RESULTS[0])
    terminalreporter.section("fault suite")
    terminalreporter.write_line("| " + " | ".join(columns) + " |")
    terminalreporter.write_line("| " + " | ".join("---" for _ in columns) + " |")
    for row in RESULTS:
        terminalreporter.write_line("| " + " | ".join(str(row[c]) for c in columns) + " |")
