"""The structured article every pipeline step passes along."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Removed:
    """A line the cleaner dropped, and the name of the rule that dropped it."""

    text: str
    rule: str
    position: int | None = None  # how many kept paragraphs came before it (None: unknown)


@dataclass(frozen=True)
class Article:
    title: str
    paragraphs: list[str]  # what is read aloud; the title is the first one
    byline: str | None = None
    published: str | None = None  # ISO 8601 date or date-time, as precise as the source
    removed: list[Removed] = field(default_factory=list)
    # ISO 639-1 code, when it could be told (workers/pipeline/clean/language.py)
    language: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)
