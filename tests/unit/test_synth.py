from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.support.engines import FakeEngineSynthesizer
from workers.pipeline.errors import EngineUnavailable, SynthesisFailed
from workers.pipeline.speech.utterances import split_utterances


def synthesise(mode: str, texts: list[str], tmp_path: Path, **kwargs) -> list[float]:
    with FakeEngineSynthesizer(mode, tmp_path / "count", **kwargs) as synth:
        return [clip.duration_ms for clip in synth.synthesize_many(texts)]


def test_short_text_is_one_utterance():
    assert split_utterances("One sentence. Two sentences.", limit=100) == [
        "One sentence. Two sentences."
    ]


def test_long_text_splits_at_sentence_ends_within_limit():
    sentences = [f"Sentence number {i} says something quite ordinary." for i in range(40)]
    pieces = split_utterances(" ".join(sentences), limit=200)
    assert len(pieces) > 1
    assert all(len(piece) <= 200 for piece in pieces)
    assert all(piece.endswith(".") for piece in pieces)
    assert " ".join(pieces).split() == " ".join(sentences).split()


def test_sentence_longer_than_limit_is_cut_between_words():
    text = "word " * 100
    pieces = split_utterances(text.strip(), limit=50)
    assert all(len(piece) <= 50 for piece in pieces)
    assert " ".join(pieces).split() == text.split()


def test_clips_come_back_in_order(tmp_path):
    texts = ["one", "one two three", "one two", "one two three four five"]
    durations = synthesise("ok", texts, tmp_path)
    assert durations == pytest.approx([300, 900, 600, 1500], abs=1)


def test_long_paragraph_is_one_clip_made_of_several_utterances(tmp_path):
    paragraph = " ".join(["This is a sentence of eight words here."] * 60)  # ~2400 chars
    (duration,) = synthesise("ok", [paragraph], tmp_path)
    words_ms = len(paragraph.split()) * 300
    assert words_ms < duration < words_ms + 250 * 3  # plus a breath between pieces


def test_a_paragraph_is_handed_on_once_its_last_utterance_is_in(tmp_path):
    """Not when the next paragraph's first is: a paragraph is shaped and encoded while
    the engine speaks the next, and the first is heard one utterance sooner."""
    long = " ".join(["This is a sentence of eight words here."] * 60)
    pieces = len(split_utterances(long))
    assert pieces > 1
    texts = ["one two", long, "one two three"]
    awaited: list[int] = []
    with FakeEngineSynthesizer("ok", tmp_path / "count") as synth:
        wait = synth._await

        def counted(request, in_flight):
            awaited.append(request.paragraph)
            return wait(request, in_flight)

        synth._await = counted  # type: ignore[method-assign]
        handed = [len(awaited) for _ in synth.synthesize_many(texts)]  # awaited by then
    assert handed == [1, 1 + pieces, 2 + pieces]
    assert awaited == [0, *[1] * pieces, 2]


def test_hung_engine_is_killed_and_the_paragraph_retried(tmp_path):
    started = time.monotonic()
    durations = synthesise("hang-once", ["one two", "one"], tmp_path, timeout_s=1.0)
    assert durations == pytest.approx([600, 300], abs=1)
    assert 1.0 <= time.monotonic() - started < 10


def test_crashed_engine_is_replaced_and_the_paragraph_retried(tmp_path):
    assert synthesise("crash-once", ["one two", "one"], tmp_path) == pytest.approx(
        [600, 300], abs=1
    )


def test_engine_that_keeps_crashing_fails_with_the_text_named(tmp_path):
    with pytest.raises(SynthesisFailed, match=r"text 1 \('one two'\) .* after 3 attempts"):
        synthesise("crash-always", ["one two"], tmp_path)


def test_engine_that_cannot_start_is_reported_as_unavailable(tmp_path):
    with pytest.raises(EngineUnavailable, match="no voice data"):
        synthesise("die-at-start", ["hello"], tmp_path)
    with pytest.raises(EngineUnavailable, match="no engine here"):
        synthesise("unavailable", ["hello"], tmp_path)


def test_silent_result_counts_as_a_failure(tmp_path):
    with pytest.raises(SynthesisFailed, match="only 0 ms of audio"):
        synthesise("mute", ["several words that should take time"], tmp_path)


def test_speech_cut_short_is_made_again(tmp_path):
    """Two fifths of a ten-word paragraph came back: more than a third, but not speech."""
    text = "one two three four five six seven eight nine ten"
    assert synthesise("truncate-once", [text], tmp_path) == pytest.approx([3000], abs=1)
    assert (tmp_path / "count").read_text() == "2"


def test_speech_that_stops_before_the_last_word_is_made_again(tmp_path):
    """Three fifths of the words, at the right pace: long enough to pass for speech, but
    the engine's last word event is short of the text's last word."""
    text = "one two three four five six seven eight nine ten"
    assert synthesise("stop-early-once", [text], tmp_path) == pytest.approx([3000], abs=1)
    assert (tmp_path / "count").read_text() == "2"


def test_a_long_silence_inside_speech_is_made_again(tmp_path):
    text = "one two three four five six seven eight nine ten"
    assert synthesise("gap-once", [text], tmp_path) == pytest.approx([3000], abs=1)
    assert (tmp_path / "count").read_text() == "2"


