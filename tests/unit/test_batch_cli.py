"""`narrate batch` without the engine: discovery and naming, resume state, summary."""

from __future__ import annotations

import io
import json
import os
import signal
import time
from pathlib import Path

import pytest

from service.cli.batch.command import _Interrupted, _Stoppable
from service.cli.batch.inputs import Item, discover, output_name
from service.cli.batch.local import convert_file
from service.cli.batch.outcomes import Outcome, Tally, exit_status, failure, format_summary
from service.cli.batch.progress import LineProgress
from service.cli.batch.state import (
    STATE_FILE,
    BatchState,
    Options,
    plan,
    remove_stale_temporaries,
    sha256_bytes,
    split_collisions,
)
from service.cli.main import build_parser
from service.cli.usage import UsageError

OPTIONS = Options(voice="gmw/en", rate=175, bitrate=64)


def touch(path: Path, text: str = "Headline\n\nA sentence to read.\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def names(items: list[Item]) -> list[str]:
    return [item.name for item in items]


# -- discovery and naming ------------------------------------------------------------------


def test_output_name_is_the_relative_path_with_double_underscores_and_no_suffix(tmp_path):
    assert output_name(tmp_path / "world" / "europe" / "a.txt", tmp_path) == "world__europe__a"
    assert output_name(tmp_path / "b.html", tmp_path) == "b"
    assert output_name(tmp_path / "deep" / "c.htm", None) == "c"  # a file given directly


def test_discovery_recurses_sorted_and_skips_hidden_and_other_files(tmp_path):
    for relative in ["b.txt", "a.HTML", "sub/z.htm", "sub/a.txt", "notes.md", ".hidden.txt"]:
        touch(tmp_path / relative)
    touch(tmp_path / ".git" / "x.txt")
    items = discover([tmp_path])
    assert names(items) == ["a", "b", "sub__a", "sub__z"]
    assert items[0].source == tmp_path / "a.HTML"
    assert names(discover([tmp_path])) == names(items)  # deterministic


def test_same_file_names_in_different_folders_do_not_collide(tmp_path):
    touch(tmp_path / "world" / "a.txt")
    touch(tmp_path / "sport" / "a.txt")
    items = discover([tmp_path])
    assert names(items) == ["sport__a", "world__a"]
    assert split_collisions(items) == (items, [])


def test_a_file_given_twice_is_converted_once(tmp_path):
    article = touch(tmp_path / "in" / "a.txt")
    items = discover([tmp_path / "in", article])
    assert names(items) == ["a"]


def test_files_given_directly_keep_the_argument_order(tmp_path):
    second, first = touch(tmp_path / "z.txt"), touch(tmp_path / "y" / "m.txt")
    assert names(discover([second, first])) == ["z", "m"]


def test_clashing_output_names_fail_alone_and_say_with_what(tmp_path):
    touch(tmp_path / "a.txt")
    touch(tmp_path / "a.html")
    touch(tmp_path / "world__b.txt")
    touch(tmp_path / "world" / "b.txt")
    unique, clashes = split_collisions(discover([tmp_path]))
    assert names(unique) == ["a", "world__b"]
    assert [outcome.item.source.name for outcome in clashes] == ["a.txt", "b.txt"]
    assert "output name 'a' is already used by" in clashes[0].reason
    assert str(tmp_path / "a.html") in clashes[0].reason
    assert not any(outcome.ok for outcome in clashes)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda root: root / "missing", "no such file or directory"),
        (lambda root: touch(root / "notes.md"), "is not a .txt, .html or .htm article"),
        (lambda root: (root / "empty").mkdir() or root / "empty", "no .txt, .html or .htm"),
    ],
)
def test_unusable_inputs_are_usage_errors(tmp_path, make, message):
    with pytest.raises(UsageError, match=message):
        discover([make(tmp_path)])


# -- resume state --------------------------------------------------------------------------


def converted(out: Path, name: str) -> None:
    for suffix in (".mp3", ".timings.json", ".vtt"):
        (out / f"{name}{suffix}").write_bytes(b"x")


def test_state_round_trips_and_is_written_atomically(tmp_path):
    item = Item(touch(tmp_path / "a.txt"), "a")
    state = BatchState(tmp_path)
    state.record(item, "abc", OPTIONS)
    document = json.loads((tmp_path / STATE_FILE).read_text())
    assert document["version"] == 1
    assert document["items"]["a"]["sha256"] == "abc"
    assert document["items"]["a"]["options"] == {"voice": "gmw/en", "rate": 175, "bitrate": 64}
    assert sorted(p.name for p in tmp_path.iterdir()) == [STATE_FILE, "a.txt"]  # no temp left
    assert BatchState.load(tmp_path).items == state.items


