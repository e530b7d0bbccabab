"""The `narrate` command line: clean an article, or convert it to an MP3."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TextIO

from service.cli.usage import UsageError, positive_int
from workers.pipeline.errors import NarrateError

EXIT_ERROR = 1
EXIT_USAGE = 2


def _read_input(source: str) -> tuple[str, str | None]:
    """The article's text and, for a file, its name (for format detection)."""
    if source == "-":
        return sys.stdin.read(), None
    path = Path(source)
    if not path.is_file():
        raise UsageError(f"no such file: {source} (give a .txt or .html article, or - for stdin)")
    try:
        return path.read_text(encoding="utf-8-sig"), path.name
    except UnicodeDecodeError as exc:
        raise UsageError(f"{source} is not UTF-8 text ({exc.reason}); save it as UTF-8") from exc


def _clean(args: argparse.Namespace) -> None:
    from workers.pipeline.clean.cleaner import clean, detect_format
    from workers.pipeline.clean.language import with_language

    raw, filename = _read_input(args.file)
    article = clean(raw, filename=filename)
    if args.json or args.spoken:  # the language decides how the text is spoken
        article = with_language(article, raw, html=detect_format(raw, filename) == "html")
    if args.json:
        report = article.to_dict()
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return
    if args.spoken:
        from workers.config import Settings
        from workers.pipeline.speaking import speak, style_for

        settings = Settings.from_env()
        style = style_for(settings.voice, args.style, None, settings.style)
        spoken = speak(article, settings.voice, settings.lexicon_path, None, style=style)
        paragraphs = [said for _, said in spoken.paragraphs]
    elif args.style:
        raise UsageError("--style says how the text is spoken: use it with --spoken")
    else:
        paragraphs = article.paragraphs
    print("\n\n".join(paragraphs))


def _deployment_lexicon(collection: str | None = None):
    """The lexicon the service uses (NARRATE_LEXICON, or lexicon.tsv in the data
    directory): its deployment-wide entries and, given a collection, that one's."""
    from workers.config import Settings
    from workers.pipeline.speaking import lexicon_for

    return lexicon_for(Settings.from_env().lexicon_path, collection)


def _lexicon(args: argparse.Namespace) -> None:
    """List, add or remove entries of the lexicon file the service uses."""
    from workers.config import Settings
    from workers.pipeline.speech.lexicon import (
        EVERY_COLLECTION,
        Entry,
        Lexicon,
        checked,
        load,
        save,
    )

    path = Settings.from_env().lexicon_path
    lexicon = load(path)
    collection = args.collection or EVERY_COLLECTION
    if args.action in ("add", "remove"):
        if not args.word or (args.action == "add" and not args.say):
            raise UsageError(
                f"narrate lexicon {args.action} needs WORD"
                + (" SAY" if args.action == "add" else "")
            )
        kept = [
            e
            for e in lexicon.entries
            if not (e.collection == collection and e.word.lower() == args.word.lower())
        ]
        if args.action == "remove" and len(kept) == len(lexicon.entries):
            raise UsageError(f"{args.word!r} is not in the lexicon for collection {collection!r}")
        if args.action == "add":
            kept.append(checked(Entry(args.word, args.say, args.exact, collection)))
        lexicon = Lexicon(kept)
        save(path, lexicon)
    for entry in lexicon.entries:
        case = "exact" if entry.case_sensitive else "any"
        print(f"{entry.word}\t{entry.say}\t{case}\t{entry.collection}")
    print(f"{len(lexicon)} entries in {path}", file=sys.stderr)


def _check(args: argparse.Namespace) -> int:
    from workers.config import Settings
    from workers.pipeline.clean.cleaner import clean
    from workers.pipeline.speaking import style_for
    from workers.pipeline.speech.check import check, describe

    raw, filename = _read_input(args.file)
    article = clean(raw, filename=filename)
    settings = Settings.from_env()
    style = style_for(settings.voice, args.style, None, settings.style)
    risks = check(article.paragraphs, _deployment_lexicon(args.collection), style)
    if args.json:
        body = {"paragraphs": len(article.paragraphs), "count": len(risks)}
        print(json.dumps({**body, "risks": [r.as_json() for r in risks]}, ensure_ascii=False))
    else:
        for risk in risks:
            print(describe(risk))
        print(f"{len(risks)} risky tokens in {len(article.paragraphs)} paragraphs")
    return EXIT_ERROR if args.strict and risks else 0


