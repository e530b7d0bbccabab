"""`narrate eval-clean DIR`: how exactly the cleaner keeps the article, on pages whose
article text is known, beside a peer extractor measured in the same run."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from workers.pipeline.clean.evaluation import (
    READERS,
    Report,
    Score,
    System,
    as_copied_system,
    evaluate,
    narrate_system,
    read_corpus,
    trafilatura_system,
)
from workers.pipeline.errors import InvalidInput

PEERS: dict[str, System] = {"trafilatura": trafilatura_system}


def add_eval_command(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser(
        "eval-clean",
        help="score the cleaner on a corpus of pages with known article text",
        description=(
            "Clean every page of DIR and print precision, recall and F1 over 4-word "
            "shingles against each page's reference, per page and overall."
        ),
    )
    command.add_argument("dir", help="corpus folder")
    command.add_argument(
        "--format",
        choices=sorted(READERS),
        help="readability: NAME/source.html + expected.html; trafilatura: *.html + "
        "evaldata.json; pairs: NAME.html|.txt + NAME.expected.txt (default: guessed)",
    )
    command.add_argument("--peer", choices=sorted(PEERS), help="also score this extractor")
    command.add_argument(
        "--as-text",
        action="store_true",
        help="clean each page as a reader copies its text from the browser, not its HTML",
    )
    command.add_argument("--worst", type=int, default=10, help="how many worst pages to list")
    command.add_argument("--quiet", action="store_true", help="no per-page lines")
    command.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    folder = Path(args.dir)
    if not folder.is_dir():
        raise InvalidInput(f"no such folder: {args.dir} (give a corpus folder)")
    pages = read_corpus(folder, args.format)
    if not pages:
        raise InvalidInput(
            f"no pages with a reference in {args.dir}: see --format for the layouts read"
        )
    systems: dict[str, System] = {"narrate": narrate_system(as_text=args.as_text)}
    if args.as_text:
        systems["as-copied"] = as_copied_system
    if args.peer:
        systems[args.peer] = PEERS[args.peer]
    report = evaluate(pages, systems)
    print_report(report, out, worst=args.worst, per_page=not args.quiet)
    return 1 if report.errors("narrate") else 0


def _figures(score: Score) -> str:
    return f"{score.precision:6.3f} {score.recall:6.3f} {score.f1:6.3f}"


def print_report(report: Report, out: TextIO, *, worst: int, per_page: bool) -> None:
    header = "".join(f" | {name:^20}" for name in report.systems)
    columns = "".join(" |      P      R     F1" for _ in report.systems)
    width = max(20, *(len(result.page) for result in report.pages))
    if per_page:
        print(f"{'page':<{width}}{header}", file=out)
        print(f"{'':<{width}}{columns}", file=out)
        for result in report.pages:
            cells = "".join(f" | {_figures(result.scores[s])}" for s in report.systems)
            print(f"{result.page:<{width}}{cells}", file=out)
        print(file=out)
    print(f"overall over {len(report.pages)} pages (shingle counts summed):", file=out)
    for system in report.systems:
        errors = len(report.errors(system))
        print(
            f"  {system:<12} P {report.overall(system).precision:.3f}"
            f"  R {report.overall(system).recall:.3f}  F1 {report.overall(system).f1:.3f}"
            f"  exceptions {errors}",
            file=out,
        )
    if worst > 0:
        print(f"worst {worst} pages for narrate (F1):", file=out)
        for result in report.worst("narrate", worst):
            score = result.scores["narrate"]
            print(f"  {score.f1:.3f}  {result.page}", file=out)
    for system in report.systems:
        for result in report.errors(system):
            print(f"exception ({system}) on {result.page}: {result.errors[system]}", file=out)
