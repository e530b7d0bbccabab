"""Where audio files live: a small interface, a local-directory implementation, and the
factory that picks the configured one (a directory, or an S3 bucket: `s3_storage.py`).

Keys are relative POSIX paths ("articles/ab12/3.mp3"). Writes are atomic: a reader
sees the old file or the new one, never half of one. Files are read as streams
(`open_reader` is seekable, so a Range is read from its start, never from byte 0), so
no caller holds a whole MP3 or clip in memory.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, BinaryIO, Protocol

from workers.pipeline.audio import atomic_output

if TYPE_CHECKING:
    from workers.settings import Settings


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


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        return self.root.joinpath(*checked_key(key).parts)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def stat(self, key: str) -> Stat | None:
        try:
            found = self.path(key).stat()
        except (FileNotFoundError, NotADirectoryError):
            return None
        modified = datetime.fromtimestamp(found.st_mtime, UTC)
        return Stat(found.st_size, modified, f"{found.st_mtime_ns:x}-{found.st_size:x}")

    def open_reader(self, key: str) -> BinaryIO:
        return self.path(key).open("rb")

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


def storage_for(settings: Settings) -> Storage:
    """The deployment's storage: NARRATE_STORAGE's bucket, else its directory, else
    DATA_DIR/audio."""
    if settings.s3_bucket:
        from workers.s3_storage import S3Storage

        return S3Storage(settings.s3_bucket, settings.s3_prefix, settings.s3_endpoint_url)
    return LocalStorage(settings.audio_dir)
