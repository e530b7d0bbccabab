"""Progress while a batch runs: a tqdm bar with an ETA on a terminal, otherwise one line
per finished article."""

from __future__ import annotations

from typing import Protocol, TextIO

from service.cli.batch.outcomes import Outcome, one_line


def describe(outcome: Outcome) -> str:
    if not outcome.ok:
        return f"FAILED {outcome.item.source}: {one_line(outcome.reason)}"
    audio = ""
    if outcome.duration_ms is not None:
        minutes, seconds = divmod(outcome.duration_ms / 1000, 60)
        audio = f", {int(minutes)}:{seconds:04.1f} of audio"
    return (
        f"converted {outcome.item.source} -> {outcome.item.name}.mp3"
        f" ({outcome.elapsed_s:.1f} s{audio})"
    )


class Progress(Protocol):
    def finished(self, outcome: Outcome) -> None: ...
    def close(self) -> None: ...


class LineProgress:
    """One line per finished item: for logs and pipes."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total, self.done, self.stream = total, 0, stream

    def finished(self, outcome: Outcome) -> None:
        self.done += 1
        print(f"[{self.done}/{self.total}] {describe(outcome)}", file=self.stream, flush=True)

    def close(self) -> None:
        pass


class BarProgress:
    """A tqdm bar with an ETA; failures are printed above it."""

    def __init__(self, total: int, stream: TextIO) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=total, file=stream, unit="article", dynamic_ncols=True)
        self.failed = 0

    def finished(self, outcome: Outcome) -> None:
        if not outcome.ok:
            self.failed += 1
            self.bar.write(describe(outcome), file=self.bar.fp)
            self.bar.set_postfix(failed=self.failed, refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


def make_progress(total: int, stream: TextIO) -> Progress:
    if total and stream.isatty():
        return BarProgress(total, stream)
    return LineProgress(total, stream)
