"""A static script served small: gzip-compressed when the browser accepts it, with an
ETag, and under a versioned URL (its content hash) that may be cached for a year."""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from flask import Request, Response


@dataclass
class StaticScript:
    path: Path
    _cache: dict = field(default_factory=dict)

    def _load(self) -> tuple[bytes, bytes, str]:
        mtime = self.path.stat().st_mtime_ns  # re-read after an edit, without a restart
        if self._cache.get("mtime") != mtime:
            raw = self.path.read_bytes()
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