def test_speech_that_keeps_coming_back_short_fails_loudly(tmp_path):
    text = "one two three four five six seven eight nine ten"
    with pytest.raises(
        SynthesisFailed, match=r"after 3 attempts \(only 1200 ms of audio came back for 10 words\)"
    ):
        synthesise("truncate-always", [text], tmp_path)
    assert (tmp_path / "count").read_text() == "3"


def test_a_short_line_may_be_quick(tmp_path):
    """Headlines of a few words vary most in pace; only silence-like results fail them."""
    assert synthesise("truncate-once", ["Why now?"], tmp_path) == pytest.approx([240], abs=1)


def test_engine_process_exits_when_its_parent_is_killed(tmp_path, monkeypatch):
    """A parent killed outright (SIGKILL) must not leave an engine process behind, nor
    (once another synthesiser starts) its scratch directory."""
    import os
    import signal
    import subprocess
    import tempfile

    # scratch directories in a folder of this test's own: any synthesiser starting in
    # /tmp meanwhile (another test process) would remove the killed parent's first
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))

    script = (
        "import sys, time\n"
        "from workers.pipeline.engines.synth import Pyttsx3Synthesizer\n"
        "s = Pyttsx3Synthesizer(); s.start()\n"
        "print(s._child.pid, s._workdir, flush=True)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    pid, workdir = parent.stdout.readline().split()
    assert Path(workdir).parent == scratch
    child_pid = int(pid)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 5
    while Path(f"/proc/{child_pid}").exists():
        state = Path(f"/proc/{child_pid}/stat").read_text().split(")")[-1].split()[0]
        if state == "Z":
            break
        assert time.monotonic() < deadline, "the engine process outlived its parent"
        time.sleep(0.1)

    assert Path(workdir).is_dir()
    with FakeEngineSynthesizer("ok", tmp_path / "count") as successor:
        assert not Path(workdir).exists()
        assert successor._workdir.is_dir()


def test_only_the_workdirs_of_dead_processes_are_removed(tmp_path, monkeypatch):
    import subprocess

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    orphaned = tmp_path / f"narrate-synth-{dead.pid}-abc123"
    owned = tmp_path / f"narrate-synth-{os.getppid()}-def456"  # pytest's parent: alive
    unrelated = tmp_path / "narrate-synth-notes"
    for folder in (orphaned, owned, unrelated):
        folder.mkdir()
        (folder / "0.wav").write_bytes(b"RIFF")
    with FakeEngineSynthesizer("ok", tmp_path / "count") as synth:
        assert synth._workdir.parent == tmp_path
        assert synth._workdir.name.startswith(f"narrate-synth-{os.getpid()}-")
        assert sorted(p.name for p in tmp_path.glob("narrate-synth-*")) == sorted(
            [owned.name, unrelated.name, synth._workdir.name]
        )


@pytest.mark.parametrize(
    ("mode", "reason"),
    [("hang-once", "timeout"), ("crash-once", "crash"), ("truncate-once", "bad_audio")],
)
def test_each_replaced_engine_is_reported_with_its_reason(mode, reason, tmp_path):
    restarts: list[tuple[str, str]] = []
    text = "one two three four five six seven eight nine ten"
    durations = synthesise(
        mode, [text], tmp_path, timeout_s=1.0, on_restart=lambda *why: restarts.append(why)
    )
    assert len(durations) == 1
    assert restarts == [("espeak", reason)]


def test_an_engine_that_died_while_idle_is_reported_as_a_crash(tmp_path):
    restarts: list[tuple[str, str]] = []
    with FakeEngineSynthesizer(
        "ok", tmp_path / "count", on_restart=lambda *why: restarts.append(why)
    ) as synth:
        list(synth.synthesize_many(["one two"]))
        assert restarts == []
        assert synth._child is not None
        synth._child.kill()
        synth._child.wait()
        assert [round(c.duration_ms) for c in synth.synthesize_many(["one two"])] == [600]
    assert restarts == [("espeak", "crash")]


def test_a_child_dying_behind_an_answered_utterance_is_replaced_for_all_in_flight(tmp_path):
    """The child answers the first utterance and dies on the second, before the third is
    sent: the third must not start a new child while the second is still awaited (that
    child would answer the third, and its reply be taken for the second)."""
    restarts: list[tuple[str, str]] = []
    with FakeEngineSynthesizer(
        "crash-second", tmp_path / "count", on_restart=lambda *why: restarts.append(why)
    ) as synth:

        def texts():
            yield "one"
            yield "one two"
            deadline = time.monotonic() + 10
            while synth._child is not None and synth._child.poll() is None:
                assert time.monotonic() < deadline, "the fake engine did not die"
                time.sleep(0.01)
            yield "one two three"

        durations = [round(c.duration_ms) for c in synth.synthesize_many(texts())]
    assert durations == [300, 600, 900]
    assert restarts == [("espeak", "crash")]


def test_a_synthesis_left_mid_way_leaves_nothing_for_the_next_one(tmp_path):
    """Utterances already sent when a caller stops reading (a storage write failed) must
    not have their replies taken for the next synthesis's."""
    with FakeEngineSynthesizer("ok", tmp_path / "count") as synth:
        left = synth.synthesize_many(["one", "one two", "one two three"])
        assert round(next(left).duration_ms) == 300
        left.close()
        assert [round(c.duration_ms) for c in synth.synthesize_many(["one two three four"])] == [
            1200
        ]
