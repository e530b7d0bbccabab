"""Speed and memory of `narrate convert` against the floor, side by side in one run.

The floor is the least any converter built on espeak-ng and LAME can do: espeak-ng
speaking the same cleaned text straight to one WAV, then `lame` encoding it at the same
bitrate. Each case runs floor and narrate alternately; medians are compared, of wall
seconds and of CPU seconds (user + system of the whole process tree: the CLI, its engine
process and its threads; espeak-ng and lame for the floor), each row with the load
average when it was measured.

    python bench/run.py            # seed, 200 and 1000 paragraphs
    python bench/run.py --quick    # seed and 200 only
    python bench/run.py --check    # exit 1 if a target is missed (wall, CPU or memory)
    python bench/run.py --engines  # only the engines side by side: espeak-ng and Piper

The engines table runs `narrate convert` with each voice on the same articles and
reports wall seconds, audio seconds per wall second (x real time), CPU seconds of the
whole process tree (steadier than wall time on a busy machine) and peak RSS, with a row
for piper-tts's own command line on the same article, the engine's speed on this machine
without Narrate around it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_4b34dbe536c86be2.txt"
BITRATE = 64
RATE_WPM = 175


@dataclass(frozen=True)
class Case:
    name: str
    article: Path
    repeats: int
    max_ratio: float  # narrate's wall seconds against the floor's
    max_rss_mb: float | None = None
    max_cpu_ratio: float | None = None  # narrate's CPU seconds against the floor's


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_rss_mb: float
    cpu_s: float = 0.0


@dataclass(frozen=True)
class EngineCase:
    name: str
    article: Path
    voice: str
    repeats: int
    as_fast_as_raw: bool = False  # x real time at least the piper-tts CLI's on the same text
    max_rss_mb: float | None = None


PIPER_VOICE = "piper:en_US-joe-medium"
ESPEAK_VOICE = "espeak:gmw/en"
RAW_PIPER = "piper-tts CLI (raw)"  # the engine alone, not through Narrate


def tree_rss(pid: int) -> dict[int, int]:
    """Resident memory (kB) of a process and each of its descendants, from /proc.

    A process below the first level that has its parent's command line is a copy on its
    way to exec (subprocess forks, then the child runs the new program): until then it
    shares every page with its parent, and counting them twice once put a worker 60 MB
    over its bound under heavy load. It is left out; its children are not."""
    found: dict[int, int] = {}
    frontier: list[tuple[int, bytes | None, int]] = [(pid, None, 0)]
    while frontier:
        current, parent_command, depth = frontier.pop()
        try:
            command = Path(f"/proc/{current}/cmdline").read_bytes()
            status = Path(f"/proc/{current}/status").read_text()
            if not (depth >= 2 and command == parent_command):
                found[current] = next(
                    int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")
                )
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                frontier.extend((int(c), command, depth + 1) for c in children)
        except (OSError, StopIteration):
            continue
    return found


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    return sum(tree_rss(pid).values())


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:100]
    except OSError:
        return "(gone)"


class PeakRss:
    """Samples a process tree's resident memory every 20 ms on a thread, from `with`
    until the block ends; `peak_mb` is the largest total seen, `at_peak` what each
    process of the tree held then (MB, by command line)."""

    def __init__(self, pid: int) -> None:
        self._pid, self._peak_kb = pid, 0
        self.at_peak: list[tuple[float, str]] = []
        self._done = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)

    @property
    def peak_mb(self) -> float:
        return self._peak_kb / 1024

    def _sample(self) -> None:
        while not self._done.is_set():
            tree = tree_rss(self._pid)
            if sum(tree.values()) > self._peak_kb:
                self._peak_kb = sum(tree.values())
                self.at_peak = [(kb / 1024, _command(pid)) for pid, kb in tree.items()]
            time.sleep(0.02)

    def __enter__(self) -> PeakRss:
        self._sampler.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._sampler.join()


def timed(command: list[str], watch_memory: bool = False) -> Run:
    cpu_before = _children_cpu_s()  # waited-for children include their own (the engine)
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    memory = PeakRss(process.pid)
    with memory if watch_memory else contextlib.nullcontext():
        _, stderr = process.communicate()
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{stderr.decode(errors='replace')}")
    return Run(elapsed, memory.peak_mb, _children_cpu_s() - cpu_before)


def floor(cleaned: Path, work: Path, name: str = "floor") -> Run:
    """espeak-ng to WAV, then lame to MP3: the same words, voice, rate and bitrate (into
    `name`.wav and .mp3, so that copies run at once keep apart). Its CPU seconds are
    those of every child waited for meanwhile: copies at once share one figure."""
    wav, mp3 = work / f"{name}.wav", work / f"{name}.mp3"
    cpu_before = _children_cpu_s()
    started = time.perf_counter()
    subprocess.run(
        ["espeak-ng", "-v", "en-gb", "-s", str(RATE_WPM), "-w", str(wav), "-f", str(cleaned)],
        check=True,
    )
    subprocess.run(["lame", "--quiet", "-b", str(BITRATE), str(wav), str(mp3)], check=True)
    return Run(time.perf_counter() - started, 0.0, _children_cpu_s() - cpu_before)


SUBJECTS = [
    "The council",
    "Mr Patel",
    "Dr Okafor",
    "The minister",
    "Ms Lindqvist",
    "The company",
    "Police",
    "The union",
    "Scientists",
    "The club",
    "Residents",
    "The regulator",
    "Prof Adeyemi",
    "The charity",
    "Officials",
]
VERBS = [
    "said",
    "warned",
    "confirmed",
    "announced",
    "denied",
    "revealed",
    "argued",
    "estimated",
    "insisted",
    "reported",
]
OBJECTS = [
    "the plan would cost £{m}m over {y} years",
    "prices had risen by {p}% since {year}",
    "{n} people were affected on {d} {month}",
    "the deal was worth ${b}bn",
    "the project began in the {dec}s",
    "about {n} homes had lost power by {h}pm",
    "the bridge would reopen on {d} {month} {year2}",
    "No. {n2} would be rebuilt",
    "the team won {s1}-{s2} in front of {n} fans",
    "a further {p}% rise was likely",
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
WORDS = [
    "harbour",
    "river",
    "market",
    "station",
    "budget",
    "ferry",
    "school",
    "hospital",
    "library",
    "garden",
    "warehouse",
    "tunnel",
    "factory",
    "orchard",
    "museum",
    "bakery",
    "theatre",
    "airport",
    "stadium",
    "cathedral",
    "village",
    "quarry",
    "lighthouse",
]


def sentence(rng: random.Random) -> str:
    fill = {
        "m": rng.randint(2, 900),
        "y": rng.randint(2, 12),
        "p": round(rng.uniform(1, 40), 1),
        "year": rng.randint(1950, 2024),
        "n": rng.randint(12, 98_000),
        "d": rng.randint(1, 28),
        "month": rng.choice(MONTHS),
        "b": rng.randint(1, 90),
        "dec": rng.choice(range(1950, 2011, 10)),
        "h": rng.randint(1, 11),
        "year2": rng.randint(2025, 2030),
        "n2": rng.randint(2, 99),
        "s1": rng.randint(0, 5),
        "s2": rng.randint(0, 5),
    }
    clause = rng.choice(OBJECTS).format(**fill)
    place = " ".join(rng.sample(WORDS, 2))
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} that {clause}, near the {place}."


def generated_article(paragraphs: int, seed: int) -> str:
    """Varied news-like text: no two paragraphs alike, so no cache can help."""
    rng = random.Random(seed)
    body = [" ".join(sentence(rng) for _ in range(rng.randint(1, 2))) for _ in range(paragraphs)]
    return f"Generated article number {seed} with {paragraphs} paragraphs\n\n" + "\n\n".join(body)


def narrate_clean(article: Path) -> str:
    """The article's text as Narrate reads it: `narrate clean`, a paragraph a line."""
    command = [sys.executable, "-m", "service.cli", "clean", str(article)]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def measure(case: Case, work: Path) -> dict:
    narrate = [sys.executable, "-m", "service.cli"]
    cleaned = work / f"{case.name}.cleaned.txt"
    cleaned.write_text(narrate_clean(case.article))
    out = work / f"{case.name}.mp3"
    floors, ours, lengths_ms = [], [], []
    for _ in range(case.repeats):
        floors.append(floor(cleaned, work))
        ours.append(
            timed(
                [
                    *narrate,
                    "convert",
                    str(case.article),
                    "-o",
                    str(out),
                    "--bitrate",
                    str(BITRATE),
                    "--rate",
                    str(RATE_WPM),
                ],
                watch_memory=True,
            )
        )
        timings = json.loads(out.with_suffix(".timings.json").read_text())
        lengths_ms.append(timings["duration_ms"])
    if max(lengths_ms) - min(lengths_ms) > 500:  # the same article must sound the same
        print(f"WARNING: {case.name}: audio length varied between runs: {lengths_ms} ms")
    floor_s = statistics.median(r.seconds for r in floors)
    ours_s = statistics.median(r.seconds for r in ours)
    floor_cpu = statistics.median(r.cpu_s for r in floors)
    ours_cpu = statistics.median(r.cpu_s for r in ours)
    return {
        "case": case.name,
        "paragraphs": len(timings["paragraphs"]),
        "audio": timings["duration_ms"] / 1000,
        "floor_s": floor_s,
        "narrate_s": ours_s,
        "ratio": ours_s / floor_s,
        "floor_cpu_s": floor_cpu,
        "narrate_cpu_s": ours_cpu,
        "cpu_ratio": ours_cpu / floor_cpu,
        "rss_mb": max(r.peak_rss_mb for r in ours),
        "load": os.getloadavg()[0],
        "target": case,
    }


