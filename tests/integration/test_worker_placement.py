"""A real `celery worker` whose pool fills its cores pins each pool process to one."""

from __future__ import annotations

import os
from contextlib import contextmanager

import pytest

from tests.support.harness import children, run_worker
from tests.support.waits import wait_until

pytestmark = pytest.mark.integration

CORES = set(sorted(os.sched_getaffinity(0))[:2])
two_cores = pytest.mark.skipif(len(CORES) < 2, reason="needs 2 cores to choose between")


@contextmanager
def pool_of_two(settings, tmp_path, extra_env=None):
    """A worker of 2 pool processes on 2 cores, once both processes have started: the
    worker, and its pool processes' CPU sets."""
    with contextmanager(run_worker)(
        settings, tmp_path, concurrency=2, cores=CORES, extra_env=extra_env
    ) as worker:
        log = tmp_path / "worker.log"
        wait_until(
            lambda: log.read_text().count("pool process ") >= 2, 20, "2 pool processes placed"
        )
        yield (
            worker,
            sorted((os.sched_getaffinity(pid) for pid in children(worker.pid)), key=sorted),
        )


@two_cores
def test_two_processes_on_two_cores_each_keep_to_one(settings, tmp_path):
    with pool_of_two(settings, tmp_path) as (worker, pool):
        first, second = sorted(CORES)
        assert pool == [{first}, {second}]
        assert os.sched_getaffinity(worker.pid) == CORES  # the parent stays free


@two_cores
def test_an_operator_can_leave_them_to_the_kernel(settings, tmp_path):
    with pool_of_two(settings, tmp_path, {"NARRATE_PIN_PROCESSES": "0"}) as (_, pool):
        assert pool == [CORES, CORES]
