"""Which core a pool process keeps to (workers.runtime.placement)."""

from __future__ import annotations

import pytest

from workers.config import Settings
from workers.runtime.placement import core_for


@pytest.mark.parametrize(
    ("processes", "allowed", "cores"),
    [
        (2, {0, 1}, [0, 1]),  # one process a core
        (4, {0, 1}, [0, 1, 0, 1]),  # two a core, evenly
        (2, {3, 5}, [3, 5]),  # the cores a CPU set allows, not 0 and 1
        (4, {2, 3, 6, 7}, [2, 3, 6, 7]),
    ],
)
def test_processes_that_fill_the_cores_evenly_each_keep_to_one(processes, allowed, cores):
    assert [core_for(i, processes, allowed) for i in range(processes)] == cores


@pytest.mark.parametrize(
    ("processes", "allowed"),
    [
        (1, {0, 1}),  # one process uses every core: its engine and encoders overlap
        (3, {0, 1}),  # uneven: one core would carry two processes, the other one
        (2, {0, 1, 2, 3}),  # fewer processes than cores
        (2, {0}),  # one core: nothing to choose
    ],
)
def test_other_pools_are_left_to_the_kernel(processes, allowed):
    assert all(core_for(i, processes, allowed) is None for i in range(processes))


def test_pinning_is_on_unless_turned_off():
    assert Settings.from_env({}).pin_processes is True
    assert Settings.from_env({"NARRATE_PIN_PROCESSES": "0"}).pin_processes is False
