"""The structured article every pipeline step passes along."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


class Continued(str):
    """A piece of a written paragraph after its first (a paragraph too long to be one
    task is read as several, workers/pipeline/speaking.py): it is read after a
    sentence's pause, not a paragraph's. Equal to the same text as a plain `str`; the
    catalog keeps the mark as a paragraph's `continues`."""

    __slots__ = ()


def marked(text: str, continues: bool) -> str:
    """`text` as a `Continued` piece when `continues`, else as it is."""
    return Continued(text) if continues else text


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
