"""Scratch directories of the processes that own an engine, named after their owner's
pid so that what a killed owner left behind can be found and removed."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

WORKDIR_PREFIX = "narrate-synth-"  # then the owner's pid: narrate-synth-1234-k2j9x


def new_workdir() -> Path:
    """A fresh scratch directory of this process, after removing the orphans."""
    _remove_orphaned_workdirs()
    return Path(tempfile.mkdtemp(prefix=f"{WORKDIR_PREFIX}{os.getpid()}-"))


def _remove_orphaned_workdirs() -> None:
    """Scratch directories of processes killed outright (SIGKILL, OOM) cannot be removed
    by their owners; the next synthesiser to start on the machine removes them."""
    for workdir in Path(tempfile.gettempdir()).glob(f"{WORKDIR_PREFIX}*-*"):
        owner = workdir.name.removeprefix(WORKDIR_PREFIX).split("-", 1)[0]
        if owner.isdigit() and not process_alive(int(owner)):
            shutil.rmtree(workdir, ignore_errors=True)


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True
