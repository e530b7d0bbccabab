"""The line protocol an engine process speaks with its parent, for both engines.

The child answers {"ready": true} once its engine is loaded, or {"error", "detail"} and
exits when it cannot be; then one JSON request per line on stdin, {"text", "path",
"rate"}, and one JSON reply per line: {"ok": true, ...facts} once the WAV at `path` is
whole, or {"ok": false, "detail"}. Engines print to stdout themselves (libespeak-ng,
onnxruntime), so replies go over a private copy of that descriptor and everything else
is sent to stderr.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

# Writes the utterance's WAV at the path, at that rate (None: the process's own), and
# returns facts for the reply.
Speak = Callable[[str, Path, int | None], dict[str, int]]


class NotReady(Exception):
    """The engine cannot start: `error` is the reply's code, the message its detail."""

    def __init__(self, error: str, detail: str) -> None:
        super().__init__(detail)
        self.error = error
        self.detail = detail


def serve(load: Callable[[], Speak], says: str = "{}", at_once: int = 1) -> None:
    """Run the child: replies on their own channel, the engine loaded by `load` (which
    raises `NotReady` when it cannot be), then requests answered until stdin ends,
    `at_once` of them at a time (see `answer_requests`)."""
    _exit_when_orphaned()
    replies = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        speak = load()
    except NotReady as exc:
        _reply(replies, error=exc.error, detail=exc.detail)
        return
    _reply(replies, ready=True)
    answer_requests(replies, speak, says, at_once)


def answer_requests(replies: TextIO, speak: Speak, says: str = "{}", at_once: int = 1) -> None:
    """The protocol after "ready": one JSON line in per utterance ({"text", "path",
    "rate"}), one reply out, in the order asked. `speak` writes the utterance's WAV at
    `path` at that rate (None: the process's own) and returns facts for the reply; a
    failure is reported (its message put in `says`), and the parent decides whether to
    retry or replace this process.

    With `at_once` above 1, that many utterances are spoken at a time on threads of their
    own (an engine whose `speak` is thread-safe: Piper's model, one thread a run, speaks
    two utterances on two cores faster than one utterance on two cores' threads, which
    wait for each other at every operator)."""
    if at_once <= 1:
        for line in sys.stdin:
            _reply(replies, **_answer(speak, says, line))
        return
    from concurrent.futures import Future, ThreadPoolExecutor
    from queue import Queue

    answers: Queue[Future[dict[str, object]] | None] = Queue()

    def reply_in_order() -> None:
        while (answer := answers.get()) is not None:
            _reply(replies, **answer.result())

    replier = threading.Thread(target=reply_in_order, name="replies")
    replier.start()
    with ThreadPoolExecutor(at_once, thread_name_prefix="speak") as speakers:
        try:
            for line in sys.stdin:
                answers.put(speakers.submit(_answer, speak, says, line))
        finally:
            answers.put(None)
            replier.join()


def _answer(speak: Speak, says: str, line: str) -> dict[str, object]:
    request = json.loads(line)
    try:
        facts = speak(request["text"], Path(request["path"]), request.get("rate"))
    except Exception as exc:
        return {"ok": False, "detail": says.format(exc)}
    return {"ok": True, **facts}


def _reply(channel: TextIO, **fields: object) -> None:
    channel.write(json.dumps(fields) + "\n")
    channel.flush()


def _exit_when_orphaned(poll_s: float = 0.5) -> None:
    """Leave if the parent dies, even while blocked inside the engine: an orphaned
    engine process would otherwise sleep forever waiting for requests."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_s)
        os._exit(0)

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()
