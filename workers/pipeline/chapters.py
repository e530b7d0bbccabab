"""Podcast chapters from an article's paragraph timings: the headline opens the first
chapter, and each subheading opens the next. The Podcasting 2.0 JSON chapters format
(https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/examples/chapters/jsonChapters.md).

The cleaner keeps a subheading as a paragraph of its own and records no markup, so one
is told by its shape: a short line (at most HEADING_WORDS words) that does not end as a
sentence does, followed by more text.
"""

from __future__ import annotations

from typing import Any

CHAPTERS_VERSION = "1.2.0"
HEADING_WORDS = 12
_SENTENCE_ENDS = tuple(".!?…:;,\"'”’)]")


def is_heading(text: str) -> bool:
    words = text.split()
    return 0 < len(words) <= HEADING_WORDS and not text.rstrip().endswith(_SENTENCE_ENDS)


def chapters(timings: dict[str, Any], title: str, author: str | None = None) -> dict[str, Any]:
    """The chapters document of a timings map (workers.pipeline.audio.shape.timings_json):
    a chapter at 0 s named `title`, then one at each subheading's start."""
    paragraphs = timings.get("paragraphs", [])
    found: list[dict[str, Any]] = [{"startTime": 0, "title": title}]
    for n, paragraph in enumerate(paragraphs):
        later = n + 1 < len(paragraphs)
        if paragraph["index"] == 0 or not later or not is_heading(paragraph["text"]):
            continue
        found.append(
            {"startTime": round(paragraph["start_ms"] / 1000, 3), "title": paragraph["text"]}
        )
    document: dict[str, Any] = {"version": CHAPTERS_VERSION, "title": title}
    if author:
        document["author"] = author
    document["chapters"] = found
    return document
