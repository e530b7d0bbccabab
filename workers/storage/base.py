"""What every storage backend offers (`Storage`) and the rules of its keys.

Keys are relative POSIX paths ("articles/ab12/3.mp3"). Writes are atomic: a reader
sees the old file or the new one, never half of one. Files are read as streams
(`open_reader` is seekable, so a Range is read from its start, never from byte 0), so
no caller holds a whole MP3 or clip in memory.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import BinaryIO, Protocol


@dataclass(frozen=True)
class Stat:
    size: int
    modified: datetime  # aware, UTC
    etag: str  # changes whenever the content may have changed


class Storage(Protocol):
    """What jobs and the API need of a place to keep files."""

    def exists(self, key: str) -> bool: ...
    def stat(self, key: str) -> Stat | None: ...  # None: no such file
    def open_reader(self, key: str) -> BinaryIO: ...  # seekable; FileNotFoundError if absent
    def writer(self, key: str) -> AbstractContextManager[BinaryIO]: ...
    def write_bytes(self, key: str, data: bytes) -> None: ...
    def read_bytes(self, key: str) -> bytes: ...
    def delete_tree(self, prefix: str) -> None: ...


def checked_key(key: str) -> PurePosixPath:
    relative = PurePosixPath(key)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise ValueError(f"storage key must be a relative path without '..': {key!r}")
    return relative
