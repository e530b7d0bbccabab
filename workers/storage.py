"""Where audio files live: a small interface, with a local-directory implementation.

Keys are relative POSIX paths ("articles/ab12/3.mp3"). Writes are atomic: a reader
sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Protocol

from workers.pipeline.audio import atomic_output


class Storage(Protocol):
    """What jobs and the API need of a place to keep files."""

    def path(self, key: str) -> Path: ...
    def exists(self, key: str) -> bool: ...
    def writer(self, key: str) -> AbstractContextManager[BinaryIO]: ...
    def write_bytes(self, key: str, data: bytes) -> None: ...
    def read_bytes(self, key: str) -> bytes: ...
    def delete_tree(self, prefix: str) -> None: ...


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        relative = PurePosixPath(key)
        if relative.is_absolute() or ".." in relative.parts:
            raise ValueError(f"storage key must be a relative path without '..': {key!r}")
        return self.root.joinpath(*relative.parts)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    @contextmanager
    def writer(self, key: str) -> Iterator[BinaryIO]:
        with atomic_output(self.path(key)) as handle:
            yield handle

    def write_bytes(self, key: str, data: bytes) -> None:
        with self.writer(key) as handle:
            handle.write(data)

    def read_bytes(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def delete_tree(self, prefix: str) -> None:
        target = self.path(prefix)
        if target.is_dir():
            shutil.rmtree(target, ignore_errors=True)
        else:
            target.unlink(missing_ok=True)
