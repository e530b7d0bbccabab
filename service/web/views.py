"""How an article is shown in JSON to a reader allowed to see it: its summary (lists,
answers to changes), its progress, and which revision's audio it serves."""

from __future__ import annotations

import re
import unicodedata

from service.links import links_of
from workers.catalog.models import ArticleRow, JobRow, JobStatus, RevisionRow

STATUSES = tuple(status.value for status in JobStatus)


def progress_of(job: JobRow) -> dict:
    """Paragraphs done of the job's; none are known while it is being cleaned."""
    if job.status == JobStatus.CLEANING:
        percent = 0
    else:
        percent = round(100 * job.done / job.total) if job.total else 100
    return {"done": job.done, "total": job.total, "percent": percent}


def summary(row: ArticleRow) -> dict:
    revision, job = row.current, row.current.job
    return {
        "id": row.id,
        "status": job.status,
        "title": revision.title,
        "revision": revision.number,
        "progress": progress_of(job),
        "duration_ms": revision.duration_ms,
        "visibility": row.visibility,
        "created_at": row.created_at.isoformat() + "Z",
        "updated_at": row.updated_at.isoformat() + "Z",
        "links": links_of(row),
    }


def newest_finished(row: ArticleRow) -> RevisionRow | None:
    """The revision whose audio the article serves: the newest with a finished job."""
    finished = [r for r in row.revisions if r.job is not None and r.job.status == "done"]
    return finished[-1] if finished else None


def download_name(title: str) -> str:
    """A file name from a title: ASCII letters and digits joined by hyphens."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_title).strip("-").lower()[:80]
    return slug or "article"
