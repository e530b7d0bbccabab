"""Webhook retries spread out, and the signing secret is never readable by others."""

from __future__ import annotations

import random
import stat
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from workers.config import Settings
from workers.delivery.webhooks import retry_delay, webhook_secret


def test_retry_delays_double_and_are_jittered():
    rng = random.Random(7)
    for retries in range(6):
        ceiling = 5 * 2**retries
        delays = [retry_delay(5, retries, rng) for _ in range(200)]
        assert all(ceiling / 2 <= delay <= ceiling for delay in delays)
        assert len({round(delay, 6) for delay in delays}) > 150  # not in step


def test_the_secret_file_is_private_and_the_same_for_every_process(tmp_path):
    settings = replace(Settings.from_env({"HOME": str(tmp_path)}), webhook_secret="")
    with ThreadPoolExecutor(8) as pool:
        secrets = set(pool.map(lambda _: webhook_secret(settings), range(32)))
    assert len(secrets) == 1
    secret = secrets.pop()
    assert len(secret) == 64
    path = settings.data_dir / "webhook-secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".webhook")] == []
