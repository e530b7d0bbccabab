"""A batch request's articles, whatever its form (a JSON array, NDJSON, a zip of files,
multipart files), each parsed or with its own error; zip archives are checked for bombs
and damage entry by entry, bombs by the bytes each entry really inflates to (inflated no
further than a limit), not the sizes its headers claim."""

from __future__ import annotations

import contextlib
import io
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from flask import request

from service.errors import ApiError, bad_request
from service.intake.submissions import (
    Submission,
    from_fields,
    from_file,
    parse_json,
    query_fields,
)
from service.web.context import settings
from workers.pipeline.errors import NarrateError

ZIP_MAX_RATIO = 100  # uncompressed / compressed, per entry: more is a zip bomb


@dataclass(frozen=True)
class Item:
    name: str
    submission: Submission | None
    error: str | None = None


def limits_error(detail: str) -> ApiError:
    return ApiError(413, "Batch too large", detail)


def items_from_request() -> tuple[list[Item], str | None]:
    """Every article of the request, each parsed or with its own error; and a callback."""
    mimetype = request.mimetype
    if mimetype == "application/json":
        body = parse_json(request.get_data(), "a JSON array of articles")
        callback = None
        if isinstance(body, dict) and "articles" in body:
            callback = body.get("callback_url")
            if callback is not None and not isinstance(callback, str):
                raise bad_request("'callback_url' must be a string")
            body = body["articles"]
        if not isinstance(body, list):
            raise bad_request(
                'send a JSON array of articles, or {"articles": [...], "callback_url": ...}'
            )
        return [
            _item(f"#{n + 1}", lambda a=article: from_fields(a)) for n, article in enumerate(body)
        ], callback
    if mimetype == "application/x-ndjson":
        items = []
        lines = [line for line in request.get_data().splitlines() if line.strip()]
        for n, line in enumerate(lines):
            items.append(
                _item(
                    f"line {n + 1}",
                    lambda n=n, line=line: from_fields(parse_json(line, "JSON", f"line {n + 1}")),
                )
            )
        return items, query_fields(request).get("callback_url")
    if mimetype in {"application/zip", "application/x-zip-compressed"}:
        return _items_from_zip(request.get_data(), "upload.zip"), query_fields(request).get(
            "callback_url"
        )
    if mimetype == "multipart/form-data":
        items = []
        for upload in request.files.getlist("files") + request.files.getlist("file"):
            data = upload.read()
            if (upload.filename or "").lower().endswith(".zip"):
                try:
                    items.extend(_items_from_zip(data, upload.filename or "upload.zip"))
                except ApiError as error:  # an unreadable archive is one failed item
                    if error.status != 400:
                        raise
                    items.append(Item(upload.filename or "upload.zip", None, error.detail))
            else:
                name = upload.filename or "upload"
                items.append(_item(name, lambda n=name, d=data: from_file(n, d, request.form)))
        return items, request.form.get("callback_url")
    raise ApiError(
        415,
        "Unsupported media type",
        f"Content-Type {mimetype or '(none)'} is not accepted for batches; send a JSON array, "
        "NDJSON, a zip of .txt/.html files, or multipart/form-data files",
    )


def _item(name: str, parse) -> Item:
    try:
        return Item(name, parse())
    except NarrateError as error:
        return Item(name, None, error.detail)


# What zipfile raises for a damaged entry, and what to tell the sender.
_ZIP_ENTRY_ERRORS: tuple[tuple[type[Exception], str], ...] = (
    (zipfile.BadZipFile, "is damaged ({error})"),
    (zlib.error, "has a corrupt compressed stream ({error})"),
    (NotImplementedError, "uses a compression method Narrate cannot read; use deflate"),
    (RuntimeError, "is encrypted; zip it again without a password"),
    (EOFError, "is cut short"),
)


