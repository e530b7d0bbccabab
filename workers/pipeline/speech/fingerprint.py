"""The fingerprint of the speech rules: the normaliser's code and word tables, and the
number-words library it reads numbers with. Spoken text made under one fingerprint is
what the same rules make again, so a new revision of an article can keep the spoken
text of the paragraphs it shares with the last (workers/runtime/saying.py); a deployment
whose rules changed says every paragraph anew."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

_SPEECH = Path(__file__).parent
_RULE_FILES = (".py", ".tsv", ".json")


@cache
def rules_key() -> str:
    """The speech rules' fingerprint (a SHA-256 hex digest), read once a process."""
    from importlib.metadata import version  # 12 ms to import: only where it is asked for

    digest = hashlib.sha256(f"num2words {version('num2words')}".encode())
    for path in sorted(_SPEECH.rglob("*")):
        if path.suffix in _RULE_FILES and path.is_file():
            digest.update(path.relative_to(_SPEECH).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
