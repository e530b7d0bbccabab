"""Read an article submission out of an HTTP request, in any of the accepted shapes."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from flask import Request

from service.errors import ApiError, bad_request
from service.intake.sanitize import (
    checked_string,
    decode_utf8,
    refuse_controls,
    whole_number,
    without_control_references,
    without_controls,
)
from workers.catalog.models import COLLECTION_NAME, COLLECTION_RULE, VISIBILITIES
from workers.config import MAX_RATE, MIN_RATE
from workers.pipeline.clean.cleaner import Format
from workers.pipeline.speech.style import STYLES, checked_style

TEXT_TYPES: dict[str, Format] = {"text/plain": "text", "text/html": "html"}
UPLOAD_SUFFIXES: dict[str, Format] = {
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
}
ACCEPTED = "text/plain, text/html, application/json or multipart/form-data with a .txt/.html file"
MAX_JSON_DEPTH = 64
_JSON_ESCAPE = re.compile(r"\\.", re.DOTALL)
_JSON_STRING = re.compile(r'"[^"]*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_VOICE = re.compile(r"^[A-Za-z0-9_/+.:-]{1,80}$")
FIELDS = (
    "title",
    "text",
    "html",
    "voice",
    "rate",
    "style",
    "external_id",
    "callback_url",
    "source_url",
    "collection",
    "visibility",
)


@dataclass(frozen=True)
class Submission:
    raw: str
    format: Format
    voice: str | None = None
    rate: int | None = None
    style: str | None = None  # the house style asked for (en-GB, en-US); None: chosen for it
    external_id: str | None = None
    callback_url: str | None = None
    source_url: str | None = None
    collection: str = "all"
    visibility: str | None = None  # None: unlisted when new, else unchanged
    names_collection: bool = False  # sent a collection (else a PUT keeps the article's)


def read_submission(request: Request) -> Submission:
    mimetype = request.mimetype
    if mimetype == "application/json":
        return _from_json(request)
    if mimetype == "multipart/form-data":
        return _from_upload(request)
    if mimetype in TEXT_TYPES:
        raw = decode_utf8(request.get_data(), "the request body")
        return _with_options(raw, TEXT_TYPES[mimetype], query_fields(request))
    raise ApiError(
        415,
        "Unsupported media type",
        f"Content-Type {mimetype or '(none)'} is not accepted; send {ACCEPTED}.",
    )


def query_fields(request: Request) -> dict[str, str]:
    """The query string's fields, decoded strictly: a value that is not UTF-8 is a 400
    naming it (Flask's request.args would turn it into U+FFFD replacement characters)."""
    fields = {}
    for name, value in parse_qsl(request.query_string.decode("latin-1"), encoding="latin-1"):
        fields[name] = decode_utf8(value.encode("latin-1"), f"the query parameter {name!r}")
    return fields


def parse_json(data: bytes, shape: str, what: str = "the body") -> object:
    """Every JSON body the API reads comes here: UTF-8 (else a 400 naming the byte),
    nested at most MAX_JSON_DEPTH arrays/objects deep (counted before parsing, so a
    100,000-deep body is a 400 rather than a RecursionError), valid JSON."""
    text = decode_utf8(data, what)
    depth = json_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise bad_request(
            f"{what} nests arrays and objects {depth} levels deep; JSON here may nest at most "
            f"{MAX_JSON_DEPTH} levels: send {shape}"
        )
    try:
        return json.loads(text or "null")
    except (json.JSONDecodeError, RecursionError) as exc:
        raise bad_request(f"{what} is not valid JSON ({exc}); send {shape}") from None


def json_depth(text: str) -> int:
    """How deep the text's arrays and objects nest, brackets inside strings left out
    (the text need not be valid JSON). Linear in the text: escapes are dropped first, so
    a string is simply quote, non-quotes, quote."""
    outside_strings = _JSON_STRING.sub("", _JSON_ESCAPE.sub("", text))
    steps = (1 if bracket in "[{" else -1 for bracket in _NOT_BRACKET.sub("", outside_strings))
    return max(accumulate(steps), default=0)


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
        if isinstance(body.get(name), str):
            checked_string(body[name], name)
    if bool(body.get("text")) == bool(body.get("html")):
        raise bad_request("send exactly one of 'text' (plain text) or 'html' (the page's HTML)")
    kind: Format
    if body.get("text"):
        raw, kind = without_controls(body["text"]), "text"
        title = without_controls(body.get("title") or "").strip()
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
    return _with_options(decode_utf8(data, filename), kind, fields)


def checked_url(url: str, name: str) -> str:
    """An http(s) URL that the standard library can take apart, or a 400 naming `name`."""
    refuse_controls(checked_string(url, name), name)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
    except ValueError as error:
        raise bad_request(f"{name} is not a valid URL ({error}), got {url!r}") from None
    if parts.scheme not in {"http", "https"}:
        raise bad_request(f"{name} must be an http(s) URL, got {url!r}")
    return url


def _with_options(raw: str, kind: Format, fields) -> Submission:
    raw = without_controls(raw if kind == "text" else without_control_references(raw))
    if fields.get("external_id"):
        refuse_controls(fields["external_id"], "external_id")
    voice = fields.get("voice") or None
    if voice is not None and not _VOICE.match(voice):
        raise bad_request(
            f"voice {voice!r} is not a voice name such as 'espeak:en-gb' or "
            "'piper:en_US-joe-medium' (GET /api/v1/voices lists them)"
        )
    rate = fields.get("rate")
    if rate is not None and rate != "":
        rate = whole_number(rate, MIN_RATE, MAX_RATE)
        if rate is None:
            raise bad_request(
                f"rate must be a whole number of words per minute, {MIN_RATE} to {MAX_RATE} "
                "(digits only), "
                f"got {fields.get('rate')!r}"
            )
    else:
        rate = None
    style = fields.get("style") or None
    if style is not None:
        try:
            style = checked_style(style)
        except ValueError:
            raise bad_request(
                f"style must be one of {', '.join(STYLES)} (the house style numbers, dates "
                f"and money are read in), got {style!r}"
            ) from None
    for name in ("callback_url", "source_url"):
        if fields.get(name):
            checked_url(fields[name], name)
    external_id = fields.get("external_id") or None
    if external_id is not None and len(external_id) > 200:
        raise bad_request("external_id must be at most 200 characters")
    collection = fields.get("collection") or "all"
    if not COLLECTION_NAME.match(collection):
        raise bad_request(f"collection must be {COLLECTION_RULE}, got {collection!r}")
    visibility = fields.get("visibility") or None
    if visibility is not None and visibility not in VISIBILITIES:
        raise bad_request(
            f"visibility must be one of {', '.join(VISIBILITIES)}, got {visibility!r}"
        )
    return Submission(
        raw=raw,
        format=kind,
        voice=voice,
        rate=rate,
        style=style,
        external_id=external_id,
        callback_url=fields.get("callback_url") or None,
        source_url=fields.get("source_url") or None,
        collection=collection,
        visibility=visibility,
        names_collection=bool(fields.get("collection")),
    )
