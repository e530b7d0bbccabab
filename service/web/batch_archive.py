"""A batch's archive: every finished MP3 with its timings, and manifest.csv, streamed as
one zip as it is written."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.web.context import storage
from service.web.views import download_name
from workers.catalog.batches import items_page
from workers.catalog.models import BatchItemRow, BatchRow, RevisionRow
from workers.runtime.jobs import audio_key
from workers.storage.base import read_in_chunks


def archive_rows(session: Session, batch: BatchRow) -> list[dict]:
    """One manifest row per item, in order; `_keys` names a finished item's two files."""
    revisions = {
        revision.id: revision
        for revision in session.scalars(
            select(RevisionRow)
            .join(BatchItemRow, BatchItemRow.revision_id == RevisionRow.id)
            .where(BatchItemRow.batch_id == batch.id)
        )
    }
    rows = []
    for item, status, error in items_page(session, batch.id, offset=0, limit=None):
        revision = revisions.get(item.revision_id) if item.revision_id else None
        title = revision.title if revision else item.name
        stem = f"{item.position + 1:04d}-{download_name(title)}"
        done = status == "done" and revision is not None and item.article_id is not None
        rows.append(
            {
                "position": item.position + 1,
                "name": item.name,
                "article_id": item.article_id or "",
                "status": status,
                "title": revision.title if revision else "",
                "duration_ms": revision.duration_ms if done and revision else "",
                "mp3": f"{stem}.mp3" if done else "",
                "timings": f"{stem}.timings.json" if done else "",
                "error": error or "",
                "_keys": (
                    audio_key(item.article_id, revision.number, ".mp3"),
                    audio_key(item.article_id, revision.number, ".json"),
                )
                if done and revision and item.article_id
                else None,
            }
        )
    return rows


class _Sink(io.RawIOBase):
    """A write-only stream whose bytes are handed on as they come (zipfile needs no seek)."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        data, self.chunks = b"".join(self.chunks), []
        return data


def zip_stream(rows: list[dict], stamp: tuple) -> Iterator[bytes]:
    sink = _Sink()
    store = storage()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for row in rows:
            if row["_keys"] is None:
                continue
            for key, name in zip(row["_keys"], (row["mp3"], row["timings"]), strict=True):
                info = zipfile.ZipInfo(name, date_time=stamp)
                chunks = read_in_chunks(store, key, 256 * 1024)
                with archive.open(info, "w") as target:
                    for chunk in chunks:
                        target.write(chunk)
                        yield sink.drain()
        manifest = io.StringIO()
        fields = [f for f in rows[0] if not f.startswith("_")] if rows else []
        writer = csv.DictWriter(manifest, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        archive.writestr(
            zipfile.ZipInfo("manifest.csv", date_time=stamp), manifest.getvalue().encode()
        )
    yield sink.drain()