def test_done_means_same_bytes_same_options_and_outputs_present(tmp_path):
    item = Item(touch(tmp_path / "a.txt"), "a")
    state = BatchState(tmp_path)
    state.record(item, "abc", OPTIONS)
    assert not state.is_done(item, "abc", OPTIONS)  # no MP3 yet
    converted(tmp_path, "a")
    assert state.is_done(item, "abc", OPTIONS)
    assert not state.is_done(item, "changed", OPTIONS)
    assert not state.is_done(item, "abc", Options("gmw/en", 200, 64))
    assert not state.is_done(Item(item.source, "other"), "abc", OPTIONS)
    (tmp_path / "a.mp3").unlink()
    assert not state.is_done(item, "abc", OPTIONS)


@pytest.mark.parametrize("content", ["{not json", '{"version": 99, "items": {}}', "[]"])
def test_an_unreadable_state_file_means_starting_over_with_a_warning(tmp_path, content):
    (tmp_path / STATE_FILE).write_text(content)
    warnings = io.StringIO()
    assert BatchState.load(tmp_path, warn=warnings).items == {}
    assert "converting everything" in warnings.getvalue()


def test_plan_skips_done_items_and_redoes_changed_ones(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    done = touch(tmp_path / "in" / "done.txt", "Done\n\nAlready converted.\n")
    changed = touch(tmp_path / "in" / "changed.txt", "Changed\n\nOld words.\n")
    touch(tmp_path / "in" / "new.txt")
    state = BatchState(out)
    for path in (done, changed):
        state.record(Item(path, path.stem), sha256_bytes(path.read_bytes()), OPTIONS)
        converted(out, path.stem)
    changed.write_text("Changed\n\nNew words.\n", encoding="utf-8")
    result = plan(discover([tmp_path / "in"]), BatchState.load(out), OPTIONS)
    assert names(result.skipped) == ["done"]
    assert names(result.todo) == ["changed", "new"]
    assert result.failed == []
    other_options = plan(discover([tmp_path / "in"]), BatchState.load(out), Options("x", 175, 64))
    assert names(other_options.todo) == ["changed", "done", "new"]


def test_plan_fails_an_unreadable_item_alone(tmp_path):
    good = touch(tmp_path / "good.txt")
    result = plan(
        [Item(tmp_path / "gone.txt", "gone"), Item(good, "good")], BatchState(tmp_path), OPTIONS
    )
    assert names(result.todo) == ["good"]
    assert [o.item.name for o in result.failed] == ["gone"]
    assert "cannot read the file" in result.failed[0].reason


def test_stale_temporaries_of_a_killed_run_are_removed_and_nothing_else(tmp_path):
    leftovers = [".a.mp3.k3j2h1", ".a.timings.json.x8", ".a.vtt.q"]
    kept = [".ab.mp3.zz", "a.mp3", STATE_FILE]
    for name in leftovers + kept:
        (tmp_path / name).write_bytes(b"")
    remove_stale_temporaries(tmp_path, "a")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(kept)


# -- one article in a worker (the paths that fail before the engine is needed) -------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (None, "cannot read the file"),
        ("Café".encode("latin-1"), "not UTF-8 text"),
        (b"Share this article\n\nAdvertisement\n", "nothing left to read"),
    ],
)
def test_a_bad_article_is_a_reply_not_an_exception(tmp_path, data, reason):
    source = tmp_path / "a.txt"
    if data is not None:
        source.write_bytes(data)
    reply = convert_file(
        source,
        tmp_path / "a.mp3",
        None,
        64,
        voice="gmw/en",
        lexicon=tmp_path / "none.tsv",
        style="en-GB",
    )
    assert reply["ok"] is False
    assert reason in reply["reason"]
    assert not (tmp_path / "a.mp3").exists()


def test_a_local_batch_says_the_article_as_the_lexicon_says(tmp_path):
    """`narrate batch` speaks an article as `narrate convert` and the service do, with
    the deployment's lexicon (it had used none). The fake engine gives 300 ms a word."""
    from tests.support.engines import FakeEngineSynthesizer

    source = tmp_path / "a.txt"
    source.write_text("Talks in Kyiv\n\nMinisters met in Kyiv on Tuesday.\n", encoding="utf-8")
    lexicon = tmp_path / "lexicon.tsv"
    durations = []
    with FakeEngineSynthesizer("ok", tmp_path / "count") as synth:
        for entries in ("", "Kyiv\tthe city of Keev\tany\t*\n"):
            lexicon.write_text(entries, encoding="utf-8")
            reply = convert_file(
                source,
                tmp_path / "a.mp3",
                synth,
                64,
                voice="gmw/en",
                lexicon=lexicon,
                style="en-GB",
            )
            assert reply["ok"] is True, reply
            durations.append(reply["duration_ms"])
    assert durations[1] - durations[0] == pytest.approx(2 * 3 * 300, abs=60)  # 3 words more, twice


