"""The engine process's side of the line protocol (workers/pipeline/engines/child.py):
requests answered in the order asked, one at a time or several side by side."""

from __future__ import annotations

import io
import json
import threading
import time
from pathlib import Path

import pytest

from workers.pipeline.engines import child


def answered(monkeypatch, texts: list[str], speak, at_once: int) -> list[dict]:
    lines = "".join(json.dumps({"text": t, "path": f"/tmp/{t}.wav"}) + "\n" for t in texts)
    monkeypatch.setattr("sys.stdin", io.StringIO(lines))
    replies = io.StringIO()
    child.answer_requests(replies, speak, "could not speak it ({})", at_once)
    return [json.loads(line) for line in replies.getvalue().splitlines()]


def test_two_at_once_speak_side_by_side_and_reply_in_the_order_asked(monkeypatch):
    together = threading.Barrier(2, timeout=5)  # broken unless both are spoken at once

    def speak(text: str, path: Path, rate: int | None) -> dict[str, int]:
        if text in ("first", "second"):
            together.wait()
        if text == "first":
            time.sleep(0.2)  # the second is done long before the first
        return {"words": len(text)}

    replies = answered(monkeypatch, ["first", "second", "third"], speak, at_once=2)
    assert replies == [
        {"ok": True, "words": 5},
        {"ok": True, "words": 6},
        {"ok": True, "words": 5},
    ]


def test_one_at_a_time_never_speaks_two_at_once(monkeypatch):
    speaking, most = [], []

    def speak(text: str, path: Path, rate: int | None) -> dict[str, int]:
        speaking.append(text)
        most.append(len(speaking))
        time.sleep(0.02)
        speaking.remove(text)
        return {}

    replies = answered(monkeypatch, ["a", "b", "c"], speak, at_once=1)
    assert replies == [{"ok": True}] * 3 and max(most) == 1


@pytest.mark.parametrize("at_once", [1, 2])
def test_a_failed_utterance_is_reported_in_its_place(monkeypatch, at_once):
    def speak(text: str, path: Path, rate: int | None) -> dict[str, int]:
        if text == "bad":
            raise ValueError("no phonemes")
        return {"words": 1}

    replies = answered(monkeypatch, ["good", "bad", "good"], speak, at_once)
    assert replies == [
        {"ok": True, "words": 1},
        {"ok": False, "detail": "could not speak it (no phonemes)"},
        {"ok": True, "words": 1},
    ]