def measure_engine(case: EngineCase, work: Path) -> dict:
    if case.voice == RAW_PIPER:
        return measure_raw_piper(case, work)
    out = work / f"{case.name}-{case.voice.split(':')[0]}.mp3"
    command = [sys.executable, "-m", "service.cli", "convert", str(case.article), "-o", str(out)]
    command += ["--voice", case.voice, "--bitrate", str(BITRATE), "--rate", str(RATE_WPM)]

    def audio_ms() -> float:
        return json.loads(out.with_suffix(".timings.json").read_text())["duration_ms"]

    return engine_row(case, command, audio_ms)


def measure_raw_piper(case: EngineCase, work: Path) -> dict:
    """piper-tts's own command line on the same text, to one WAV: the article as Narrate
    reads it (`narrate clean`, one paragraph a line, as the floor gets it), so both make
    about as much audio and pay their start-up alike; the speed the engine itself reaches
    on this machine, beside Narrate's in the same run."""
    from workers.pipeline.engines.voices import BUNDLED_PIPER_VOICE, find_piper_voice

    voice = find_piper_voice(BUNDLED_PIPER_VOICE)
    cleaned = work / f"{case.name}-piper-cleaned.txt"
    cleaned.write_text(narrate_clean(case.article))
    out = work / f"{case.name}-raw-piper.wav"
    command = [sys.executable, "-m", "piper", "-m", str(voice.model), "-c", str(voice.config)]
    command += ["-i", str(cleaned), "-f", str(out)]

    def audio_ms() -> float:
        with wave.open(str(out)) as wav:
            return wav.getnframes() / wav.getframerate() * 1000

    return engine_row(case, command, audio_ms)