class ProgressBar:
    """A one-line bar on a terminal; silent when stderr is not one."""

    def __init__(self, stream: TextIO = sys.stderr, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self.enabled = stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        filled = self.width * done // total
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {done}/{total} paragraphs")
        if done == total:
            self.stream.write("\n")
        self.stream.flush()


def _convert(args: argparse.Namespace) -> None:
    from workers.config import Settings
    from workers.pipeline.engines.factory import synthesizer_for_voice

    started = time.monotonic()
    settings = Settings.from_env()
    raw, filename = _read_input(args.file)
    out = Path(args.output)
    if out.suffix.lower() != ".mp3":
        raise UsageError(f"the output must be an .mp3 file name, got {args.output}")
    synthesizer = synthesizer_for_voice(
        args.voice, args.rate, piper_voice_dirs=settings.piper_voice_dirs
    )
    try:  # the engine's child process starts (a Piper voice loads) while the rest is
        synthesizer.start()  # imported and the text cleaned
        from workers.pipeline.clean.cleaner import clean
        from workers.pipeline.convert import Outputs, convert_article
        from workers.pipeline.speaking import speak, style_for

        article = clean(raw, filename=filename)
        result = convert_article(
            article,
            Outputs.beside(out),
            synthesizer,
            bitrate_kbps=args.bitrate,
            on_progress=ProgressBar(),
            spoken=speak(
                article,
                args.voice,
                settings.lexicon_path,
                None,
                style=style_for(args.voice, args.style, None, settings.style),
            ).paragraphs,
        )
    finally:
        synthesizer.close()
    minutes, seconds = divmod(result.duration_ms / 1000, 60)
    print(
        f"wrote {out} ({result.paragraphs} paragraphs, {int(minutes)}:{seconds:04.1f} of audio)"
        f" with {out.with_suffix('.timings.json').name} and {out.with_suffix('.vtt').name}"
        f" in {time.monotonic() - started:.2f} s"
    )


def _serve(args: argparse.Namespace) -> int:
    from service.cli.serve import serve
    from workers.config import Settings

    return serve(Settings.from_env(), args.host, args.port, args.workers)


def _worker(args: argparse.Namespace) -> None:
    import os

    from service.cli.serve import worker_command
    from workers.config import Settings

    settings = Settings.from_env()
    os.environ.setdefault("REDIS_URL", settings.broker_url)
    command = worker_command(args.concurrency)
    os.execv(command[0], command)


def _add_style_option(command: argparse.ArgumentParser, prefix: str = "") -> None:
    from workers.pipeline.speech.style import STYLES

    command.add_argument(
        "--style",
        type=_style_argument,
        help=f"{prefix}the house style ({', '.join(STYLES)}) numbers, dates and money are read "
        "in; default: the voice's locale, else NARRATE_STYLE, else en-GB",
    )


def _style_argument(value: str) -> str:
    from workers.pipeline.speech.style import checked_style

    try:
        return checked_style(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def build_parser() -> argparse.ArgumentParser:
    from workers.config import MAX_RATE, MIN_RATE
    from workers.pipeline.engines.synth import DEFAULT_RATE, DEFAULT_VOICE

    parser = argparse.ArgumentParser(
        prog="narrate", description="Turn news articles into listenable MP3s."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    clean_cmd = commands.add_parser("clean", help="print the paragraphs that would be read")
    clean_cmd.add_argument("file", help="article as .txt or .html, or - for stdin")
    shape = clean_cmd.add_mutually_exclusive_group()
    shape.add_argument("--spoken", action="store_true", help="print the text sent to the engine")
    shape.add_argument("--json", action="store_true", help="print metadata and removed lines")
    _add_style_option(clean_cmd, "with --spoken: ")
    clean_cmd.set_defaults(run=_clean)

    check_cmd = commands.add_parser(
        "check", help="list the words and symbols the engine may say wrongly, before any audio"
    )
    check_cmd.add_argument("file", help="article as .txt or .html, or - for stdin")
    check_cmd.add_argument("--strict", action="store_true", help="exit 1 if anything is risky")
    check_cmd.add_argument("--json", action="store_true", help="print the risks as JSON")
    check_cmd.add_argument("--collection", help="also use this collection's lexicon entries")
    _add_style_option(check_cmd)
    check_cmd.set_defaults(run=_check)

    lexicon_cmd = commands.add_parser(
        "lexicon", help="list, add or remove pronunciation lexicon entries (lexicon.tsv)"
    )
    lexicon_cmd.add_argument("action", nargs="?", choices=("list", "add", "remove"), default="list")
    lexicon_cmd.add_argument("word", nargs="?", help="the word as written")
    lexicon_cmd.add_argument(
        "say", nargs="?", help="a respelling, or espeak-ng phonemes as [[...]]"
    )
    lexicon_cmd.add_argument("--exact", action="store_true", help="match the word's case exactly")
    lexicon_cmd.add_argument("--collection", help="only for articles in this collection")
    lexicon_cmd.set_defaults(run=_lexicon)

    convert_cmd = commands.add_parser("convert", help="convert an article to an MP3")
    convert_cmd.add_argument("file", help="article as .txt or .html, or - for stdin")
    convert_cmd.add_argument("-o", "--output", required=True, help="OUT.mp3 to write")
    convert_cmd.add_argument(
        "--voice",
        default=DEFAULT_VOICE,
        help="espeak:<id> (or a plain espeak-ng voice or language), piper:<name> or "
        "piper:PATH.onnx",
    )
    convert_cmd.add_argument(
        "--rate",
        type=positive_int(MIN_RATE, MAX_RATE),
        default=DEFAULT_RATE,
        help="words per minute",
    )
    convert_cmd.add_argument(
        "--bitrate", type=positive_int(8, 160), default=64, help="MP3 bitrate in kb/s"
    )
    _add_style_option(convert_cmd)
    convert_cmd.set_defaults(run=_convert)

    serve_cmd = commands.add_parser(
        "serve", help="run the web service, a worker and (unless REDIS_URL is set) Redis"
    )
    serve_cmd.add_argument("--host", default="127.0.0.1")
    serve_cmd.add_argument("--port", type=positive_int(1, 65535), default=8000)
    serve_cmd.add_argument("--workers", type=positive_int(1, 64), help="worker processes")
    serve_cmd.set_defaults(run=_serve)

    worker_cmd = commands.add_parser("worker", help="run a Celery worker with these settings")
    worker_cmd.add_argument("--concurrency", type=positive_int(1, 64))
    worker_cmd.set_defaults(run=_worker)

    from service.cli.batch.command import add_batch_command

    add_batch_command(commands)
    from service.cli.keys import add_keys_command

    add_keys_command(commands)
    from service.cli.collections import add_collection_command

    add_collection_command(commands)
    from service.cli.eval_clean import add_eval_command

    add_eval_command(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        status = args.run(args)
    except UsageError as exc:
        print(f"narrate: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except NarrateError as exc:
        print(f"narrate: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("narrate: interrupted", file=sys.stderr)
        return 130
    return status or 0


if __name__ == "__main__":
    sys.exit(main())
