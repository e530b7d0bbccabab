"""Which core a worker's pool process keeps to.

When a worker's pool processes fill the cores it may use evenly (2 processes on 2 cores,
4 on 2), each process is pinned to one core at its start, and its threads and its engine
process inherit that. Left to the kernel, a busy process's threads are woken where they
last ran and wait there for their turn while the other core idles: with 2 processes on
2 cores, 0.17 to 0.24 of the 2 cores idled unpinned and 0.08 to 0.10 pinned, and the
pair made 6 to 8 % more articles a minute (docs/internals/benchmarks.md, the eighth
session). A pinned process's Piper engine speaks one utterance at a time
(`engines.piper.utterances_at_once` counts the cores the process may use). A worker
with fewer processes than cores is left to the kernel: one process runs its engine, its
main thread and its encoder threads on every core.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Collection

log = logging.getLogger("narrate.worker")


def core_for(index: int, processes: int, allowed: Collection[int]) -> int | None:
    """The core pool process `index` of `processes` keeps to, given the cores the worker
    may use; None (every allowed core) unless the processes fill those cores evenly."""
    cores = sorted(allowed)
    if len(cores) < 2 or processes < len(cores) or processes % len(cores):
        return None
    return cores[index % len(cores)]


def pin_pool_process(index: int, processes: int, *, enabled: bool = True) -> int | None:
    """Pin the calling pool process (its main thread and whatever it starts later) to
    its core, if it has one and pinning is `enabled`; the core, or None. Either way the
    log says where it runs."""
    allowed = os.sched_getaffinity(0)
    core = core_for(index, processes, allowed) if enabled else None
    if core is None:
        log.info("pool process %d of %d runs on any of cores %s", index, processes, sorted(allowed))
        return None
    os.sched_setaffinity(0, {core})
    log.info("pool process %d of %d keeps to core %d", index, processes, core)
    return core
