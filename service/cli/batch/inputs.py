"""The articles a batch converts: files given, or found in folders, and their output names."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from service.cli.usage import UsageError

CONTENT_TYPES = {".txt": "text/plain", ".html": "text/html", ".htm": "text/html"}


@dataclass(frozen=True)
class Item:
    source: Path  # as given or found, for messages
    name: str  # output stem inside OUT


def output_name(path: Path, root: Path | None) -> str:
    """<name> for a file: relative to `root` (a directory given), separators -> "__"."""
    relative = path.relative_to(root) if root is not None else Path(path.name)
    return "__".join(relative.with_suffix("").parts)


def _walk(root: Path) -> Iterator[Path]:
    """Article files under `root`, recursively, sorted; hidden files and folders skipped."""
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and Path(name).suffix.lower() in CONTENT_TYPES:
                yield Path(folder) / name


def discover(paths: Sequence[Path]) -> list[Item]:
    """Every article file in `paths`, in argument order then sorted, each file once."""
    items: list[Item] = []
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found = [(file, output_name(file, path)) for file in _walk(path)]
        elif path.is_file():
            if path.suffix.lower() not in CONTENT_TYPES:
                raise UsageError(f"{path} is not a .txt, .html or .htm article")
            found = [(path, output_name(path, None))]
        else:
            raise UsageError(f"no such file or directory: {path}")
        for file, name in found:
            if file.resolve() not in seen:
                seen.add(file.resolve())
                items.append(Item(file, name))
    if not items:
        raise UsageError(f"no .txt, .html or .htm articles found in {', '.join(map(str, paths))}")
    return items
