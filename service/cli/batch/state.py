"""Resume: what is already converted (OUT/.narrate-batch.json), and what is left to do."""

from __future__ import annotations

import glob
import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from service.cli.batch.inputs import Item
from service.cli.batch.outcomes import Outcome, failure
from workers.pipeline.audio.shape import atomic_output

STATE_FILE = ".narrate-batch.json"
STATE_VERSION = 1
OUTPUT_SUFFIXES = (".mp3", ".timings.json", ".vtt")


@dataclass(frozen=True)
class Options:
    """What an MP3 was made with. None: the server's default (with --server)."""

    voice: str | None
    rate: int | None
    bitrate: int | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def outputs_of(out_dir: Path, name: str) -> list[Path]:
    return [out_dir / f"{name}{suffix}" for suffix in OUTPUT_SUFFIXES]


class BatchState:
    """OUT/.narrate-batch.json: {"version", "items": {name: {source, sha256, options, at}}}."""

    def __init__(self, out_dir: Path, items: dict[str, dict[str, Any]] | None = None) -> None:
        self.out_dir = out_dir
        self.path = out_dir / STATE_FILE
        self.items = items or {}

    @classmethod
    def load(cls, out_dir: Path, warn: TextIO | None = None) -> BatchState:
        """The saved state; an empty one (with a warning) if it is missing or unreadable.
        A partial save left by a run killed mid-write (SIGKILL) is removed."""
        path = out_dir / STATE_FILE
        for partial in out_dir.glob(f".{STATE_FILE}.*"):
            partial.unlink(missing_ok=True)
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            items = document["items"]
            if document.get("version") != STATE_VERSION or not isinstance(items, dict):
                raise ValueError(f"unsupported state version {document.get('version')!r}")
        except FileNotFoundError:
            return cls(out_dir)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            if warn is not None:
                print(f"narrate: ignoring {path} ({exc}); converting everything", file=warn)
            return cls(out_dir)
        return cls(out_dir, items)

    def is_done(self, item: Item, sha256: str, options: Options) -> bool:
        entry = self.items.get(item.name)
        return (
            isinstance(entry, dict)
            and entry.get("sha256") == sha256
            and entry.get("options") == options.as_dict()
            and all(path.is_file() for path in outputs_of(self.out_dir, item.name))
        )

    def record(self, item: Item, sha256: str, options: Options) -> None:
        """Note one success and save at once, atomically."""
        self.items[item.name] = {
            "source": str(item.source),
            "sha256": sha256,
            "options": options.as_dict(),
            "converted_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        document = {"version": STATE_VERSION, "items": self.items}
        with atomic_output(self.path, "w") as handle:
            json.dump(document, handle, indent=1, sort_keys=True)


def split_collisions(items: Sequence[Item]) -> tuple[list[Item], list[Outcome]]:
    """Items whose output name is already taken (a.txt beside a.html, say) fail alone."""
    owners: dict[str, Item] = {}
    unique: list[Item] = []
    clashes: list[Outcome] = []
    for item in items:
        owner = owners.setdefault(item.name, item)
        if owner is item:
            unique.append(item)
        else:
            clashes.append(
                failure(item, f"output name {item.name!r} is already used by {owner.source}")
            )
    return unique, clashes


@dataclass
class Plan:
    todo: list[Item] = field(default_factory=list)
    skipped: list[Item] = field(default_factory=list)
    failed: list[Outcome] = field(default_factory=list)


def plan(items: Sequence[Item], state: BatchState, options: Options) -> Plan:
    """Sort items into to-do, already done (same bytes, same options, outputs there), failed."""
    unique, clashes = split_collisions(items)
    result = Plan(failed=clashes)
    for item in unique:
        try:
            digest = sha256_bytes(item.source.read_bytes())
        except OSError as exc:
            result.failed.append(failure(item, f"cannot read the file: {exc.strerror or exc}"))
            continue
        target = result.skipped if state.is_done(item, digest, options) else result.todo
        target.append(item)
    return result


def remove_stale_temporaries(out_dir: Path, name: str) -> None:
    """Temporary files `atomic_output` left when a previous run was killed mid-write."""
    for output in outputs_of(out_dir, name):
        for stale in glob.glob(glob.escape(str(output.parent / f".{output.name}.")) + "*"):
            Path(stale).unlink(missing_ok=True)
