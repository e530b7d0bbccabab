"""`narrate batch`: its arguments, and the run that ties inputs, resume state, a runner
and the summary together."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TextIO

from service.cli.batch.inputs import Item, discover
from service.cli.batch.outcomes import (
    EXIT_USAGE,
    Outcome,
    Report,
    Tally,
    exit_status,
    format_summary,
)
from service.cli.usage import UsageError, positive_int

if TYPE_CHECKING:
    from service.cli.batch.state import Options

# The runners, the resume state and the progress display are imported by the run only:
# every command builds this command's parser, and `narrate convert` should not load them.

TOKEN_ENV = "NARRATE_API_TOKEN"


class Runner(Protocol):
    def run(self, todo: Sequence[Item], report: Report) -> None: ...


class _Interrupted(KeyboardInterrupt):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class _Stoppable:
    """While active, Ctrl-C and `kill PID` both raise `_Interrupted` in the main thread,
    except inside `deferred()`, which finishes its block first. Python runs signal
    handlers only in the main thread, so a flag is enough to hold one back."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self._holding = False
        self._pending: int | None = None

    def _handle(self, signum: int, _frame: object) -> None:
        if self._holding:
            self._pending = self._pending or signum
        else:
            raise _Interrupted(signum)

    @contextmanager
    def active(self) -> Iterator[None]:
        previous = {signum: signal.signal(signum, self._handle) for signum in self.SIGNALS}
        try:
            yield
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    @contextmanager
    def deferred(self) -> Iterator[None]:
        self._holding = True
        try:
            yield
        finally:
            self._holding = False
        if self._pending is not None:
            raise _Interrupted(self._pending)


def prepare_out_dir(out: Path) -> Path:
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file; give a directory for the MP3s")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create --out {out}: {exc.strerror or exc}") from None
    return out.resolve()


def resolve_options(args: argparse.Namespace) -> Options:
    from service.cli.batch.state import Options

    if args.token and not args.server:
        raise UsageError("--token is for --server: converting in-process needs no token")
    if args.server:
        if args.bitrate is not None:
            raise UsageError("--bitrate cannot be used with --server: the server's setting applies")
        return Options(args.voice, args.rate, None)
    from workers.config import Settings
    from workers.pipeline.engines.synth import DEFAULT_RATE, DEFAULT_VOICE
    from workers.pipeline.engines.voices import PIPER, find_piper_voice, parse_voice
    from workers.pipeline.errors import InvalidInput

    voice = args.voice or DEFAULT_VOICE
    try:  # a wrong name fails here, not in every engine process
        engine, ident = parse_voice(voice)
        if engine == PIPER:
            find_piper_voice(ident, Settings.from_env().piper_voice_dirs)
    except InvalidInput as exc:
        raise UsageError(str(exc)) from None
    return Options(voice, args.rate or DEFAULT_RATE, args.bitrate or 64)


def default_jobs() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def run_batch(
    args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """The `batch` command; its exit status (usage errors are reported here, as 2)."""
    from service.cli.batch.local import LocalRunner
    from service.cli.batch.progress import make_progress
    from service.cli.batch.remote import ServerRunner, check_server_url
    from service.cli.batch.state import BatchState, plan, remove_stale_temporaries

    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    try:
        options = resolve_options(args)
        base_url = check_server_url(args.server) if args.server else None
        items = discover([Path(p) for p in args.paths])
        out_dir = prepare_out_dir(Path(args.out))
    except UsageError as exc:  # reported here, as 2
        print(f"narrate: error: {exc}", file=stderr)
        return EXIT_USAGE
    jobs = args.jobs or default_jobs()
    state = BatchState.load(out_dir, warn=stderr)
    work = plan(items, state, options)
    tally = Tally(skipped=len(work.skipped), remaining=len(work.todo))
    if work.skipped:
        print(f"skipping {len(work.skipped)} already converted (see {state.path})", file=stderr)
    runner: Runner = (
        ServerRunner(base_url, out_dir, options, jobs, args.token or os.environ.get(TOKEN_ENV))
        if base_url
        else LocalRunner(out_dir, options, jobs)
    )
    progress = make_progress(len(work.todo) + len(work.failed), stderr)

    todo = set(work.todo)
    stoppable = _Stoppable()

    def report(outcome: Outcome) -> None:
        with stoppable.deferred():  # the state file and the tally agree, whenever Ctrl-C comes
            if outcome.ok and outcome.sha256:
                state.record(outcome.item, outcome.sha256, options)
            if outcome.item in todo:
                tally.remaining -= 1
            tally.add(outcome)
        progress.finished(outcome)

    try:
        with stoppable.active():
            for outcome in work.failed:
                report(outcome)
            for item in work.todo:
                remove_stale_temporaries(out_dir, item.name)
            runner.run(work.todo, report)
    except KeyboardInterrupt as exc:  # _Interrupted, or a Ctrl-C before the handlers were set
        tally.interrupted_by = exc.signum if isinstance(exc, _Interrupted) else signal.SIGINT
    finally:
        progress.close()
    print(format_summary(tally), file=stdout, flush=True)
    return exit_status(tally)


def add_batch_command(commands: argparse._SubParsersAction) -> None:
    from workers.config import MAX_RATE, MIN_RATE

    batch = commands.add_parser(
        "batch",
        help="convert many articles (files or folders) to MP3s, in parallel and resumably",
        description="Convert .txt/.html/.htm articles to OUT/<name>.mp3 with .timings.json "
        "and .vtt. A rerun skips what is already converted.",
    )
    batch.add_argument("paths", nargs="+", metavar="PATH", help="article files or folders")
    batch.add_argument("--out", required=True, metavar="DIR", help="where the MP3s go")
    batch.add_argument(
        "--jobs", type=positive_int(1, 64), help="parallel conversions (default: CPU count)"
    )
    batch.add_argument("--server", metavar="URL", help="convert with this Narrate server")
    batch.add_argument(
        "--token", help=f"the server's API token, if it asks for one (default: ${TOKEN_ENV})"
    )
    batch.add_argument("--voice", help="espeak:<id>, piper:<name> or piper:PATH.onnx")
    batch.add_argument("--rate", type=positive_int(MIN_RATE, MAX_RATE), help="words per minute")
    batch.add_argument("--bitrate", type=positive_int(8, 160), help="MP3 bitrate in kb/s")
    batch.set_defaults(run=run_batch)
