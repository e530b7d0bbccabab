"""A static script served small: gzip-compressed when the browser accepts it, with an
ETag, and under a versioned URL (its content hash) that may be cached for a year. It may
be written as several source files: they are joined, in order, inside one function, so
their top-level names are the script's own and never the page's, and their whole-line
comments are left out (they are for the source's readers, and were a sixth of its bytes)."""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from flask import Request, Response


def code_only(source: str) -> str:
    """The source without its whole-line comments: `// …` lines and `/* … */` blocks that
    begin a line and end one (a line that goes on after `*/` is kept). So no line inside a
    template literal may begin with `//` or `/*` unless it is a comment there too (CSS)."""
    kept: list[str] = []
    in_block = False
    for line in source.splitlines(keepends=True):
        text = line.strip()
        if in_block:
            in_block = not text.endswith("*/")
        elif text.startswith("//"):
            continue
        elif text.startswith("/*") and text.find("*/") in (-1, len(text) - 2):
            in_block = not text.endswith("*/")
        else:
            kept.append(line)
    return "".join(kept)


@dataclass
class StaticScript:
    parts: tuple[Path, ...]
    _cache: dict = field(default_factory=dict)

    def _load(self) -> tuple[bytes, bytes, str]:
        mtime = [part.stat().st_mtime_ns for part in self.parts]  # re-read after an edit
        if self._cache.get("mtime") != mtime:
            joined = "".join(code_only(part.read_text(encoding="utf-8")) for part in self.parts)
            raw = f'(() => {{\n"use strict";\n{joined}}})();\n'.encode()
            self._cache.update(
                mtime=mtime,
                raw=raw,
                gz=gzip.compress(raw, compresslevel=9, mtime=0),
                version=hashlib.sha256(raw).hexdigest()[:12],
            )
        return self._cache["raw"], self._cache["gz"], self._cache["version"]

    def version(self) -> str:
        return self._load()[2]

    def response(self, request: Request, max_age: int, immutable: bool = False) -> Response:
        raw, gz, version = self._load()
        compressed = "gzip" in request.headers.get("Accept-Encoding", "").lower()
        response = Response(gz if compressed else raw, mimetype="text/javascript")
        if compressed:
            response.headers["Content-Encoding"] = "gzip"
        response.vary.add("Accept-Encoding")
        response.set_etag(version + ("-gz" if compressed else ""))
        response.cache_control.public = True
        response.cache_control.max_age = max_age
        if immutable:
            response.cache_control.immutable = True
        response.make_conditional(request)  # in place: a 304 when the ETag matches
        return response
