"""Random secrets kept in the data directory: readable by the owner only, never seen
half written, the same for every process that asks."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path


def secret_in(path: Path) -> bytes:
    """The secret in `path`, made on first use."""
    if not path.exists():
        _create(path)
    return path.read_text().strip().encode()


def _create(path: Path) -> None:
    """A 0600 temporary file, then a hard link to the name, which fails if another
    process made the secret first (theirs wins)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(descriptor, "w") as file:  # mkstemp creates it with mode 0600
            file.write(secrets.token_hex(32))
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
