"""Settings for a service under test: its catalog, data folder and the session's Redis
under this run's key prefix, without rate limits unless a test sets them."""

from __future__ import annotations

from pathlib import Path

from tests.support.services import BROKER_PREFIX
from workers.config import Settings

# Tests poll as fast as they like from one address; the limits are tested on their own
# (test_rate_limits.py sets them).
UNLIMITED = {"limit_reads": "1000000/minute", "limit_submissions": "1000000/minute"}


def settings_for(data_dir: Path, database_url: str, redis_url: str, **overrides) -> Settings:
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        redis_url=redis_url,
        **{"broker_prefix": BROKER_PREFIX, **UNLIMITED, **overrides},
    )
