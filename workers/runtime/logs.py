"""Log lines: plain text by default, or one JSON object per line with
NARRATE_LOG_FORMAT=json, carrying the job and article ids as fields.

Our messages name their job first ("job %s: ..."), so the formatter takes the id from
there unless the call gave `extra={"job_id": ..., "article_id": ...}`.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

TEXT_FORMAT = "%(asctime)s %(name)s %(message)s"
IDS = ("job_id", "article_id", "delivery_id", "batch_id")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in IDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if (
            "job_id" not in entry
            and isinstance(record.msg, str)
            and record.msg.startswith("job %s")
            and isinstance(record.args, tuple)
        ):
            entry["job_id"] = record.args[0]
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def formatter_for(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)


def configure_logging(log_format: str, root: logging.Logger | None = None) -> None:
    """INFO and up to stderr in the chosen format (handlers already there are reformatted)."""
    root = root or logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    for handler in root.handlers:
        handler.setFormatter(formatter_for(log_format))
    root.setLevel(min(root.level or logging.INFO, logging.INFO))
