"""`narrate batch` as a user runs it: real worker processes, the real engine, real kills."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.cli.batch.state import STATE_FILE
from tests.support.decode import decode_mp3
from tests.support.harness import alive, serving
from tests.support.paths import ROOT

pytestmark = pytest.mark.integration

TOPICS = [
    ("council", "bridge", "the river"),
    ("school", "library", "the old mill"),
    ("hospital", "car park", "the station"),
    ("club", "stadium", "the seafront"),
    ("museum", "gallery", "the market square"),
    ("port", "ferry terminal", "the harbour wall"),
]
SUMMARY = re.compile(r"converted (\d+), skipped (\d+) \(already done\), failed (\d+)")


def article(number: int, paragraphs: int = 3) -> str:
    body, building, place = TOPICS[number % len(TOPICS)]
    lines = [f"Story {number}: the {body} opens a new {building} near {place}"]
    sentences = [
        f"The {body} said on Tuesday that the new {building} would open next month, "
        f"after almost {number + 2} years of planning and building.",
        f"Local people welcomed the news, although some worried about traffic near {place} "
        "during the busy summer weeks.",
        f"A spokesperson said that the {building} had cost less than expected and that "
        "the savings would go to repairs elsewhere.",
        "Work on the final stage is expected to finish before the end of the year.",
        "The opening ceremony will be free to attend, and everyone is welcome.",
    ]
    lines += sentences[:paragraphs]
    return "\n\n".join(lines) + "\n"


def write_articles(folder: Path, count: int, paragraphs: int = 3) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(1, count + 1):
        path = folder / f"story{number:02d}.txt"
        path.write_text(article(number, paragraphs), encoding="utf-8")
        paths.append(path)
    return paths


def batch_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "service.cli", "batch", *args]


def narrate_batch(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        batch_command(*args), cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def counts(stdout: str) -> dict[str, int]:
    match = SUMMARY.search(stdout)
    assert match, stdout
    return dict(zip(("converted", "skipped", "failed"), map(int, match.groups()), strict=True))


def converted_sources(stderr: str) -> set[str]:
    return set(re.findall(r"^\[\d+/\d+\] converted (\S+) -> ", stderr, re.MULTILINE))


def state_names(out: Path) -> set[str]:
    try:
        return set(json.loads((out / STATE_FILE).read_text())["items"])
    except FileNotFoundError:
        return set()


def test_a_folder_of_articles_converts_and_one_junk_file_fails_alone(tmp_path):
    inbox = tmp_path / "in"
    write_articles(inbox / "world", 4)
    write_articles(inbox / "sport", 4)  # the same file names: world__storyNN vs sport__storyNN
    (inbox / "junk.txt").write_text("Share this article\n\nAdvertisement\n", encoding="utf-8")
    out = tmp_path / "out"

    result = narrate_batch(str(inbox), "--out", str(out), "--jobs", "2")

    assert result.returncode == 1, result.stderr
    assert counts(result.stdout) == {"converted": 8, "skipped": 0, "failed": 1}
    lines = result.stdout.splitlines()
    table = lines[lines.index(next(line for line in lines if line.startswith("FILE"))) + 1 :]
    assert len(table) == 1
    assert table[0].startswith(str(inbox / "junk.txt"))
    assert "nothing left to read" in table[0]
    expected = {f"{folder}__story{n:02d}" for folder in ("world", "sport") for n in range(1, 5)}
    assert {p.name.removesuffix(".mp3") for p in out.glob("*.mp3")} == expected
    for name in expected:
        timings = json.loads((out / f"{name}.timings.json").read_text())
        assert len(timings["paragraphs"]) == 4  # the headline and three paragraphs
        assert (out / f"{name}.vtt").read_text().startswith("WEBVTT")
    samples, rate, _ = decode_mp3(out / "world__story01.mp3")
    assert len(samples) / rate > 5
    assert len(re.findall(r"^\[\d+/9\] ", result.stderr, re.MULTILINE)) == 9  # not a terminal
    assert not [p for p in out.iterdir() if p.name.startswith(".") and p.name != STATE_FILE]


def children_of(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


def processes() -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def process_group(pid: int) -> int | None:
    try:
        return os.getpgid(pid) if alive(pid) else None
    except ProcessLookupError:
        return None


def snapshot(out: Path) -> dict[str, tuple[int, int]]:
    return {p.stem: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.glob("*.mp3")}


@pytest.mark.parametrize("stop_signal", [signal.SIGKILL, signal.SIGINT], ids=["kill", "ctrl-c"])
def test_an_interrupted_batch_resumes_with_only_the_rest(tmp_path, stop_signal):
    sources = write_articles(tmp_path / "in", 12, paragraphs=5)
    out = tmp_path / "out"
    with (tmp_path / "stdout").open("w") as stdout, (tmp_path / "stderr").open("w") as stderr:
        batch = subprocess.Popen(
            batch_command(str(tmp_path / "in"), "--out", str(out), "--jobs", "2"),
            cwd=ROOT,
            stdout=stdout,
            stderr=stderr,
        )
        deadline = time.monotonic() + 60
        while len(state_names(out)) < 2:
            assert batch.poll() is None, "the batch finished before it could be stopped"
            assert time.monotonic() < deadline, "no article was converted in 60 s"
            time.sleep(0.01)
        workers = children_of(batch.pid)
        batch.send_signal(stop_signal)
        status = batch.wait(timeout=30)
    first_stdout = (tmp_path / "stdout").read_text()
    if stop_signal == signal.SIGKILL:
        assert status == -signal.SIGKILL
    else:
        assert status == 130, (tmp_path / "stderr").read_text()
        assert first_stdout.startswith("interrupted: ")
        assert counts(first_stdout)["converted"] == len(state_names(out))
    deadline = time.monotonic() + 10  # killed or not, its workers notice and exit
    while any(map(alive, workers)):
        assert time.monotonic() < deadline, "the batch's workers outlived it"
        time.sleep(0.05)

    done = state_names(out)
    before = snapshot(out)
    assert 2 <= len(done) < 12

    def stray() -> list[str]:
        return [p.name for p in out.iterdir() if p.name.startswith(".") and p.name != STATE_FILE]

    # A SIGKILL during a save of the state may leave that save's partial file; nothing else.
    assert all(name.startswith(f".{STATE_FILE}.") for name in stray()), stray()

    rerun = narrate_batch(str(tmp_path / "in"), "--out", str(out), "--jobs", "2")
    assert stray() == []  # the next run removes it

    assert rerun.returncode == 0, rerun.stderr
    assert counts(rerun.stdout) == {"converted": 12 - len(done), "skipped": len(done), "failed": 0}
    rest = {str(path) for path in sources if path.stem not in done}
    assert converted_sources(rerun.stderr) == rest
    after = snapshot(out)
    assert set(after) == {path.stem for path in sources}
    for name in done:  # finished ones untouched: same file, same mtime
        assert after[name] == before[name]
    for name in set(before) - done:  # an MP3 written but not recorded is made again
        assert after[name][0] != before[name][0]

    sources[0].write_text(article(99), encoding="utf-8")  # a changed source is converted again
    again = narrate_batch(str(tmp_path / "in"), "--out", str(out), "--jobs", "2")
    assert counts(again.stdout) == {"converted": 1, "skipped": 11, "failed": 0}
    assert converted_sources(again.stderr) == {str(sources[0])}


def test_a_worker_that_dies_fails_only_its_article(tmp_path):
    write_articles(tmp_path / "in", 6, paragraphs=5)
    out = tmp_path / "out"
    batch = subprocess.Popen(
        batch_command(str(tmp_path / "in"), "--out", str(out), "--jobs", "1"),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not state_names(out):
        assert batch.poll() is None, "the batch finished before a worker could be killed"
        assert time.monotonic() < deadline, "no article was converted in 60 s"
        time.sleep(0.01)
    victim = children_of(batch.pid)[0]
    os.kill(victim, signal.SIGKILL)  # busy with the second article
    stdout, stderr = batch.communicate(timeout=60)
    assert not [pid for pid in processes() if process_group(pid) == victim]  # its engine too

    assert batch.returncode == 1, stderr
    assert counts(stdout) == {"converted": 5, "skipped": 0, "failed": 1}
    assert "the worker process died (killed by SIGKILL)" in stdout.splitlines()[-1]
    assert len(list(out.glob("*.mp3"))) == 5


@pytest.fixture
def live_server(app) -> Iterator[str]:
    with serving(app) as url:
        yield url


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_server_mode_converts_through_a_live_service_and_worker(
    settings, live_server, worker, tmp_path
):
    inbox = tmp_path / "in"
    write_articles(inbox, 2)
    (inbox / "page.html").write_text(
        "<html><body><article><h1>The harbour wall is repaired at last</h1>"
        "<p>Builders finished repairing the harbour wall on Friday, a month early.</p>"
        "<p>Fishing boats will be able to use the inner harbour again from Monday.</p>"
        "</article></body></html>",
        encoding="utf-8",
    )
    (inbox / "junk.txt").write_text("Advertisement\n", encoding="utf-8")
    out = tmp_path / "out"

    result = narrate_batch(
        str(inbox), "--out", str(out), "--server", live_server + "/", "--jobs", "2"
    )

    assert result.returncode == 1, result.stdout + result.stderr
    assert counts(result.stdout) == {"converted": 3, "skipped": 0, "failed": 1}
    failure_line = result.stdout.splitlines()[-1]
    assert failure_line.startswith(str(inbox / "junk.txt"))
    assert "nothing left to read" in failure_line  # the job's failure, from the worker
    for name, paragraphs in (("story01", 4), ("story02", 4), ("page", 3)):
        assert (out / f"{name}.mp3").read_bytes()[:3] == b"ID3"
        timings = json.loads((out / f"{name}.timings.json").read_text())
        assert len(timings["paragraphs"]) == paragraphs
        assert (out / f"{name}.vtt").read_text().startswith("WEBVTT")
    assert "harbour wall" in (out / "page.vtt").read_text()

    (inbox / "junk.txt").unlink()
    rerun = narrate_batch(str(inbox), "--out", str(out), "--server", live_server)
    assert counts(rerun.stdout) == {"converted": 0, "skipped": 3, "failed": 0}
    assert rerun.returncode == 0


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_server_mode_sends_the_api_token_the_server_asks_for(settings, worker, tmp_path):
    from service.app import create_app

    guarded = settings.with_overrides(api_tokens=("batch-token",))
    app = create_app({"TESTING": True, "NARRATE_SETTINGS": guarded})
    inbox, out = tmp_path / "in", tmp_path / "out"
    write_articles(inbox, 1)
    with serving(app) as base:
        refused = narrate_batch(str(inbox), "--out", str(out), "--server", base)
        assert refused.returncode == 1
        assert "401" in refused.stdout.splitlines()[-1]
        assert "Authorization: Bearer KEY" in refused.stdout.splitlines()[-1]
        converted = narrate_batch(
            str(inbox), "--out", str(out), "--server", base, "--token", "batch-token"
        )
    assert converted.returncode == 0, converted.stdout + converted.stderr
    assert counts(converted.stdout) == {"converted": 1, "skipped": 0, "failed": 0}
    assert (out / "story01.mp3").read_bytes()[:3] == b"ID3"
