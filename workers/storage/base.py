"""What every storage backend offers (`Storage`) and the rules of its keys.

Keys are relative POSIX paths ("articles/ab12/3.mp3"). Writes are atomic: a reader
sees the old file or the new one, never half of one. Files are read as streams
(`open_reader` is seekable, so a Range is read from its start, never from byte 0), so
no caller holds a whole MP3 or clip in memory.

A file whose name starts with a dot is a temporary: a local write's (".NAME.XXXX",
`atomic_output`) or the readiness probe's. No stored file is named so. What a killed
process leaves (such a file; on S3 an unfinished multipart upload) is removed by
`remove_temporaries`, which the recovery sweep calls on every folder in
`WRITTEN_FOLDERS` (workers.storage.segments.remove_strays).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import BinaryIO, Protocol

READ_BYTES = 1 << 16  # a stored file is streamed in pieces of this size
# Every top-level folder the service writes: segments (workers.storage.segments), an
# article's audio (workers.runtime.jobs), a collection's images (workers.catalog.images)
# and the readiness probe (service.availability).
WRITTEN_FOLDERS = ("segments", "articles", "collections", "probes")


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
    # (key, modified, aware UTC) of every file under the folder `prefix`, temporaries too
    def listing(self, prefix: str) -> Iterator[tuple[str, datetime]]: ...
    # Remove the temporaries under the folder `prefix` last written before `before`; how many
    def remove_temporaries(self, prefix: str, before: datetime) -> int: ...


def checked_key(key: str) -> PurePosixPath:
    relative = PurePosixPath(key)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise ValueError(f"storage key must be a relative path without '..': {key!r}")
    return relative


def is_temporary(key: str) -> bool:
    return PurePosixPath(key).name.startswith(".")


def read_in_chunks(storage: Storage, key: str, size: int = READ_BYTES) -> Iterator[bytes]:
    """The file at `key`, opened now (FileNotFoundError at once if it is absent) and read
    in pieces of `size` as the iterator is consumed; closed when it is used up or closed."""
    return _pieces(storage.open_reader(key), size)


def _pieces(reader: BinaryIO, size: int) -> Iterator[bytes]:
    with reader:
        while chunk := reader.read(size):
            yield chunk