def _items_from_zip(data: bytes, zip_name: str) -> list[Item]:
    config = settings()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, EOFError, ValueError, UnicodeDecodeError) as error:
        raise bad_request(
            f"{zip_name} is not a readable zip file ({error}): it may be truncated; "
            "send the whole archive"
        ) from None
    entries = [e for e in archive.infolist() if not e.is_dir() and not _hidden(e.filename)]
    if len(entries) > config.max_batch_items:
        raise limits_error(
            f"{zip_name} has {len(entries)} files; at most {config.max_batch_items} per batch"
        )
    if sum(e.file_size for e in entries) > config.max_batch_bytes:
        raise limits_error(
            f"{zip_name} unpacks to more than {config.max_batch_bytes} bytes; split it"
        )
    items, left = [], config.max_batch_bytes  # of the batch, in bytes actually inflated
    for entry in sorted(entries, key=lambda e: e.filename):
        ratio = entry.file_size / max(entry.compress_size, 1)
        if ratio > ZIP_MAX_RATIO:
            raise limits_error(
                f"{entry.filename} in {zip_name} is compressed {ratio:.0f}:1; "
                f"more than {ZIP_MAX_RATIO}:1 is refused"
            )
        if entry.file_size > config.max_upload_bytes:
            items.append(Item(entry.filename, None, "larger than the per-article limit"))
            continue
        try:
            size = _measured(archive, data, entry, zip_name, left)
            left -= size
            content = _read_entry(archive, entry, size)
        except ApiError as error:
            if error.status != 400:
                raise
            items.append(Item(entry.filename, None, error.detail))
            continue
        items.append(_item(entry.filename, lambda e=entry, c=content: from_file(e.filename, c, {})))
    return items


def _measured(
    archive: zipfile.ZipFile, data: bytes, entry: zipfile.ZipInfo, zip_name: str, left: int
) -> int:
    """How many bytes the entry's data really inflates to, whatever its headers say: a 413
    when that is over the per-article limit, 100 times its compressed size or the `left`
    of the batch (inflating one byte past the smallest, no more); a 400 for a damaged
    local header or a compression method other than stored or deflate."""
    config = settings()
    most = min(config.max_upload_bytes, ZIP_MAX_RATIO * entry.compress_size, left)
    with _entry_errors(entry), archive.open(entry):  # checks the local header
        size = _inflated_size(data, entry, most)
    claim = f"though its header says {entry.file_size}"
    if size > most == config.max_upload_bytes:
        raise limits_error(
            f"{entry.filename} in {zip_name} unpacks to more than {most} bytes, the "
            f"per-article limit, {claim}; send it as a smaller file"
        )
    if size > most == ZIP_MAX_RATIO * entry.compress_size:
        raise limits_error(
            f"{entry.filename} in {zip_name} unpacks to more than {ZIP_MAX_RATIO} times its "
            f"{entry.compress_size} compressed bytes, {claim}; more than "
            f"{ZIP_MAX_RATIO}:1 is refused"
        )
    if size > most:
        raise limits_error(
            f"{zip_name} unpacks to more than {config.max_batch_bytes} bytes (at "
            f"{entry.filename}, {claim}); split it"
        )
    return size


def _read_entry(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, size: int) -> bytes:
    """The entry's `size` bytes (as `_measured`), checked against its header; a 400
    saying what is wrong."""
    with _entry_errors(entry), archive.open(entry) as handle:
        content = handle.read(size + 1)  # no more than its header says (zipfile)
    if len(content) != entry.file_size or size != entry.file_size:
        raise bad_request(
            f"{entry.filename} is damaged: its header says {entry.file_size} bytes but it "
            f"holds {size}; zip it again"
        )
    return content


@contextlib.contextmanager
def _entry_errors(entry: zipfile.ZipInfo) -> Iterator[None]:
    """What zipfile or zlib raise for a damaged entry, as a 400 saying what is wrong."""
    try:
        yield
    except tuple(kind for kind, _ in _ZIP_ENTRY_ERRORS) as error:
        reason = next(text for kind, text in _ZIP_ENTRY_ERRORS if isinstance(error, kind))
        raise bad_request(f"{entry.filename} {reason.format(error=error)}") from None


def _inflated_size(data: bytes, entry: zipfile.ZipInfo, most: int) -> int:
    """How many bytes the entry's data inflates to, found by inflating it (zipfile trusts
    the headers), stopping at `most` + 1 or where the stream is corrupt."""
    if entry.compress_type not in {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}:
        raise NotImplementedError(entry.compress_type)
    name_length, extra_length = struct.unpack_from("<2H", data, entry.header_offset + 26)
    start = entry.header_offset + 30 + name_length + extra_length
    raw = data[start : start + entry.compress_size]
    if entry.compress_type == zipfile.ZIP_STORED:
        return len(raw)
    inflater, size = zlib.decompressobj(-15), 0
    with contextlib.suppress(zlib.error):  # counted as far as it goes; reading it says why
        while raw and size <= most:
            size += len(inflater.decompress(raw, most + 1 - size))
            raw = inflater.unconsumed_tail
    return size


def _hidden(path: str) -> bool:
    return any(part.startswith((".", "__MACOSX")) for part in path.split("/"))
