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


def serve(load: Callable[[], Speak], says: str = "{}") -> None:
    """Run the child: replies on their own channel, the engine loaded by `load` (which
    raises `NotReady` when it cannot be), then requests answered until stdin ends."""
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
    answer_requests(replies, speak, says)


def answer_requests(replies: TextIO, speak: Speak, says: str = "{}") -> None:
    """The protocol after "ready": one JSON line in per utterance ({"text", "path",
    "rate"}), one reply out. `speak` writes the utterance's WAV at `path` at that rate
    (None: the process's own) and returns facts for the reply; a failure is reported (its
    message put in `says`), and the parent decides whether to retry or replace this
    process."""
    for line in sys.stdin:
        request = json.loads(line)
        try:
            facts = speak(request["text"], Path(request["path"]), request.get("rate"))
        except Exception as exc:
            _reply(replies, ok=False, detail=says.format(exc))
            continue
        _reply(replies, ok=True, **facts)


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
