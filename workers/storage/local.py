"""Storage in a local directory (the default: DATA_DIR/audio, or NARRATE_STORAGE's path)."""

from __future__ import annotations

import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from workers.pipeline.audio.shape import atomic_output
from workers.storage.base import Stat, checked_key, is_temporary


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

    def listing(self, prefix: str) -> Iterator[tuple[str, datetime]]:
        """Every file under the folder `prefix`, a write's temporary (".NAME.XXXX") too."""
        for path in self.path(prefix).rglob("*"):
            try:
                found = path.stat()
            except OSError:  # deleted or renamed since the folder was read
                continue
            if stat.S_ISREG(found.st_mode):
                modified = datetime.fromtimestamp(found.st_mtime, UTC)
                yield path.relative_to(self.root).as_posix(), modified

    def remove_temporaries(self, prefix: str, before: datetime) -> int:
        """Delete the temporaries (".NAME.XXXX", left by a process killed mid-write)
        under `prefix` last written before `before`: a younger one may be a write in
        progress (its time moves with every write)."""
        removed = 0
        for key, modified in self.listing(prefix):
            if modified < before and is_temporary(key):
                self.path(key).unlink(missing_ok=True)
                removed += 1
        return removed

    def delete_tree(self, prefix: str) -> None:
        target = self.path(prefix)
        if target.is_dir():
            shutil.rmtree(target, ignore_errors=True)
        else:
            target.unlink(missing_ok=True)