def engine_row(case: EngineCase, command: list[str], audio_ms: Callable[[], float]) -> dict:
    """Run `command` case.repeats times; its medians of wall and CPU seconds, the audio it
    made, and peak RSS."""
    runs, lengths_s = [], []
    for _ in range(case.repeats):
        runs.append(timed(command, watch_memory=True))
        lengths_s.append(audio_ms())
    seconds = statistics.median(r.seconds for r in runs)
    audio_s = statistics.median(lengths_s) / 1000
    return {
        "seconds": seconds,
        "audio_s": audio_s,
        "realtime": audio_s / seconds,
        "cpu_s": statistics.median(r.cpu_s for r in runs),
        "rss_mb": max(r.peak_rss_mb for r in runs),
    }


def engine_verdict(case: EngineCase, row: dict, raw: dict | None) -> tuple[str, bool]:
    """The case's targets as its row shows them, and whether it meets them: Narrate's
    Piper at least as many seconds of audio per wall second as piper-tts's own command
    line on the same text (`raw`, measured before it in the same run), within its memory."""
    targets, ok = [], True
    if case.as_fast_as_raw:
        if raw is None:
            raise SystemExit(f"bench: no piper-tts CLI row for {case.name!r} to compare with")
        targets.append(f">= CLI's {raw['realtime']:.1f}x")
        ok = row["realtime"] >= raw["realtime"]
    if case.max_rss_mb is not None:
        targets.append(f"<= {case.max_rss_mb:.0f} MB")
        ok = ok and row["rss_mb"] <= case.max_rss_mb
    return ", ".join(targets), ok