# -- summary and exit status ---------------------------------------------------------------


def test_exit_status_is_0_when_all_worked_1_when_any_failed_128_plus_signal_when_stopped():
    assert exit_status(Tally(converted=3, skipped=2)) == 0
    assert exit_status(Tally(converted=3, failures=[failure(Item(Path("x.txt"), "x"), "bad")])) == 1
    assert exit_status(Tally(converted=1, interrupted_by=2)) == 130
    assert exit_status(Tally(interrupted_by=15)) == 143


def test_summary_counts_and_a_table_of_one_line_reasons():
    tally = Tally(converted=7, skipped=2)
    tally.add(Outcome(Item(Path("in/ok.txt"), "ok"), ok=True, sha256="s"))
    tally.add(failure(Item(Path("in/long/junk.txt"), "long__junk"), "nothing\n  left   to read"))
    tally.add(failure(Item(Path("b.txt"), "b"), "x" * 500))
    lines = format_summary(tally).splitlines()
    assert lines[0] == "converted 8, skipped 2 (already done), failed 2"
    assert lines[1].split() == ["FILE", "REASON"]
    assert lines[2] == "in/long/junk.txt  nothing left to read"
    assert lines[3].startswith("b.txt             xxx")
    assert len(lines[3]) < 200 and lines[3].endswith("…")


def test_an_interrupted_summary_says_how_many_are_left():
    text = format_summary(Tally(converted=4, interrupted_by=2, remaining=8))
    assert text.splitlines()[0].startswith("interrupted: 8 not converted; run the same command")
    assert "converted 4, skipped 0 (already done), failed 0" in text


def test_without_a_terminal_each_finished_item_is_one_line():
    stream = io.StringIO()
    progress = LineProgress(2, stream)
    progress.finished(Outcome(Item(Path("a.txt"), "a"), True, "s", "", 61_500, 0.4))
    progress.finished(failure(Item(Path("b.txt"), "b"), "no words\nat all"))
    assert stream.getvalue().splitlines() == [
        "[1/2] converted a.txt -> a.mp3 (0.4 s, 1:01.5 of audio)",
        "[2/2] FAILED b.txt: no words at all",
    ]


# -- usage errors through the command ------------------------------------------------------


def run_batch(*argv: str) -> tuple[int, str]:
    args = build_parser().parse_args(["batch", *argv])
    stderr = io.StringIO()
    status = args.run(args, stdout=io.StringIO(), stderr=stderr)
    return status, stderr.getvalue()


def test_an_out_dir_that_is_a_file_is_a_usage_error(tmp_path):
    article = touch(tmp_path / "a.txt")
    status, stderr = run_batch(str(article), "--out", str(article))
    assert status == 2
    assert "is a file" in stderr


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--server", "ftp://example.org"], "must be an http(s) URL"),
        (["--server", "localhost:8000"], "must be an http(s) URL"),
        (["--server", "http://127.0.0.1:9"], "cannot reach the server"),
        (["--server", "http://127.0.0.1:9", "--bitrate", "32"], "--bitrate cannot be used"),
        (["--token", "secret"], "--token is for --server"),
    ],
)
def test_bad_server_options_are_usage_errors(tmp_path, argv, message):
    article = touch(tmp_path / "a.txt")
    status, stderr = run_batch(str(article), "--out", str(tmp_path / "out"), *argv)
    assert status == 2
    assert message in stderr
    assert not (tmp_path / "out").exists()


def test_an_interrupt_waits_for_the_bookkeeping_in_hand():
    stoppable = _Stoppable()
    steps = []
    with pytest.raises(_Interrupted) as raised, stoppable.active():
        with stoppable.deferred():
            os.kill(os.getpid(), signal.SIGTERM)
            steps.append("state file written")
            os.kill(os.getpid(), signal.SIGINT)  # a second stop changes nothing
            steps.append("tally counted")
        steps.append("next article")
    assert steps == ["state file written", "tally counted"]
    assert raised.value.signum == signal.SIGTERM


def test_outside_bookkeeping_an_interrupt_stops_at_once():
    stoppable = _Stoppable()
    with pytest.raises(_Interrupted) as raised, stoppable.active():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)
    assert raised.value.signum == signal.SIGINT
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handlers restored
