"""What became of each article, and the summary and exit status of the whole batch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from service.cli.batch.inputs import Item

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
REASON_WIDTH = 160


@dataclass(frozen=True)
class Outcome:
    item: Item
    ok: bool
    sha256: str | None = None
    reason: str = ""
    duration_ms: int | None = None
    elapsed_s: float = 0.0


def failure(item: Item, reason: str) -> Outcome:
    return Outcome(item, ok=False, reason=one_line(reason))


def one_line(text: str, width: int = REASON_WIDTH) -> str:
    text = " ".join(str(text).split()) or "unknown error"
    return text if len(text) <= width else text[: width - 1] + "…"


@dataclass
class Tally:
    converted: int = 0
    skipped: int = 0
    failures: list[Outcome] = field(default_factory=list)
    interrupted_by: int | None = None  # the signal number
    remaining: int = 0

    def add(self, outcome: Outcome) -> None:
        if outcome.ok:
            self.converted += 1
        else:
            self.failures.append(outcome)


def exit_status(tally: Tally) -> int:
    if tally.interrupted_by is not None:
        return 128 + tally.interrupted_by
    return EXIT_FAILED if tally.failures else EXIT_OK


def format_summary(tally: Tally) -> str:
    lines = []
    if tally.interrupted_by is not None:
        lines.append(
            f"interrupted: {tally.remaining} not converted; run the same command again "
            "to convert only those"
        )
    lines.append(
        f"converted {tally.converted}, skipped {tally.skipped} (already done), "
        f"failed {len(tally.failures)}"
    )
    if tally.failures:
        sources = [str(outcome.item.source) for outcome in tally.failures]
        width = max(len("FILE"), *map(len, sources))
        lines.append(f"{'FILE':<{width}}  REASON")
        lines.extend(
            f"{source:<{width}}  {one_line(outcome.reason)}"
            for source, outcome in zip(sources, tally.failures, strict=True)
        )
    return "\n".join(lines)


Report = Callable[[Outcome], None]