def engine_cases(work: Path, quick: bool) -> list[EngineCase]:
    article = work / "generated-200.txt"
    article.write_text(generated_article(200, seed=200))
    cases = [
        EngineCase("seed", SEED, ESPEAK_VOICE, 3),
        EngineCase("seed", SEED, RAW_PIPER, 3),
        EngineCase("seed", SEED, PIPER_VOICE, 3, True, 600.0),
    ]
    if not quick:
        cases += [
            EngineCase("200 paragraphs", article, ESPEAK_VOICE, 1),
            EngineCase("200 paragraphs", article, RAW_PIPER, 1),
            EngineCase("200 paragraphs", article, PIPER_VOICE, 1, True, 600.0),
        ]
    return cases


def print_header(header: str) -> None:
    print(header)
    print("-" * (len(header) + 24))


def run_engines(work: Path, quick: bool) -> bool:
    """Print the engines table; False if a target was missed."""
    print_header(
        f"{'case':<16}{'voice':<24}{'audio':>9}{'wall s':>9}{'x real time':>13}"
        f"{'CPU s':>8}{'peak RSS':>10}  target"
    )
    missed = False
    raw: dict[str, dict] = {}  # the piper-tts CLI's row of each case
    for case in engine_cases(work, quick):
        row = measure_engine(case, work)
        if case.voice == RAW_PIPER:
            raw[case.name] = row
        target, ok = engine_verdict(case, row, raw.get(case.name))
        missed |= not ok
        minutes, seconds = divmod(row["audio_s"], 60)
        verdict_text = ("ok" if ok else "MISSED") if target else ""
        print(
            f"{case.name:<16}{case.voice:<24}{int(minutes):>5}:{seconds:04.1f}"
            f"{row['seconds']:>9.2f}{row['realtime']:>12.1f}x{row['cpu_s']:>8.2f}"
            f"{row['rss_mb']:>7.0f} MB  {target}  {verdict_text}",
            flush=True,
        )
    return not missed


def verdict(row: dict) -> tuple[str, bool]:
    """The case's targets as a row shows them, and whether the row meets every one."""
    case: Case = row["target"]
    ok = row["ratio"] <= case.max_ratio
    target = f"wall <= {case.max_ratio}x"
    if case.max_cpu_ratio is not None:
        ok = ok and row["cpu_ratio"] <= case.max_cpu_ratio
        target += f", CPU <= {case.max_cpu_ratio}x"
    if case.max_rss_mb is not None:
        ok = ok and row["rss_mb"] <= case.max_rss_mb
        target += f", <= {case.max_rss_mb:.0f} MB"
    return target, ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 1000-paragraph case")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument(
        "--engines", action="store_true", help="only espeak-ng and Piper side by side"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="narrate-bench-") as tmp:
        work = Path(tmp)
        if args.engines:
            print(f"{os.cpu_count()} cores, Python {platform.python_version()}", flush=True)
            return 1 if not run_engines(work, args.quick) and args.check else 0
        cases = [Case("seed", SEED, 5, 1.5)]
        for paragraphs, repeats in [(200, 3), (1000, 1)][: 1 if args.quick else 2]:
            article = work / f"generated-{paragraphs}.txt"
            article.write_text(generated_article(paragraphs, seed=paragraphs))
            rss = 300.0 if paragraphs == 1000 else None
            cases.append(Case(f"{paragraphs} paragraphs", article, repeats, 0.8, rss, 1.1))
        print(
            f"{os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{platform.machine()}; medians of alternating runs; load average "
            f"{os.getloadavg()[0]:.1f} at the start",
            flush=True,
        )
        print_header(
            f"{'case':<16}{'paras':>6}{'audio':>9}{'floor s':>9}{'narrate s':>11}{'ratio':>7}"
            f"{'floor CPU':>11}{'narrate CPU':>13}{'ratio':>7}{'peak RSS':>10}{'load':>6}  target"
        )
        missed = False
        for case in cases:
            row = measure(case, work)
            target, ok = verdict(row)
            missed |= not ok
            minutes, seconds = divmod(row["audio"], 60)
            print(
                f"{row['case']:<16}{row['paragraphs']:>6}{int(minutes):>5}:{seconds:04.1f}"
                f"{row['floor_s']:>9.2f}{row['narrate_s']:>11.2f}{row['ratio']:>6.2f}x"
                f"{row['floor_cpu_s']:>11.2f}{row['narrate_cpu_s']:>13.2f}"
                f"{row['cpu_ratio']:>6.2f}x{row['rss_mb']:>7.0f} MB{row['load']:>6.1f}"
                f"  {target}  {'ok' if ok else 'MISSED'}",
                flush=True,
            )
        print()
        missed |= not run_engines(work, args.quick)
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
