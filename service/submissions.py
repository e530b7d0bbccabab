"""Read an article submission out of an HTTP request, in any of the accepted shapes."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from flask import Request

from service.errors import ApiError, bad_request
from workers.pipeline.text import Format

TEXT_TYPES: dict[str, Format] = {"text/plain": "text", "text/html": "html"}
UPLOAD_SUFFIXES: dict[str, Format] = {
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
}
ACCEPTED = "text/plain, text/html, application/json or multipart/form-data with a .txt/.html file"
_VOICE = re.compile(r"^[A-Za-z0-9_/+-]{1,60}$")
FIELDS = (
    "title",
    "text",
    "html",
    "voice",
    "rate",
    "external_id",
    "callback_url",
    "source_url",
    "collection",
)
_COLLECTION = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")


@dataclass(frozen=True)
class Submission:
    raw: str
    format: Format
    voice: str | None = None
    rate: int | None = None
    external_id: str | None = None
    callback_url: str | None = None
    source_url: str | None = None
    collection: str = "all"


def read_submission(request: Request) -> Submission:
    mimetype = request.mimetype
    if mimetype == "application/json":
        return _from_json(request)
    if mimetype == "multipart/form-data":
        return _from_upload(request)
    if mimetype in TEXT_TYPES:
        raw = _decode(request.get_data(), "the request body")
        return _with_options(raw, TEXT_TYPES[mimetype], request.args)
    raise ApiError(
        415,
        "Unsupported media type",
        f"Content-Type {mimetype or '(none)'} is not accepted; send {ACCEPTED}.",
    )


def _decode(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise bad_request(f"{what} is not UTF-8 text; re-encode it as UTF-8") from None


def parse_json(data: bytes, shape: str) -> object:
    try:
        return json.loads(data or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise bad_request(f"the body is not valid JSON ({exc}); send {shape}") from None


def _from_json(request: Request) -> Submission:
    return from_fields(parse_json(request.get_data(), "a JSON object"))


def from_fields(body: object) -> Submission:
    """A submission from a JSON object (one article of the API or of a batch)."""
    if not isinstance(body, dict):
        raise bad_request('the JSON body must be an object such as {"title": …, "text": …}')
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        raise bad_request(f"unknown field(s) {', '.join(unknown)}; accepted: {', '.join(FIELDS)}")
    for name in FIELDS:
        if name != "rate" and body.get(name) is not None and not isinstance(body[name], str):
            raise bad_request(f"'{name}' must be a string")
    if bool(body.get("text")) == bool(body.get("html")):
        raise bad_request("send exactly one of 'text' (plain text) or 'html' (the page's HTML)")
    kind: Format
    if body.get("text"):
        raw, kind = body["text"], "text"
        title = (body.get("title") or "").strip()
        if title and not raw.lstrip().startswith(title):
            raw = f"{title}\n\n{raw}"
    else:
        raw, kind = body["html"], "html"
    return _with_options(raw, kind, body)


def _from_upload(request: Request) -> Submission:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise bad_request("multipart uploads need the article in a field named 'file'")
    return from_file(upload.filename, upload.read(), request.form)


def from_file(filename: str, data: bytes, fields) -> Submission:
    """A submission from an uploaded (or zipped) .txt/.html file."""
    kind = UPLOAD_SUFFIXES.get(Path(filename).suffix.lower())
    if kind is None:
        raise ApiError(415, "Unsupported media type", f"{filename}: upload a .txt or .html file")
    return _with_options(_decode(data, filename), kind, fields)


def _with_options(raw: str, kind: Format, fields) -> Submission:
    voice = fields.get("voice") or None
    if voice is not None and not _VOICE.match(voice):
        raise bad_request(f"voice {voice!r} is not an espeak-ng voice name such as 'en-gb'")
    rate = fields.get("rate")
    if rate is not None and rate != "":
        try:
            rate = int(rate)
        except (TypeError, ValueError):
            rate = None
        if rate is None or not 80 <= rate <= 450 or isinstance(fields.get("rate"), bool):
            raise bad_request("rate must be a whole number of words per minute, 80 to 450")
    else:
        rate = None
    for name in ("callback_url", "source_url"):
        url = fields.get(name)
        if url and urlparse(url).scheme not in {"http", "https"}:
            raise bad_request(f"{name} must be an http(s) URL, got {url!r}")
    external_id = fields.get("external_id") or None
    if external_id is not None and len(external_id) > 200:
        raise bad_request("external_id must be at most 200 characters")
    collection = fields.get("collection") or "all"
    if not _COLLECTION.match(collection):
        raise bad_request(
            "collection must be lower-case letters, digits, '-' or '_' (at most 100), "
            f"got {collection!r}"
        )
    return Submission(
        raw=raw,
        format=kind,
        voice=voice,
        rate=rate,
        external_id=external_id,
        callback_url=fields.get("callback_url") or None,
        source_url=fields.get("source_url") or None,
        collection=collection,
    )
